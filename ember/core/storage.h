#pragma once
// Storage: one 64-byte-aligned buffer shared by a tensor and all of its views, from the caching
// allocator (allocator.h).
#include <cstddef>
#include <cstdint>

namespace ember {

class Storage {
 public:
  static constexpr size_t kAlignment = 64;  // a cache line; also what AVX-512 loads want

  // Allocates nbytes of uninitialized memory (a zero-byte storage holds no buffer).
  explicit Storage(size_t nbytes);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }

  // The version counter lives here, so an in-place write through any view is seen by all views.
  // Autograd compares it against the version recorded when a tensor was saved for backward.
  uint64_t version() const { return version_; }
  void bump_version() { ++version_; }

 private:
  void* data_ = nullptr;
  size_t nbytes_ = 0;
  uint64_t version_ = 0;
};

}  // namespace ember
