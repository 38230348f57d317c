// Reusable scratch memory for layer calls: a hot loop that passes the same Workspace to every
// call allocates nothing after the first one.
#pragma once

#include <cstddef>
#include <cstdlib>
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
  /// request. Grows (losing the contents) when too small; never shrinks.
  template <typename S>
  S* request(Index count) {
    const std::size_t bytes = round_up(static_cast<std::size_t>(count > 0 ? count : 1) * sizeof(S));
    if (bytes > capacity_) {
      buffer_.reset();
      void* p = std::aligned_alloc(alignment, bytes);
      if (!p) throw std::bad_alloc();
      buffer_.reset(static_cast<unsigned char*>(p));
      capacity_ = bytes;
    }
    return reinterpret_cast<S*>(buffer_.get());
  }

  /// Bytes currently held.
  std::size_t capacity() const noexcept { return capacity_; }

  static constexpr std::size_t alignment = 64;

 private:
  static std::size_t round_up(std::size_t bytes) { return (bytes + alignment - 1) / alignment * alignment; }
  struct Free {
    void operator()(unsigned char* p) const noexcept { std::free(p); }
  };
  std::unique_ptr<unsigned char, Free> buffer_;
  std::size_t capacity_ = 0;
};

}  // namespace ktl
