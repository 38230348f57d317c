// Threads: the pool that layers run on, the process-wide default pool (sized to the hardware,
// resizable like torch.set_num_threads), and parallel_for over a fixed list of tasks.
// Work is always split into the same tasks whatever the number of threads, and every task writes
// its own outputs, so results are bit-identical for 1 and N threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <ktl/core/tensor.hpp>
#include <ktl/core/error.hpp>

namespace ktl {
namespace detail {

/// The thread environment of ktl's Eigen pools. Eigen's pool starts its workers one by one in
/// its constructor, and when the system cannot start one, the exception leaves the workers
/// already running with nobody to stop them (their join hangs). So every worker thread is
/// started first, parked until Eigen hands it its loop, and only then is the pool built: thread
/// creation fails before any Eigen worker runs, and the parked threads just exit.
class PoolEnvironment {
 public:
  /// What Eigen's pool queues: a task (Eigen's own choice of type).
  struct Task {
    std::function<void()> f;
  };

  /// A started thread that waits for its function: start(f) runs f on it; destroying it
  /// without start() lets the thread exit. Either way the destructor joins it.
  class EnvThread {
   public:
    /// Throws std::system_error when the thread cannot be started.
    EnvThread() : thread_([this] { wait_and_run(); }) {}
    EnvThread(const EnvThread&) = delete;
    EnvThread& operator=(const EnvThread&) = delete;
    ~EnvThread() {
      {
        const std::lock_guard<std::mutex> lock(mutex_);
        released_ = true;
      }
      wake_.notify_one();
      thread_.join();
    }
    /// Runs f on this thread (once).
    void start(std::function<void()> f) {
      {
        const std::lock_guard<std::mutex> lock(mutex_);
        work_ = std::move(f);
        released_ = true;
      }
      wake_.notify_one();
    }
    /// Called by Eigen when its pool is cancelled; the worker loop itself stops.
    void OnCancel() {}

   private:
    void wait_and_run() {
      std::function<void()> f;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [this] { return released_; });
        f = std::move(work_);
      }
      if (f) f();
    }
    std::mutex mutex_;
    std::condition_variable wake_;
    std::function<void()> work_;
    bool released_ = false;
    std::thread thread_;  // last: it starts once the members above exist
  };

  /// Hands out the threads of `parked` in order; Eigen calls CreateThread once per worker.
  explicit PoolEnvironment(std::unique_ptr<EnvThread>* parked = nullptr) : parked_(parked) {}
  EnvThread* CreateThread(std::function<void()> f) {
    EnvThread* t = (parked_++)->release();
    t->start(std::move(f));
    return t;
  }
  Task CreateTask(std::function<void()> f) { return Task{std::move(f)}; }
  void ExecuteTask(const Task& t) { t.f(); }

 private:
  std::unique_ptr<EnvThread>* parked_;
};

}  // namespace detail

/// A set of worker threads that ktl layers run on. num_threads() counts the calling thread,
/// which always takes part: ThreadPool(1) starts no worker and runs everything inline.
class ThreadPool {
 public:
  /// Throws invalid_options when num_threads < 1, and std::system_error (with the system's
  /// error code) when the system cannot start num_threads - 1 threads; then every thread
  /// already started has been stopped and joined.
  explicit ThreadPool(int num_threads) : num_threads_(num_threads) {
    if (num_threads < 1)
      detail::raise_argument("ThreadPool", "num_threads", num_threads, "must be >= 1");
    if (num_threads == 1) return;
    const auto workers = static_cast<std::size_t>(num_threads - 1);
    std::vector<std::unique_ptr<detail::PoolEnvironment::EnvThread>> parked(workers);
    for (std::size_t i = 0; i < workers; ++i) {
      try {
        parked[i] = std::make_unique<detail::PoolEnvironment::EnvThread>();
      } catch (const std::system_error& e) {
        throw std::system_error(e.code(), "ktl::ThreadPool(" + std::to_string(num_threads) +
                                              "): could not start worker thread " +
                                              std::to_string(i + 1) + " of " +
                                              std::to_string(workers));
      }
    }
    // From here nothing can fail once a worker runs: Eigen allocates its queues first, and a
    // failure there leaves `parked` to stop the threads.
    pool_ = std::make_unique<Pool>(num_threads - 1, detail::PoolEnvironment(parked.data()));
  }

  /// Not copyable or movable: a moved-from pool would keep num_threads() but lose its workers.
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  /// Threads that run tasks, the calling thread included (the constructor's argument).
  int num_threads() const noexcept { return num_threads_; }

  /// Calls task(i) once for every i in [0, num_tasks), spread over the threads; returns when all
  /// are done. Tasks must write disjoint outputs. The task may also take a second argument, the
  /// worker slot in [0, num_threads()) of the thread running it, to index per-thread scratch
  /// memory (two tasks with the same slot never run at the same time). A parallel_for started
  /// from inside a task runs inline on the same slot (no nested parallelism, no deadlock), or on
  /// slot 0 when that slot is not below this pool's num_threads() (a task of a larger pool).
  /// If a task throws, tasks not yet started are skipped and the first exception is rethrown
  /// here after every thread has stopped. Several threads may call parallel_for on one pool at
  /// the same time (each call has its own task counter).
  template <typename Task>
  void parallel_for(Index num_tasks, const Task& task) const {
    if (num_tasks <= 0) return;
    auto run = [&](Index i, int slot) {
      if constexpr (std::is_invocable_v<const Task&, Index, int>)
        task(i, slot);
      else
        task(i);
    };
    const Index helpers = std::min<Index>(num_threads_ - 1, num_tasks - 1);
    if (helpers <= 0 || current_slot() >= 0) {
      // Nested inside a task: keep that task's slot, unless it came from a larger pool and is
      // out of this pool's range [0, num_threads()) (its scratch has no such slot).
      const int outer = current_slot();
      const int slot = outer >= 0 && outer < num_threads_ ? outer : 0;
      for (Index i = 0; i < num_tasks; ++i) run(i, slot);
      return;
    }
    // A task that throws stops the remaining tasks from starting; the first exception is
    // rethrown on the calling thread once every helper has left (the helpers reference this
    // frame, so it must not unwind earlier, and an exception escaping a worker would terminate).
    std::atomic<Index> next{0};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto drain = [&](int slot) noexcept {
      current_slot() = slot;
      try {
        for (Index i = next.fetch_add(1); i < num_tasks; i = next.fetch_add(1)) run(i, slot);
      } catch (...) {
        next.store(num_tasks);
        const std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
      }
      current_slot() = -1;
    };
    // Each helper takes the next slot. The closure handed to the pool holds one pointer, so
    // that std::function keeps it in its own small buffer: scheduling allocates nothing.
    Eigen::Barrier done(static_cast<unsigned int>(helpers));
    std::atomic<int> next_slot{1};
    auto helper = [&] {
      drain(next_slot.fetch_add(1));
      done.Notify();
    };
    const auto closure = [h = &helper] { (*h)(); };
    static_assert(sizeof(closure) == sizeof(void*) && std::is_trivially_copyable_v<decltype(closure)>,
                  "ktl::ThreadPool::parallel_for: the scheduled closure must hold one pointer");
    for (Index h = 0; h < helpers; ++h) pool_->Schedule(closure);
    drain(0);
    done.Wait();
    if (error) std::rethrow_exception(error);
  }

 private:
  using Pool = Eigen::ThreadPoolTempl<detail::PoolEnvironment>;
  /// Slot of the task running on this thread, -1 outside parallel_for.
  static int& current_slot() {
    thread_local int slot = -1;
    return slot;
  }
  int num_threads_;
  std::unique_ptr<Pool> pool_;
};

namespace detail {
inline std::mutex& default_pool_mutex() {
  static std::mutex m;
  return m;
}
inline std::shared_ptr<const ThreadPool>& default_pool_slot() {
  static std::shared_ptr<const ThreadPool> pool = std::make_shared<const ThreadPool>(
      static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  return pool;
}
}  // namespace detail

/// The process-wide pool used by layer calls that are not given one. Holding the returned
/// pointer keeps that pool alive even if set_num_threads replaces it meanwhile.
inline std::shared_ptr<const ThreadPool> default_thread_pool() {
  std::lock_guard<std::mutex> lock(detail::default_pool_mutex());
  return detail::default_pool_slot();
}

/// Replaces the default pool by one with n threads (n >= 1; the calling thread counts).
/// Calls already running finish on the old pool. Throws what ThreadPool(n) throws, and then
/// leaves the default pool as it was.
inline void set_num_threads(int n) {
  auto pool = std::make_shared<const ThreadPool>(n);
  std::lock_guard<std::mutex> lock(detail::default_pool_mutex());
  detail::default_pool_slot() = std::move(pool);
}

/// Number of threads of the default pool.
inline int get_num_threads() { return default_thread_pool()->num_threads(); }

}  // namespace ktl
