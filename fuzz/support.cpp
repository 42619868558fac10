#include "support.h"

#include <sanitizer/allocator_interface.h>
#include <sanitizer/common_interface_defs.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace ember::fuzz {

namespace {

// 0 outside a parse. Atomics because the hook runs on every thread's allocations; relaxed is
// enough, nothing else is ordered by them.
std::atomic<size_t> g_bound{0}, g_input_size{0};
// The largest allocation seen inside any parse, and the size of the input it came with; and of
// the allocations above kMinBound, the one largest relative to its input.
std::atomic<size_t> g_largest{0}, g_largest_input{0}, g_steepest{0}, g_steepest_input{1};

void on_malloc(const volatile void*, size_t size) {
  const size_t bound = g_bound.load(std::memory_order_relaxed);
  if (bound == 0) return;
  if (size > g_largest.load(std::memory_order_relaxed)) {
    g_largest.store(size, std::memory_order_relaxed);
    g_largest_input.store(g_input_size.load(std::memory_order_relaxed), std::memory_order_relaxed);
  }
  const size_t input = std::max<size_t>(g_input_size.load(std::memory_order_relaxed), 1);
  if (size > kMinBound && size * g_steepest_input.load(std::memory_order_relaxed) >
                              g_steepest.load(std::memory_order_relaxed) * input) {
    g_steepest.store(size, std::memory_order_relaxed);
    g_steepest_input.store(input, std::memory_order_relaxed);
  }
  if (size > bound) {
    g_bound.store(0);  // reporting allocates too
    std::fprintf(stderr,
                 "==ember-fuzz== FAIL: an allocation of %zu bytes exceeds the bound of %zu bytes for this %zu-byte "
                 "input\n",
                 size, bound, g_input_size.load());
    __sanitizer_print_stack_trace();
    std::abort();
  }
}

void on_free(const volatile void*) {}

// Outcomes by the address of their literal; a fixed table, so counting never allocates.
struct Outcome {
  const char* name = nullptr;
  uint64_t count = 0;
};
Outcome g_outcomes[8];
uint64_t g_inputs = 0;

struct Setup {
  Setup() {
    if (__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free) == 0) {
      std::fprintf(stderr, "==ember-fuzz== FAIL: cannot install the allocation hook (is AddressSanitizer on?)\n");
      std::abort();
    }
  }
  ~Setup() {
    std::fprintf(stderr, "==ember-fuzz== largest allocation inside a parse: %zu bytes (input of %zu bytes)\n",
                 g_largest.load(), g_largest_input.load());
    std::fprintf(stderr, "==ember-fuzz== inputs: %llu", static_cast<unsigned long long>(g_inputs));
    for (const Outcome& o : g_outcomes) {
      if (o.name) std::fprintf(stderr, ", %s: %llu", o.name, static_cast<unsigned long long>(o.count));
    }
    std::fprintf(stderr, "\n");
    if (g_steepest.load() > 0) {
      std::fprintf(stderr,
                   "==ember-fuzz== largest allocation per input byte above %zu bytes: %zu bytes for %zu (%.1f:1)\n",
                   kMinBound, g_steepest.load(), g_steepest_input.load(),
                   static_cast<double>(g_steepest.load()) / static_cast<double>(g_steepest_input.load()));
    }
  }
} g_setup;

}  // namespace

size_t bound_for(size_t input_size, size_t per_byte) { return std::max(kMinBound, per_byte * input_size); }

AllocationBound::AllocationBound(size_t input_size, size_t bound) {
  ++g_inputs;
  g_input_size.store(input_size);
  g_bound.store(bound);
}

AllocationBound::~AllocationBound() { g_bound.store(0); }

void count(const char* outcome) {
  for (Outcome& o : g_outcomes) {
    if (o.name == nullptr) o.name = outcome;
    if (o.name == outcome) {
      ++o.count;
      return;
    }
  }
}

void report(const std::string& problem) {
  g_bound.store(0);
  std::fprintf(stderr, "==ember-fuzz== FAIL: %s\n", problem.c_str());
  std::abort();
}

}  // namespace ember::fuzz
