#include "ember/core/random.h"

#include <cmath>
#include <numbers>

namespace ember {

namespace {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Generator& pick(Generator* gen) { return gen ? *gen : default_generator(); }

}  // namespace

void Generator::manual_seed(uint64_t seed) {
  seed_ = seed;
  uint64_t x = seed;
  for (auto& s : state_) s = splitmix64(x);
}

void Generator::set_state(const std::array<uint64_t, 4>& state) {
  EMBER_CHECK(state[0] | state[1] | state[2] | state[3], "generator: the all-zero state is invalid for xoshiro256**");
  state_ = state;
}

float Generator::normal() {
  // Box-Muller on (0, 1] x [0, 1) in double, so log never sees 0.
  const double u1 = (static_cast<double>(next_u64() >> 11) + 1.0) * 0x1.0p-53;
  const double u2 = static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2));
}

uint64_t Generator::below(uint64_t n) {
  EMBER_CHECK(n > 0, "generator: below(n) needs n > 0");
  // Rejection sampling: drop the top partial block of values so every residue is equally likely.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do {
    x = next_u64();
  } while (x >= limit);
  return x % n;
}

Generator& default_generator() {
  static Generator gen;
  return gen;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

Tensor rand(const Shape& shape, Generator* gen) {
  Tensor t = empty(shape);
  float* p = t.data<float>();
  Generator& g = pick(gen);
  for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = g.uniform();
  return t;
}

Tensor randn(const Shape& shape, Generator* gen) {
  Tensor t = empty(shape);
  float* p = t.data<float>();
  Generator& g = pick(gen);
  for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = g.normal();
  return t;
}

Tensor uniform(const Shape& shape, float low, float high, Generator* gen) {
  EMBER_CHECK(low <= high && std::isfinite(low) && std::isfinite(high),
              "uniform: need finite low <= high, got low {} high {}", low, high);
  Tensor t = empty(shape);
  float* p = t.data<float>();
  Generator& g = pick(gen);
  for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = low + (high - low) * g.uniform();
  return t;
}

Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator* gen) {
  EMBER_CHECK(low < high, "randint: need low < high, got [{}, {})", low, high);
  Tensor t = empty(shape, DType::i64);
  int64_t* p = t.data<int64_t>();
  Generator& g = pick(gen);
  const uint64_t span = static_cast<uint64_t>(high - low);
  for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = low + static_cast<int64_t>(g.below(span));
  return t;
}

Tensor randperm(int64_t n, Generator* gen) {
  EMBER_CHECK(n >= 0, "randperm: n must be non-negative, got {}", n);
  Tensor t = arange(n, DType::i64);
  int64_t* p = t.data<int64_t>();
  Generator& g = pick(gen);
  // Fisher-Yates from the back.
  for (int64_t i = n - 1; i > 0; --i) std::swap(p[i], p[g.below(static_cast<uint64_t>(i) + 1)]);
  return t;
}

}  // namespace ember
