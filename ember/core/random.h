#pragma once
// Reproducible random numbers: our own generator and distributions, so a seed gives the same
// values on every platform and standard library (std:: distributions are implementation-defined).
#include <array>
#include <cstdint>

#include "ember/core/tensor.h"

namespace ember {

// xoshiro256** seeded through splitmix64. Not thread-safe: one generator per thread of use.
class Generator {
 public:
  static constexpr uint64_t kDefaultSeed = 0x5eed;
  explicit Generator(uint64_t seed = kDefaultSeed) { manual_seed(seed); }

  void manual_seed(uint64_t seed);
  uint64_t initial_seed() const { return seed_; }

  // Inline: dropout and rand draw one value per element, and an out-of-line call per draw
  // (the library is position-independent) costs several times the arithmetic.
  uint64_t next_u64() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }
  float uniform() { return static_cast<float>(next_u64() >> 40) * 0x1.0p-24f; }  // [0, 1), 24 random bits
  float normal();   // standard normal, Box-Muller
  // Uniform integer in [0, n), without modulo bias.
  uint64_t below(uint64_t n);

  // The full state, so checkpoints can resume the exact stream.
  std::array<uint64_t, 4> state() const { return state_; }
  void set_state(const std::array<uint64_t, 4>& state);

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t seed_ = kDefaultSeed;
  std::array<uint64_t, 4> state_{};
};

// The generator used when none is passed. Seed it once at the start of a run.
Generator& default_generator();
void manual_seed(uint64_t seed);

// Tensors of random values, drawn from `gen` (or the default generator) in row-major order.
Tensor rand(const Shape& shape, Generator* gen = nullptr);   // uniform [0, 1)
Tensor randn(const Shape& shape, Generator* gen = nullptr);  // standard normal
Tensor uniform(const Shape& shape, float low, float high, Generator* gen = nullptr);
Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator* gen = nullptr);  // int64 in [low, high)
Tensor randperm(int64_t n, Generator* gen = nullptr);  // int64 permutation of 0..n-1

}  // namespace ember
