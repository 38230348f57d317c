// One small instance of every layer family (2-D, float, both data formats) under the thread
// pool's promises: forward() into caller memory allocates nothing once its workspace has grown
// (pools of 1 and 2 threads, counted by counting_allocator.cpp); results are bit-identical for 1,
// 2, 3 and 7 threads; and 8 threads can call one const layer at the same time while another
// thread resizes the default pool (built with ThreadSanitizer by tools/test.sh's tsan leg).
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <ktl/layers/conv.hpp>
#include <ktl/layers/conv_transpose.hpp>
#include <ktl/layers/cropping.hpp>
#include <ktl/layers/depthwise_conv.hpp>
#include <ktl/layers/separable_conv.hpp>
#include <ktl/layers/up_sampling.hpp>
#include <ktl/layers/zero_padding.hpp>

#include "counting_allocator.hpp"

namespace {

using ktl::DataFormat;
using ktl::Index;
using Tensor4 = ktl::Tensor<float, 4>;

/// Any rank-4 float layer, behind one interface.
class AnyLayer {
 public:
  virtual ~AnyLayer() = default;
  virtual ktl::Dims<4> output_shape(const ktl::Dims<4>& input) const = 0;
  virtual void forward(ktl::ConstView<float, 4> x, ktl::TensorView<float, 4> y, ktl::Workspace& ws,
                       const ktl::ThreadPool& pool) const = 0;
  /// layer(x): the default pool, a new tensor.
  virtual Tensor4 call(const Tensor4& x) const = 0;
};

template <typename Layer>
class Erased final : public AnyLayer {
 public:
  explicit Erased(Layer layer) : layer_(std::move(layer)) {}
  ktl::Dims<4> output_shape(const ktl::Dims<4>& input) const override { return layer_.output_shape(input); }
  void forward(ktl::ConstView<float, 4> x, ktl::TensorView<float, 4> y, ktl::Workspace& ws,
               const ktl::ThreadPool& pool) const override {
    layer_.forward(x, y, ws, pool);
  }
  Tensor4 call(const Tensor4& x) const override { return layer_(x); }

 private:
  Layer layer_;
};

struct Case {
  std::string name;
  std::shared_ptr<const AnyLayer> layer;
  Tensor4 x;
};

template <typename Layer>
Case make_case(std::string name, Layer layer, const ktl::Dims<4>& shape, unsigned seed) {
  Tensor4 x(shape);
  std::srand(seed);
  x.setRandom();
  return {std::move(name), std::make_shared<const Erased<Layer>>(std::move(layer)), std::move(x)};
}

/// Every layer family, in data format f, each with an input big enough for several tasks.
std::vector<Case> every_layer(DataFormat f) {
  const bool first = f == DataFormat::channels_first;
  // (batch, rows, cols, channels) in f's order.
  auto shape = [&](Index b, Index h, Index w, Index c) {
    return first ? ktl::Dims<4>{b, c, h, w} : ktl::Dims<4>{b, h, w, c};
  };
  const std::string suffix = first ? "_channels_first" : "_channels_last";
  std::vector<Case> cases;

  ktl::Conv2DOptions conv;
  conv.filters = 16;
  conv.kernel_size = 3;
  conv.padding = ktl::Padding::same;
  conv.activation = ktl::Activation::relu;
  conv.data_format = f;
  cases.push_back(make_case("Conv2D" + suffix, ktl::Conv2D::make(conv, 8, 1), shape(3, 12, 12, 8), 11));
  conv.kernel_size = 1;
  conv.groups = 2;
  cases.push_back(make_case("Conv2D_1x1_groups" + suffix, ktl::Conv2D::make(conv, 8, 2), shape(3, 12, 12, 8), 12));

  ktl::Conv2DTransposeOptions transpose;
  transpose.filters = 8;
  transpose.kernel_size = 3;
  transpose.strides = 2;
  transpose.padding = ktl::Padding::same;
  transpose.activation = ktl::Activation::relu;
  transpose.data_format = f;
  cases.push_back(make_case("Conv2DTranspose" + suffix, ktl::Conv2DTranspose::make(transpose, 8, 3),
                            shape(3, 7, 9, 8), 13));

  ktl::DepthwiseConv2DOptions depthwise;
  depthwise.kernel_size = 3;
  depthwise.depth_multiplier = 2;
  depthwise.padding = ktl::Padding::same;
  depthwise.activation = ktl::Activation::relu;
  depthwise.data_format = f;
  cases.push_back(make_case("DepthwiseConv2D" + suffix, ktl::DepthwiseConv2D::make(depthwise, 8, 4),
                            shape(3, 12, 20, 8), 14));

  ktl::SeparableConv2DOptions separable;
  separable.filters = 12;
  separable.kernel_size = 3;
  separable.depth_multiplier = 2;
  separable.padding = ktl::Padding::same;
  separable.activation = ktl::Activation::relu;
  separable.data_format = f;
  cases.push_back(make_case("SeparableConv2D" + suffix, ktl::SeparableConv2D::make(separable, 8, 5),
                            shape(3, 12, 20, 8), 15));

  // The copy layers split their work into chunks of 16384 values: inputs with several.
  ktl::Cropping2DOptions crop;
  crop.cropping = {{1, 2}, {2, 1}};
  crop.data_format = f;
  cases.push_back(make_case("Cropping2D" + suffix, ktl::Cropping2D(crop), shape(3, 40, 40, 4), 16));

  ktl::ZeroPadding2DOptions pad;
  pad.padding = {1, 2};
  pad.data_format = f;
  cases.push_back(make_case("ZeroPadding2D" + suffix, ktl::ZeroPadding2D(pad), shape(3, 40, 40, 4), 17));

  ktl::UpSampling2DOptions up;
  up.size = {2, 3};
  up.data_format = f;
  cases.push_back(make_case("UpSampling2D_nearest" + suffix, ktl::UpSampling2D(up), shape(3, 40, 40, 4), 18));
  up.interpolation = ktl::Interpolation::bilinear;
  cases.push_back(make_case("UpSampling2D_bilinear" + suffix, ktl::UpSampling2D(up), shape(3, 40, 40, 4), 19));
  up.size = 2;  // channels_first: plane mode (one-channel planes, columns factor 2)
  up.bilinear_mapping = ktl::BilinearMapping::half_pixel;
  cases.push_back(make_case("UpSampling2D_bilinear_half_pixel_x2" + suffix, ktl::UpSampling2D(up),
                            shape(3, 40, 40, 4), 20));
  return cases;
}

std::vector<Case> every_layer_both_formats() {
  std::vector<Case> cases = every_layer(DataFormat::channels_last);
  for (Case& c : every_layer(DataFormat::channels_first)) cases.push_back(std::move(c));
  return cases;
}

Tensor4 run(const Case& c, const ktl::ThreadPool& pool) {
  Tensor4 y(c.layer->output_shape(ktl::dims_of(c.x)));
  ktl::Workspace ws;
  c.layer->forward(ktl::view(c.x), ktl::mutable_view(y), ws, pool);
  return y;
}

bool same_bits(const Tensor4& a, const Tensor4& b) {
  return a.dimensions() == b.dimensions() &&
         std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size()) * sizeof(float)) == 0;
}

/// Keeps a pointer observable, so that the compiler cannot drop an allocation and its release.
void* volatile sink = nullptr;

TEST(AllocationCounter, CountsOperatorNewAndMallocOfEveryThread) {
  ktl::test::AllocationCounter counter;
  sink = new int(1);
  delete static_cast<int*>(sink);
  EXPECT_EQ(counter.count(), 1);
  std::thread([] {
    sink = new double(2);
    delete static_cast<double*>(sink);
  }).join();
  EXPECT_GE(counter.count(), 2) << "an allocation on another thread was not counted";
  if (ktl::test::allocations_include_malloc()) {
    const long before = counter.count();
    ktl::Workspace ws;
    sink = ws.request<float>(1000);  // std::aligned_alloc
    EXPECT_EQ(counter.count(), before + 1);
  }
}

// The README's promise: once the workspace has grown, forward() allocates nothing, with a pool of
// one thread (everything inline) or two (tasks handed to the pool's worker).
TEST(LayerThreads, ForwardAllocatesNothingOnceTheWorkspaceHasGrown) {
  for (const Case& c : every_layer_both_formats()) {
    for (const int threads : {1, 2}) {
      const ktl::ThreadPool pool(threads);
      Tensor4 y(c.layer->output_shape(ktl::dims_of(c.x)));
      ktl::Workspace ws;
      c.layer->forward(ktl::view(c.x), ktl::mutable_view(y), ws, pool);  // grows the workspace
      long allocations = 0;
      {
        ktl::test::AllocationCounter counter;
        c.layer->forward(ktl::view(c.x), ktl::mutable_view(y), ws, pool);
        allocations = counter.count();
      }
      EXPECT_EQ(allocations, 0) << c.name << ", " << threads << " thread(s)";
    }
  }
}

TEST(LayerThreads, BitIdenticalForOneTwoThreeAndSevenThreads) {
  const ktl::ThreadPool one(1), two(2), three(3), seven(7);
  for (const Case& c : every_layer_both_formats()) {
    const Tensor4 y1 = run(c, one);
    EXPECT_TRUE(same_bits(run(c, two), y1)) << c.name << ": 2 threads";
    EXPECT_TRUE(same_bits(run(c, three), y1)) << c.name << ": 3 threads";
    EXPECT_TRUE(same_bits(run(c, seven), y1)) << c.name << ": 7 threads";
  }
}

// 8 threads call the same const layers (through the default pool, by operator() and by
// forward() with their own workspace) while another thread keeps resizing the default pool
// between 1, 2, 3 and 7 threads; every result must equal the 1-thread one bit for bit.
TEST(LayerThreads, EightThreadsCallOneLayerWhileTheDefaultPoolIsResized) {
  const int original = ktl::get_num_threads();
  const std::vector<Case> cases = every_layer_both_formats();
  std::vector<Tensor4> expected;
  {
    const ktl::ThreadPool one(1);
    for (const Case& c : cases) expected.push_back(run(c, one));
  }
  std::atomic<bool> stop{false};
  std::atomic<int> mismatches{0}, calls{0}, resizes{0};
  std::thread resizer([&] {
    const int sizes[] = {7, 1, 3, 2};
    for (int i = 0; !stop.load(); ++i) {
      ktl::set_num_threads(sizes[i % 4]);
      ++resizes;
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
  });
  std::vector<std::thread> callers;
  for (int t = 0; t < 8; ++t) {
    callers.emplace_back([&, t] {
      ktl::Workspace ws;
      for (int round = 0; round < 3; ++round) {
        for (std::size_t k = 0; k < cases.size(); ++k) {
          const std::size_t i = (k + static_cast<std::size_t>(t) * 3) % cases.size();
          const Case& c = cases[i];
          Tensor4 y;
          if ((round + t) % 2 == 0) {
            y = c.layer->call(c.x);
          } else {
            y = Tensor4(c.layer->output_shape(ktl::dims_of(c.x)));
            const auto pool = ktl::default_thread_pool();
            c.layer->forward(ktl::view(c.x), ktl::mutable_view(y), ws, *pool);
          }
          if (!same_bits(y, expected[i])) ++mismatches;
          ++calls;
        }
      }
    });
  }
  for (auto& t : callers) t.join();
  stop = true;
  resizer.join();
  ktl::set_num_threads(original);
  EXPECT_EQ(mismatches.load(), 0) << "of " << calls.load() << " calls";
  EXPECT_EQ(calls.load(), 8 * 3 * static_cast<int>(cases.size()));
  EXPECT_GT(resizes.load(), 1) << "the default pool was not resized during the calls";
}

}  // namespace
