// A small U-Net in the style of the original paper (valid convolutions, cropped skip
// connection) on a 68x68 RGB image: Conv2D, ZeroPadding2D before a strided convolution,
// UpSampling2D (bilinear) in the decoder, Cropping2D to align the skip connection, and a channel
// concatenation. Runs the network in both data formats, checks that they agree, and prints every
// shape and the timing.
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include <ktl/layers/conv.hpp>
#include <ktl/layers/cropping.hpp>
#include <ktl/layers/up_sampling.hpp>
#include <ktl/layers/zero_padding.hpp>

namespace {

using ktl::DataFormat;
using ktl::Index;
using Image = ktl::Tensor<float, 4>;

std::string shape_of(const Image& t) {
  std::string s = "(";
  for (int a = 0; a < 4; ++a) s += std::to_string(t.dimension(static_cast<std::size_t>(a))) + std::string(a < 3 ? ", " : ")");
  return s;
}

ktl::Conv2D conv(DataFormat f, Index in_channels, Index filters, Index k, Index stride,
                 ktl::Activation act, std::uint64_t seed) {
  ktl::Conv2DOptions o;
  o.filters = filters;
  o.kernel_size = k;
  o.strides = stride;
  o.data_format = f;
  o.activation = act;
  o.bias_initializer = ktl::Initializer::constant(0.01);
  return ktl::Conv2D::make(o, in_channels, seed);
}

/// The network, built once per data format; the same seeds give the same weights in both.
struct UNet {
  DataFormat f;
  ktl::Conv2D enc1, enc2, down, mid1, mid2, up_proj, dec, head;
  ktl::ZeroPadding2D pad;
  ktl::UpSampling2D up;
  ktl::Cropping2D crop;

  explicit UNet(DataFormat format)
      : f(format),
        enc1(conv(f, 3, 16, 3, 1, ktl::Activation::relu, 1)),
        enc2(conv(f, 16, 16, 3, 1, ktl::Activation::relu, 2)),
        down(conv(f, 16, 32, 3, 2, ktl::Activation::relu, 3)),
        mid1(conv(f, 32, 32, 3, 1, ktl::Activation::relu, 4)),
        mid2(conv(f, 32, 32, 3, 1, ktl::Activation::relu, 5)),
        up_proj(conv(f, 32, 16, 1, 1, ktl::Activation::relu, 6)),
        dec(conv(f, 32, 16, 3, 1, ktl::Activation::relu, 7)),
        head(conv(f, 16, 1, 1, 1, ktl::Activation::sigmoid, 8)),
        pad([&] {
          ktl::ZeroPadding2DOptions o;
          o.padding = 1;
          o.data_format = f;
          return o;
        }()),
        up([&] {
          ktl::UpSampling2DOptions o;
          o.size = 2;
          o.interpolation = ktl::Interpolation::bilinear;
          o.data_format = f;
          return o;
        }()),
        crop([&] {
          ktl::Cropping2DOptions o;
          o.cropping = 4;  // 64x64 skip features -> 56x56, the decoder's size
          o.data_format = f;
          return o;
        }()) {}

  Image run(const Image& x, bool verbose) const {
    auto show = [&](const char* what, const Image& t) {
      if (verbose) std::printf("  %-40s %s\n", what, shape_of(t).c_str());
    };
    const int channel_axis = f == DataFormat::channels_last ? 3 : 1;
    show("input", x);
    const Image e1 = enc1(x);
    show("Conv2D 3x3 valid, 16, relu", e1);
    const Image skip = enc2(e1);
    show("Conv2D 3x3 valid, 16, relu (skip)", skip);
    const Image padded = pad(skip);
    show("ZeroPadding2D 1", padded);
    const Image d = down(padded);
    show("Conv2D 3x3 stride 2 valid, 32, relu", d);
    const Image m1 = mid1(d);
    show("Conv2D 3x3 valid, 32, relu", m1);
    const Image m2 = mid2(m1);
    show("Conv2D 3x3 valid, 32, relu", m2);
    const Image u = up(m2);
    show("UpSampling2D 2x2 bilinear", u);
    const Image p = up_proj(u);
    show("Conv2D 1x1, 16, relu", p);
    const Image s = crop(skip);
    show("Cropping2D 4 (skip connection)", s);
    const Image cat = p.concatenate(s, channel_axis);
    show("concatenate channels", cat);
    const Image dd = dec(cat);
    show("Conv2D 3x3 valid, 16, relu", dd);
    const Image y = head(dd);
    show("Conv2D 1x1, 1, sigmoid", y);
    return y;
  }
};

}  // namespace

int main() {
  Image x(1, 68, 68, 3);
  for (Index i = 0; i < x.size(); ++i)
    x.data()[i] = 0.5f + 0.5f * std::sin(0.05f * static_cast<float>(i));
  const std::array<Index, 4> to_first{0, 3, 1, 2}, to_last{0, 2, 3, 1};

  std::printf("U-Net, channels_last:\n");
  const UNet last(DataFormat::channels_last);
  const Image y_last = last.run(x, true);

  std::printf("U-Net, channels_first:\n");
  const UNet first(DataFormat::channels_first);
  const Image x_first = x.shuffle(to_first);
  const Image y_first_cf = first.run(x_first, true);
  const Image y_first = y_first_cf.shuffle(to_last);

  double worst = 0.0;
  bool finite = true;
  for (Index i = 0; i < y_last.size(); ++i) {
    finite = finite && std::isfinite(y_last.data()[i]) && y_last.data()[i] > 0.0f && y_last.data()[i] < 1.0f;
    worst = std::fmax(worst, std::fabs(static_cast<double>(y_last.data()[i]) - y_first.data()[i]));
  }
  std::printf("output %s; max |channels_last - channels_first| = %.3g\n", shape_of(y_last).c_str(), worst);

  for (const UNet* net : {&last, &first}) {
    const Image& in = net == &last ? x : x_first;
    const int reps = 20;
    net->run(in, false);  // warm up
    const auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) net->run(in, false);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / reps;
    std::printf("%s: %.3f ms per forward pass (%d threads)\n",
                net == &last ? "channels_last" : "channels_first", ms, ktl::get_num_threads());
  }

  const bool ok = y_last.dimension(1) == 54 && y_last.dimension(2) == 54 && y_last.dimension(3) == 1 &&
                  finite && worst < 1e-4;
  std::printf("%s\n", ok ? "OK" : "FAILED");
  return ok ? 0 : 1;
}
