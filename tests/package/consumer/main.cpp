// A user's program: includes the umbrella header, checks a network's shapes at compile time and
// runs a small op. tests/package builds it against an installed ktl and via add_subdirectory.
#include <cstring>
#include <iostream>
#include <ktl/ktl.hpp>
#include <stdexcept>
#include <string>

namespace {

// ResNet-50's stem, checked while compiling: 224x224x3, 7x7 stride 2 'same' to 64 channels.
constexpr ktl::Dims<4> stem = ktl::shape::conv_output_shape<2>(
    ktl::Dims<4>{1, 224, 224, 3}, ktl::DataFormat::channels_last, 7, 2, 1, ktl::Padding::same, 64);
static_assert(stem[1] == 112 && stem[2] == 112 && stem[3] == 64, "the stem gives 112x112x64");

}  // namespace

int main() {
  const std::string version = std::to_string(KTL_VERSION_MAJOR) + "." +
                              std::to_string(KTL_VERSION_MINOR) + "." +
                              std::to_string(KTL_VERSION_PATCH);
  if (std::strlen(KTL_EXPECTED_VERSION) != 0 && version != KTL_EXPECTED_VERSION) {
    std::cerr << "ktl headers say " << version << ", the package says " << KTL_EXPECTED_VERSION
              << "\n";
    return 1;
  }

  // A small op on an Eigen tensor: relu in place.
  ktl::Tensor<float, 2> t(2, 3);
  t.setValues({{-1.0f, 0.0f, 2.0f}, {3.0f, -4.0f, 5.0f}});
  ktl::apply_activation(ktl::ActivationFunction(ktl::Activation::relu), t);
  float sum = 0.0f;
  for (ktl::Index i = 0; i < t.size(); ++i) sum += t.data()[i];
  if (sum != 10.0f) {
    std::cerr << "relu gave a sum of " << sum << ", expected 10\n";
    return 1;
  }

  // Errors are exceptions derived from std::invalid_argument.
  try {
    (void)ktl::parse_padding("full", "consumer");
    std::cerr << "parse_padding accepted \"full\"\n";
    return 1;
  } catch (const std::invalid_argument& e) {
    if (std::string(e.what()).find("padding") == std::string::npos) return 1;
  }

  std::cout << "ktl " << version << " consumer: stem " << ktl::detail::format_dims(stem)
            << ", relu sum " << sum << "\n";
  return 0;
}
