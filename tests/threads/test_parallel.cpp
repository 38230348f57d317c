// The thread pool: every task runs exactly once, for any thread count; nesting runs inline.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ktl/core/parallel.hpp>
#include <ktl/core/workspace.hpp>

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

namespace {
// A throwing task must reach the caller (not std::terminate on a worker), and must not leave the
// calling thread marked as "inside a task", which would run every later call inline.
TEST(ThreadPool, TaskExceptionReachesTheCallerAndThePoolStaysParallel) {
  const ktl::ThreadPool pool(2);
  for (ktl::Index thrower : {ktl::Index{0}, ktl::Index{7}}) {
    EXPECT_THROW(pool.parallel_for(8,
                                   [&](ktl::Index i) {
                                     std::this_thread::sleep_for(std::chrono::milliseconds(2));
                                     if (i == thrower) throw std::runtime_error("task failed");
                                   }),
                 std::runtime_error);
  }
  std::vector<std::atomic<int>> slot_used(2);
  pool.parallel_for(20, [&](ktl::Index, int slot) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    slot_used[static_cast<std::size_t>(slot)] = 1;
  });
  EXPECT_EQ(slot_used[1].load(), 1) << "the helper thread never ran a task after an exception";
}

// A layer called with a 1-thread pool from inside a task of a larger pool must still see slots
// in [0, 1): its scratch has only that one.
TEST(ThreadPool, NestedCallSeesSlotsOfItsOwnPool) {
  const ktl::ThreadPool outer(3), inner(1);
  std::atomic<int> worst{0};
  outer.parallel_for(30, [&](ktl::Index) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    inner.parallel_for(2, [&](ktl::Index, int slot) {
      int seen = worst.load();
      while (slot > seen && !worst.compare_exchange_weak(seen, slot)) {
      }
    });
  });
  EXPECT_EQ(worst.load(), 0);
}

TEST(Workspace, GrowsAlignedAndStaysUsableAfterAMove) {
  ktl::Workspace ws;
  float* p = ws.request<float>(100);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % ktl::Workspace::alignment, 0u);
  EXPECT_GE(ws.capacity(), 100 * sizeof(float));
  EXPECT_EQ(ws.request<double>(10), static_cast<void*>(p));  // fits: same memory
  ktl::Workspace moved = std::move(ws);
  EXPECT_NE(moved.request<float>(100), nullptr);
  EXPECT_NE(ws.request<float>(100), nullptr);  // NOLINT(bugprone-use-after-move): reusable
  EXPECT_THROW((void)moved.request<double>(PTRDIFF_MAX), std::bad_alloc);
  EXPECT_NE(moved.request<float>(1), nullptr);  // still consistent after the failed request
}
}  // namespace
