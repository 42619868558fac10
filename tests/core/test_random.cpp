// The RNG: seeded streams are reproducible and the distributions have the right statistics.
#include <cmath>
#include <set>

#include "support/helpers.h"

using namespace ember;

TEST_CASE("the same seed gives the same stream; the state can be saved and restored") {
  Generator a(42), b(42), c(43);
  for (int i = 0; i < 10; ++i) {
    const uint64_t va = a.next_u64();
    CHECK(va == b.next_u64());
    CHECK(va != c.next_u64());
  }
  const auto state = a.state();
  const float next = a.uniform();
  a.set_state(state);
  CHECK(a.uniform() == next);
  manual_seed(7);
  const Tensor r1 = rand({5});
  manual_seed(7);
  ember::test::check_bitwise_equal(r1, rand({5}));
  ember::test::check_error([&] { a.set_state({0, 0, 0, 0}); }, {"all-zero"});
}

TEST_CASE("the seeded stream is fixed across platforms") {
  // xoshiro256** seeded through splitmix64, and our own float conversions: these values are the
  // reproducibility contract. If they change, every seeded experiment changes with them.
  Generator g(Generator::kDefaultSeed);
  CHECK(g.next_u64() == 17236385663644093300ULL);
  CHECK(g.next_u64() == 16282079530828760347ULL);
  CHECK(g.next_u64() == 15612578460299724346ULL);
  Generator h(1);
  CHECK(h.uniform() == 0.702921808f);
  CHECK(h.normal() == -1.02121282f);
}

TEST_CASE("uniform and normal have the right moments") {
  Generator gen(1);
  const auto u = rand({200000}, &gen).to_vector<double>();
  const auto n = randn({200000}, &gen).to_vector<double>();
  auto moments = [](const std::vector<double>& v) {
    double mean = 0, var = 0;
    for (double x : v) mean += x;
    mean /= static_cast<double>(v.size());
    for (double x : v) var += (x - mean) * (x - mean);
    return std::pair{mean, var / static_cast<double>(v.size())};
  };
  auto [um, uv] = moments(u);
  CHECK(um == doctest::Approx(0.5).epsilon(0.01));
  CHECK(uv == doctest::Approx(1.0 / 12).epsilon(0.02));
  for (double x : u) REQUIRE((x >= 0.0 && x < 1.0));
  auto [nm, nv] = moments(n);
  CHECK(std::abs(nm) < 0.01);
  CHECK(nv == doctest::Approx(1.0).epsilon(0.02));
  const Tensor w = uniform({1000}, -2.0f, 3.0f, &gen);
  for (float x : w.to_vector()) REQUIRE((x >= -2.0f && x < 3.0f));
}

TEST_CASE("randint, randperm and below cover their ranges without bias") {
  Generator gen(3);
  const auto v = randint(-3, 4, {70000}, &gen).to_vector<int64_t>();
  std::vector<int> counts(7, 0);
  for (int64_t x : v) {
    REQUIRE((x >= -3 && x < 4));
    ++counts[x + 3];
  }
  for (int c : counts) CHECK(std::abs(c - 10000) < 500);
  const auto p = randperm(1000, &gen).to_vector<int64_t>();
  CHECK(std::set<int64_t>(p.begin(), p.end()).size() == 1000);
  CHECK(p != arange(1000, DType::i64).to_vector<int64_t>());
  ember::test::check_error([&] { (void)randint(3, 3, {1}, &gen); }, {"randint", "low < high"});
  ember::test::check_error([&] { (void)uniform({1}, 2.0f, 1.0f, &gen); }, {"uniform"});
}
