// A DCGAN-style generator built from Conv2DTranspose layers (Radford et al.: 4x4 kernels, stride
// 2, 'same' padding, relu inside, tanh at the end): a projected 4x4x256 code becomes a 32x32 RGB
// image. Prints every shape and the time per batch; exits non-zero if something is off.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include <ktl/layers/conv_transpose.hpp>

int main() {
  using ktl::Conv2DTranspose;
  using ktl::Padding;
  const ktl::Index batch = 4;

  // The projected-and-reshaped latent code (the generator's first Dense layer is not part of ktl).
  ktl::Tensor<float, 4> code(batch, 4, 4, 256);
  std::mt19937 gen(7);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (ktl::Index i = 0; i < code.size(); ++i) code.data()[i] = normal(gen);

  auto stage = [](ktl::Index filters, ktl::Activation act) {
    ktl::Conv2DTransposeOptions o;
    o.filters = filters;
    o.kernel_size = 4;
    o.strides = 2;
    o.padding = Padding::same;
    o.activation = act;
    o.kernel_initializer = ktl::Initializer::random_normal(0.0, 0.02);  // DCGAN's init
    return o;
  };
  const std::vector<Conv2DTranspose> layers = {
      Conv2DTranspose::make(stage(128, ktl::Activation::relu), 256, 1),
      Conv2DTranspose::make(stage(64, ktl::Activation::relu), 128, 2),
      Conv2DTranspose::make(stage(3, ktl::Activation::tanh), 64, 3),
  };

  std::printf("DCGAN generator, batch %ld\n", static_cast<long>(batch));
  std::printf("  code            %s\n", ktl::detail::format_dims(ktl::dims_of(code)).c_str());
  ktl::Tensor<float, 4> x = code;
  double total_ms = 0.0;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    ktl::Tensor<float, 4> y = layers[i](x);
    const auto t1 = std::chrono::steady_clock::now();
    const double ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    total_ms += ms;
    std::printf("  deconv%zu (4x4/2) %s  %.3f ms\n", i + 1,
                ktl::detail::format_dims(ktl::dims_of(y)).c_str(), ms);
    x = std::move(y);
  }
  // Steady state: reuse the output buffers and one workspace, as a serving loop would.
  ktl::Workspace ws;
  std::vector<ktl::Tensor<float, 4>> outs;
  ktl::Tensor<float, 4> in = code;
  for (const auto& l : layers) outs.emplace_back(l.output_shape(ktl::dims_of(outs.empty() ? in : outs.back())));
  const auto pool = ktl::default_thread_pool();
  const int reps = 20;
  const auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < reps; ++r)
    for (std::size_t i = 0; i < layers.size(); ++i)
      layers[i].forward(ktl::view(i == 0 ? in : outs[i - 1]), ktl::mutable_view(outs[i]), ws, *pool);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / reps;
  std::printf("first pass %.3f ms; steady state %.3f ms per batch on %d thread(s)\n", total_ms, ms,
              pool->num_threads());

  const ktl::Tensor<float, 4>& image = outs.back();
  if (image.dimension(1) != 32 || image.dimension(2) != 32 || image.dimension(3) != 3) return 1;
  for (ktl::Index i = 0; i < image.size(); ++i)
    if (!(std::abs(image.data()[i]) <= 1.0f) || image.data()[i] != x.data()[i]) return 2;
  std::printf("image %s, values in [-1, 1]: ok\n", ktl::detail::format_dims(ktl::dims_of(image)).c_str());
  return 0;
}
