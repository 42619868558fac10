// The caching allocator: freed storages are reused, and a training step after warm-up gets no
// tensor storage from the system. glibc's heap may still grow by an arena increment when a TBB
// worker first runs a kernel whose small per-thread temporaries it had not needed during warm-up
// (which thread runs which task is up to TBB); that is bounded here, and it is not per step.
#include <malloc.h>

#include "support/helpers.h"

using namespace ember;

namespace {

// Bytes glibc's malloc holds from the system: the heap (brk) arenas plus mmap'ed chunks.
size_t malloc_system_bytes() {
  const struct mallinfo2 info = mallinfo2();
  return info.arena + info.hblkhd;
}

void train_steps(nn::Module& model, optim::Optimizer& optimizer, const Tensor& images, const Tensor& labels,
                 int steps) {
  for (int i = 0; i < steps; ++i) {
    optimizer.zero_grad();
    cross_entropy(model(images), labels).backward();
    optimizer.step();
  }
}

}  // namespace

TEST_CASE("size classes cover the request with at most 12.5% slack, in 64-byte multiples") {
  for (size_t n : {size_t{1}, size_t{63}, size_t{64}, size_t{65}, size_t{1000}, size_t{1025}, size_t{4097},
                   size_t{123457}, size_t{1} << 24, (size_t{1} << 24) + 1}) {
    const size_t c = allocator_detail::size_class(n);
    CHECK(c >= n);
    CHECK(c % 64 == 0);
    if (n > 1024) CHECK(c <= n + n / 8);
  }
}

TEST_CASE("a freed storage is handed out again instead of asking the system") {
  { Tensor warm = empty({1000, 37}); }
  const AllocatorStats before = allocator_stats();
  for (int i = 0; i < 10; ++i) {
    Tensor t = empty({1000, 37});
    t.fill_(1.0f);
  }
  const AllocatorStats after = allocator_stats();
  CHECK(after.system_allocations == before.system_allocations);
  CHECK(after.cache_hits >= before.cache_hits + 10);
}

TEST_CASE("empty_cache returns the cached blocks to the system") {
  { Tensor t = empty({4096}); }
  CHECK(allocator_stats().bytes_cached > 0);
  const int64_t frees = allocator_stats().system_frees;
  empty_cache();
  CHECK(allocator_stats().bytes_cached == 0);
  CHECK(allocator_stats().system_frees > frees);
}

TEST_CASE("a training step after warm-up allocates nothing from the system") {
  for (const std::string name : {"lenet5", "mobilenet"}) {
    CAPTURE(name);
    manual_seed(1);
    models::ModelConfig config;
    const bool cifar = name == "mobilenet";
    config.in_channels = cifar ? 3 : 1;
    config.input_size = cifar ? 32 : 28;
    auto model = models::make_model(name, config);
    model->train();
    optim::SGD sgd(model->parameters(), optim::SGDOptions(0.01).momentum(0.9).weight_decay(1e-4));
    Generator gen(7);
    const Tensor images = rand({8, config.in_channels, config.input_size, config.input_size}, &gen);
    const Tensor labels = randint(0, 10, {8}, &gen);
    train_steps(*model, sgd, images, labels, 3);  // warm-up: buffers, optimizer state, scratch
    const AllocatorStats before = allocator_stats();
    const size_t malloc_before = malloc_system_bytes();
    train_steps(*model, sgd, images, labels, 20);
    const AllocatorStats after = allocator_stats();
    CHECK(after.system_allocations == before.system_allocations);
    CHECK(after.system_frees == before.system_frees);
    CHECK(after.cache_hits > before.cache_hits);
    CHECK(after.bytes_in_use == before.bytes_in_use);
    // glibc's heap may grow by a few 128 KiB increments (its default M_TOP_PAD) when a TBB worker
    // first runs a kernel whose small temporaries it had not needed during the warm-up (seen: up to
    // 324 KiB on a loaded machine, once); growth per step would be 20 times that.
    CHECK(malloc_system_bytes() <= malloc_before + 4 * (size_t{132} << 10));
  }
}
