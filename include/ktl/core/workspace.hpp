// Reusable scratch memory for layer calls: a hot loop that passes the same Workspace to every
// call allocates nothing after the first one.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <limits>
#include <memory>
#include <new>

#include <ktl/core/tensor.hpp>

namespace ktl {

/// A growable, 64-byte aligned scratch buffer. Not thread-safe: give each calling thread its own.
/// Layers split what they request into per-thread slots themselves.
class Workspace {
 public:
  Workspace() = default;

  /// Pointer to at least `count` values of type S, 64-byte aligned, valid until the next
  /// request. Grows (losing the contents) when too small; never shrinks. Throws std::bad_alloc
  /// when the memory cannot be had (or count * sizeof(S) overflows).
  template <typename S>
  S* request(Index count) {
    const auto n = static_cast<std::size_t>(count > 0 ? count : 1);
    if (n > (std::numeric_limits<std::size_t>::max() - alignment) / sizeof(S)) throw std::bad_alloc();
    const std::size_t bytes = round_up(n * sizeof(S));
    if (bytes > capacity_ || !buffer_) {
      // Free first (the contents are lost anyway) so peak memory is not old + new; on failure
      // the workspace is left empty and consistent.
      buffer_.reset();
      capacity_ = 0;
      void* p = std::aligned_alloc(alignment, bytes);
      if (!p) throw std::bad_alloc();
      buffer_.reset(static_cast<unsigned char*>(p));
      capacity_ = bytes;
    }
    return reinterpret_cast<S*>(buffer_.get());
  }

  /// Bytes currently held.
  std::size_t capacity() const noexcept { return capacity_; }

  /// Alignment in bytes of every pointer request() returns (a cache line; AVX-512 loads).
  static constexpr std::size_t alignment = 64;

  /// `bytes` rounded up to a multiple of `alignment`: the size of one part of a request that
  /// keeps the part after it aligned. For std::size_t or Index byte counts (>= 0).
  template <typename I>
  static constexpr I round_up(I bytes) {
    constexpr auto a = static_cast<I>(alignment);
    return (bytes + a - 1) / a * a;
  }

 private:
  struct Free {
    void operator()(unsigned char* p) const noexcept { std::free(p); }
  };
  std::unique_ptr<unsigned char, Free> buffer_;
  std::size_t capacity_ = 0;
};

}  // namespace ktl
