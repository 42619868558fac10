#pragma once
// The caching allocator behind every tensor's storage.
//
// A training step allocates the same buffers in the same sizes every time: activations, saved
// tensors, gradients, optimizer temporaries. Returning them to the system and asking again costs
// page faults on every fresh page (glibc hands big blocks back to the kernel with munmap), so
// freed blocks are kept in per-size-class free lists and handed out again. After the first step
// (warm-up) a step allocates nothing from the system: tests/core/test_allocator.cpp counts it.
//
// Size classes: multiples of 64 bytes up to 1 KiB, then 8 classes per power of two (at most
// 12.5% slack). The cache is bounded (EMBER_CACHE_LIMIT_MB, default 2048): a block freed while
// the cache is full goes back to the system. empty_cache() releases everything cached.
// Under AddressSanitizer cached blocks are poisoned, so a use after free is still reported.
#include <cstddef>
#include <cstdint>

namespace ember {

struct AllocatorStats {
  int64_t system_allocations = 0;  // blocks obtained from the system (aligned_alloc)
  int64_t system_frees = 0;        // blocks returned to it
  int64_t cache_hits = 0;          // allocations served from the cache
  int64_t bytes_in_use = 0;        // held by live storages (size-class bytes)
  int64_t peak_bytes_in_use = 0;
  int64_t bytes_cached = 0;        // free blocks kept for reuse
};

AllocatorStats allocator_stats();
// Returns every cached block to the system.
void empty_cache();

namespace allocator_detail {
// The size class a request of `nbytes` is served from.
size_t size_class(size_t nbytes);
// A 64-byte-aligned block of size_class(nbytes) bytes; nbytes > 0.
void* allocate(size_t nbytes);
// Gives back a block from allocate(nbytes).
void deallocate(void* block, size_t nbytes);
}  // namespace allocator_detail

}  // namespace ember
