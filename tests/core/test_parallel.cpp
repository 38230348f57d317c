// The thread pool: every task runs exactly once, for any thread count; nesting runs inline.
#include <atomic>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ktl/core/parallel.hpp>

namespace {

TEST(ThreadPool, RunsEveryTaskOnceForAnyThreadCount) {
  for (int threads : {1, 2, 3, 8}) {
    const ktl::ThreadPool pool(threads);
    std::vector<std::atomic<int>> hits(1000);
    pool.parallel_for(1000, [&](ktl::Index i) { hits[static_cast<std::size_t>(i)]++; });
    for (const auto& h : hits) ASSERT_EQ(h.load(), 1) << threads << " threads";
  }
}

TEST(ThreadPool, NestedParallelForRunsInline) {
  const ktl::ThreadPool pool(2);
  std::atomic<int> count{0};
  pool.parallel_for(4, [&](ktl::Index) { pool.parallel_for(5, [&](ktl::Index) { count++; }); });
  EXPECT_EQ(count.load(), 20);
}

TEST(ThreadPool, RejectsZeroThreads) {
  EXPECT_THAT([] { ktl::ThreadPool p(0); },
              testing::ThrowsMessage<ktl::invalid_options>(testing::HasSubstr("num_threads")));
}

TEST(ThreadPool, DefaultPoolCanBeResized) {
  const int before = ktl::get_num_threads();
  EXPECT_GE(before, 1);
  ktl::set_num_threads(3);
  EXPECT_EQ(ktl::get_num_threads(), 3);
  ktl::set_num_threads(before);
  EXPECT_EQ(ktl::get_num_threads(), before);
}

}  // namespace

namespace {
TEST(ThreadPool, SlotsAreNeverSharedByConcurrentTasks) {
  const ktl::ThreadPool pool(3);
  std::vector<std::atomic<int>> busy(3);
  std::atomic<bool> overlap{false};
  pool.parallel_for(300, [&](ktl::Index, int slot) {
    ASSERT_GE(slot, 0);
    ASSERT_LT(slot, 3);
    if (busy[static_cast<std::size_t>(slot)]++ != 0) overlap = true;
    busy[static_cast<std::size_t>(slot)]--;
  });
  EXPECT_FALSE(overlap.load());
}
}  // namespace
