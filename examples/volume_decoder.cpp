// A small 3D decoder (3D U-Net / volumetric autoencoder style) built from Conv3DTranspose: a
// 4x4x4x64 feature volume is upsampled twice by 3x3x3 stride-2 transposed convolutions and
// mapped to one sigmoid probability per voxel. Runs channels_last and channels_first, checks they
// agree, prints shapes and timing.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include <ktl/layers/conv_transpose.hpp>

namespace {

std::vector<ktl::Conv3DTranspose> decoder(ktl::DataFormat format) {
  auto up = [format](ktl::Index filters) {
    ktl::Conv3DTransposeOptions o;
    o.filters = filters;
    o.kernel_size = 3;
    o.strides = 2;
    o.padding = ktl::Padding::same;
    o.output_padding = ktl::Extent<3>(1);  // odd kernel: same length as None, 2x per stage
    o.data_format = format;
    o.activation = ktl::Activation::relu;
    o.kernel_initializer = ktl::Initializer::he_normal();
    return o;
  };
  auto head = [format] {
    ktl::Conv3DTransposeOptions o;
    o.filters = 1;
    o.kernel_size = 1;
    o.data_format = format;
    o.activation = ktl::Activation::sigmoid;
    return o;
  };
  std::vector<ktl::Conv3DTranspose> layers;
  layers.push_back(ktl::Conv3DTranspose::make(up(32), 64, 11));
  layers.push_back(ktl::Conv3DTranspose::make(up(16), 32, 12));
  layers.push_back(ktl::Conv3DTranspose::make(head(), 16, 13));
  return layers;
}

ktl::Tensor<float, 5> run(const std::vector<ktl::Conv3DTranspose>& layers, ktl::Tensor<float, 5> x,
                          bool verbose) {
  for (const auto& l : layers) {
    const auto t0 = std::chrono::steady_clock::now();
    ktl::Tensor<float, 5> y = l(x);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (verbose)
      std::printf("  %-17s k%ld s%ld -> %s  %.3f ms\n", "Conv3DTranspose",
                  static_cast<long>(l.options().kernel_size[0]),
                  static_cast<long>(l.options().strides[0]),
                  ktl::detail::format_dims(ktl::dims_of(y)).c_str(), ms);
    x = std::move(y);
  }
  return x;
}

}  // namespace

int main() {
  ktl::Tensor<float, 5> features(2, 4, 4, 4, 64);  // (batch, depth, height, width, channels)
  std::mt19937 gen(3);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (ktl::Index i = 0; i < features.size(); ++i) features.data()[i] = u(gen);

  std::printf("3D decoder, input %s (channels_last)\n",
              ktl::detail::format_dims(ktl::dims_of(features)).c_str());
  const auto t0 = std::chrono::steady_clock::now();
  const ktl::Tensor<float, 5> last = run(decoder(ktl::DataFormat::channels_last), features, true);
  const double ms_last =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  // channels_first: the same weights (make() is seeded), input and output transposed.
  ktl::Tensor<float, 5> features_first = features.shuffle(std::array<int, 5>{0, 4, 1, 2, 3});
  const auto t1 = std::chrono::steady_clock::now();
  const ktl::Tensor<float, 5> first = run(decoder(ktl::DataFormat::channels_first), features_first, false);
  const double ms_first =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count();
  std::printf("channels_last %.3f ms, channels_first %.3f ms (incl. weight init)\n", ms_last, ms_first);

  if (last.dimension(1) != 16 || last.dimension(4) != 1 || first.dimension(1) != 1) return 1;
  double worst = 0.0;
  for (ktl::Index n = 0; n < 2; ++n)
    for (ktl::Index d = 0; d < 16; ++d)
      for (ktl::Index h = 0; h < 16; ++h)
        for (ktl::Index w = 0; w < 16; ++w)
          worst = std::max(worst, static_cast<double>(std::abs(last(n, d, h, w, 0) - first(n, 0, d, h, w))));
  std::printf("output %s, max |channels_last - channels_first| = %g\n",
              ktl::detail::format_dims(ktl::dims_of(last)).c_str(), worst);
  return worst <= 1e-6 ? 0 : 2;
}
