// Counts heap allocations, for the tests of "allocates nothing" (counting_allocator.cpp replaces
// the global allocation functions of this test executable).
#pragma once

namespace ktl::test {

/// Counts the heap allocations every thread of the process makes while it is alive: calls of any
/// global operator new and, where allocations_include_malloc() is true, of malloc, calloc,
/// realloc, aligned_alloc, posix_memalign and memalign (Eigen's tensors and ktl::Workspace
/// allocate through those). One counter at a time.
class AllocationCounter {
 public:
  AllocationCounter();
  ~AllocationCounter();
  AllocationCounter(const AllocationCounter&) = delete;
  AllocationCounter& operator=(const AllocationCounter&) = delete;
  /// Allocations so far.
  long count() const;
};

/// True where malloc and its relatives are counted too: glibc outside sanitizer builds (the
/// sanitizers own malloc there); elsewhere only operator new is.
bool allocations_include_malloc();

}  // namespace ktl::test
