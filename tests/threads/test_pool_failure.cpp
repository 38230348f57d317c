// ThreadPool(n) and set_num_threads(n) when the system cannot start n threads: they throw
// std::system_error, with every thread already started stopped and joined (no hang, no leaked
// thread, no std::terminate), and set_num_threads leaves the default pool as it was.
//
// Thread creation is made to fail with RLIMIT_NPROC, which counts the threads of every process
// of a user and is not enforced for root. The scenario therefore runs in a fresh child process
// (a gtest death test in "threadsafe" style re-executes this binary, so no pool of this process
// is inherited half-alive across fork) that switches to the unprivileged uid "nobody" (65534):
// that uid has a process count of its own, which the child measures and then limits to a few
// threads more. As another user the limit would count every process of that user, including
// tests that ctest runs in parallel, so the point of failure could not be predicted: the test is
// skipped unless it runs as root.
#include <sys/resource.h>
#include <unistd.h>
#if defined(__linux__)
#include <grp.h>
#include <sys/prctl.h>
#endif

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <ktl/core/parallel.hpp>

#if defined(__SANITIZE_ADDRESS__)
extern "C" int __lsan_do_recoverable_leak_check();
#endif

namespace {

[[noreturn]] void fail(const std::string& why, int code) {
  std::fprintf(stderr, "pool failure scenario: %s\n", why.c_str());
  std::fflush(stderr);
  std::_Exit(code);
}

/// Threads of this process, from /proc/self/status.
int thread_count() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  return -1;
}

/// thread_count() once it is `expected`, or after 5 s: a joined thread leaves the kernel's
/// counts a moment after pthread_join returns.
int threads_settling_at(int expected) {
  int n = thread_count();
  for (int i = 0; i < 500 && n != expected; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    n = thread_count();
  }
  return n;
}

void set_soft_nproc(rlim_t soft) {
  rlimit r{};
  getrlimit(RLIMIT_NPROC, &r);
  r.rlim_cur = soft;
  if (setrlimit(RLIMIT_NPROC, &r) != 0) fail("setrlimit(RLIMIT_NPROC) failed", 2);
}

/// How many more threads this uid may start under soft limit `probe`: starts idle threads until
/// the system refuses one, then stops them all.
rlim_t startable_threads(rlim_t probe) {
  const int before = thread_count();
  set_soft_nproc(probe);
  std::mutex m;
  std::condition_variable cv;
  bool stop = false;
  std::vector<std::thread> started;
  try {
    for (rlim_t i = 0; i < probe; ++i)
      started.emplace_back([&] {
        std::unique_lock<std::mutex> lock(m);
        cv.wait(lock, [&] { return stop; });
      });
  } catch (const std::system_error&) {
  }
  {
    const std::lock_guard<std::mutex> lock(m);
    stop = true;
  }
  cv.notify_all();
  for (auto& t : started) t.join();
  if (threads_settling_at(before) != before) fail("probe threads did not go away", 2);
  return started.size();
}

/// The scenario, in the child: exits 0 when every expectation holds.
void run_scenario() {
  alarm(60);  // a hang ends as SIGALRM, which the death test reports
  // A default pool of 2 threads, built before any limit.
  ktl::set_num_threads(2);
  if (ktl::get_num_threads() != 2) fail("set_num_threads(2) did not take", 2);
  if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
    fail("cannot switch to uid 65534", 2);
#if defined(__linux__)
  prctl(PR_SET_DUMPABLE, 1);  // keep /proc/self readable (and LeakSanitizer working)
#endif
  rlimit r{};
  getrlimit(RLIMIT_NPROC, &r);
  if (r.rlim_max != RLIM_INFINITY && r.rlim_max < 256) fail("hard RLIMIT_NPROC below 256", 2);
  // Tasks of uid 65534 now (this process with its pool worker, and any others): the probe limit
  // minus what it could still start.
  const rlim_t probe = 200;
  const rlim_t room = startable_threads(probe);
  if (room == 0 || room >= probe) fail("could not measure the process count of uid 65534", 2);
  const rlim_t in_use = probe - room;
  const int baseline = thread_count();  // this thread, the pool's worker (and a sanitizer's own)

  // 1. ThreadPool(8) needs 7 workers; 3 can start, the 4th cannot.
  set_soft_nproc(in_use + 3);
  try {
    ktl::ThreadPool pool(8);
    fail("ThreadPool(8) did not throw with room for 3 threads", 1);
  } catch (const std::system_error& e) {
    const std::string what = e.what();
    if (what.find("ktl::ThreadPool(8): could not start worker thread") == std::string::npos ||
        what.find(" of 7") == std::string::npos)
      fail("unexpected message: " + what, 1);
    // At least one worker had started (the half-built case); none of them is left running.
    if (what.find("worker thread 1 of") != std::string::npos)
      fail("no worker had started before the failure: " + what, 1);
  }
  // Every worker it had started is gone.
  if (const int n = threads_settling_at(baseline); n != baseline)
    fail("threads left after the failed ThreadPool(8): " + std::to_string(n) + " (expected " +
             std::to_string(baseline) + ")", 1);

  // 2. set_num_threads(6) fails the same way and keeps the default pool of 2, which still works.
  try {
    ktl::set_num_threads(6);
    fail("set_num_threads(6) did not throw", 1);
  } catch (const std::system_error&) {
  }
  if (ktl::get_num_threads() != 2) fail("the default pool changed after a failed set_num_threads", 1);
  std::atomic<int> helper_ran{0};
  ktl::default_thread_pool()->parallel_for(64, [&](ktl::Index, int slot) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (slot == 1) helper_ran = 1;
  });
  if (helper_ran.load() != 1) fail("the default pool's worker no longer runs tasks", 1);
  if (const int n = threads_settling_at(baseline); n != baseline)
    fail("threads left after the failed set_num_threads: " + std::to_string(n), 1);

  // 3. With the limit lifted, pools start again.
  set_soft_nproc(r.rlim_max);
  {
    const ktl::ThreadPool pool(4);
    std::atomic<int> tasks{0};
    pool.parallel_for(100, [&](ktl::Index) { ++tasks; });
    if (tasks.load() != 100) fail("a pool built after the failures does not run its tasks", 1);
  }
#if defined(__SANITIZE_ADDRESS__)
  if (__lsan_do_recoverable_leak_check() != 0) fail("LeakSanitizer found leaks", 1);
#endif
  std::fflush(stderr);
  std::_Exit(0);
}

TEST(ThreadPoolFailure, ThrowsCleanlyWhenThreadsCannotStart) {
  if (geteuid() != 0)
    GTEST_SKIP() << "needs root: RLIMIT_NPROC is made to fail as uid 65534 in a child process; "
                    "as another user the limit would also count the tests ctest runs in parallel";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(run_scenario(), testing::ExitedWithCode(0), "");
}

}  // namespace
