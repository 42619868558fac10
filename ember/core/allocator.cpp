#include "ember/core/allocator.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "ember/core/error.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define EMBER_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define EMBER_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define EMBER_POISON(p, n) ((void)(p), (void)(n))
#define EMBER_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace ember {

namespace {

constexpr size_t kAlignment = 64;

int64_t cache_limit_bytes() {
  const char* env = std::getenv("EMBER_CACHE_LIMIT_MB");
  const long long mb = env ? std::atoll(env) : 2048;
  return std::max(0LL, mb) * (int64_t{1} << 20);
}

struct Cache {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void*>> free_blocks;  // size class -> blocks
  AllocatorStats stats;
  const int64_t limit = cache_limit_bytes();
};

Cache& cache() {
  // Never destroyed: storages owned by static objects may be freed after main returns.
  static Cache* c = new Cache;
  return *c;
}

}  // namespace

namespace allocator_detail {

size_t size_class(size_t nbytes) {
  if (nbytes <= 1024) return (std::max<size_t>(nbytes, 1) + kAlignment - 1) / kAlignment * kAlignment;
  // 8 classes between consecutive powers of two.
  const size_t step = std::bit_floor(nbytes - 1) / 8;
  return (nbytes + step - 1) / step * step;
}

void* allocate(size_t nbytes) {
  const size_t bytes = size_class(nbytes);
  Cache& c = cache();
  {
    std::lock_guard lock(c.mutex);
    auto it = c.free_blocks.find(bytes);
    if (it != c.free_blocks.end() && !it->second.empty()) {
      void* block = it->second.back();
      it->second.pop_back();
      c.stats.bytes_cached -= static_cast<int64_t>(bytes);
      ++c.stats.cache_hits;
      c.stats.bytes_in_use += static_cast<int64_t>(bytes);
      c.stats.peak_bytes_in_use = std::max(c.stats.peak_bytes_in_use, c.stats.bytes_in_use);
      EMBER_UNPOISON(block, bytes);
      return block;
    }
  }
  void* block = std::aligned_alloc(kAlignment, bytes);
  if (!block) {
    empty_cache();  // the cache may hold what the system is missing
    block = std::aligned_alloc(kAlignment, bytes);
  }
  EMBER_CHECK(block != nullptr, "storage: could not allocate {} bytes", nbytes);
  std::lock_guard lock(c.mutex);
  ++c.stats.system_allocations;
  c.stats.bytes_in_use += static_cast<int64_t>(bytes);
  c.stats.peak_bytes_in_use = std::max(c.stats.peak_bytes_in_use, c.stats.bytes_in_use);
  return block;
}

void deallocate(void* block, size_t nbytes) {
  const size_t bytes = size_class(nbytes);
  Cache& c = cache();
  {
    std::lock_guard lock(c.mutex);
    c.stats.bytes_in_use -= static_cast<int64_t>(bytes);
    if (c.stats.bytes_cached + static_cast<int64_t>(bytes) <= c.limit) {
      c.free_blocks[bytes].push_back(block);
      c.stats.bytes_cached += static_cast<int64_t>(bytes);
      EMBER_POISON(block, bytes);
      return;
    }
    ++c.stats.system_frees;
  }
  std::free(block);
}

}  // namespace allocator_detail

AllocatorStats allocator_stats() {
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  return c.stats;
}

void empty_cache() {
  Cache& c = cache();
  std::unordered_map<size_t, std::vector<void*>> blocks;
  {
    std::lock_guard lock(c.mutex);
    blocks.swap(c.free_blocks);
    for (const auto& [bytes, list] : blocks) c.stats.system_frees += static_cast<int64_t>(list.size());
    c.stats.bytes_cached = 0;
  }
  for (const auto& [bytes, list] : blocks) {
    for (void* block : list) {
      EMBER_UNPOISON(block, bytes);
      std::free(block);
    }
  }
}

}  // namespace ember
