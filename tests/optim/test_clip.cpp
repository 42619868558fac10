// Gradient clipping against naive double computations.
#include <cmath>

#include "support/helpers.h"

using namespace ember;
using namespace ember::optim;
using ember::test::check_bitwise_equal;
using ember::test::check_close;
using ember::test::check_error;
using ember::test::random_tensor;

namespace {

TensorList params_with_grads(uint64_t seed, float scale) {
  TensorList ps;
  const std::vector<Shape> shapes{{3, 4}, {7}, {2, 2, 5}};
  for (size_t i = 0; i < shapes.size(); ++i) {
    Tensor p = zeros(shapes[i]).requires_grad_();
    p.set_grad(random_tensor(shapes[i], seed + i, -scale, scale));
    ps.push_back(p);
  }
  ps.push_back(zeros({4}).requires_grad_());  // no gradient: skipped
  return ps;
}

double naive_norm(const TensorList& ps, double p) {
  double acc = 0;
  for (const auto& t : ps) {
    if (!t.grad().defined()) continue;
    for (float v : t.grad().to_vector()) {
      if (std::isinf(p)) acc = std::max(acc, std::fabs(double(v)));
      else acc += std::pow(std::fabs(double(v)), p);
    }
  }
  return std::isinf(p) ? acc : std::pow(acc, 1 / p);
}

}  // namespace

TEST_CASE("clip_grad_norm_ returns the total norm and scales by max_norm / (norm + 1e-6)") {
  for (double p : {2.0, 1.0, 3.0, kInfNorm}) {
    CAPTURE(p);
    TensorList ps = params_with_grads(1, 2.0f);
    const double expected = naive_norm(ps, p);
    std::vector<Tensor> before;
    for (const auto& t : ps) before.push_back(t.grad().defined() ? t.grad().clone() : Tensor());
    const double total = clip_grad_norm_(ps, 1.0, p);
    CHECK(total == doctest::Approx(expected).epsilon(1e-12));
    const double coef = 1.0 / (expected + 1e-6);
    for (size_t i = 0; i + 1 < ps.size(); ++i) check_close(ps[i].grad(), before[i] * static_cast<float>(coef), 1e-7, 1e-6);
    CHECK(!ps.back().grad().defined());
    CHECK(naive_norm(ps, p) == doctest::Approx(1.0).epsilon(1e-5));
  }
}

TEST_CASE("clip_grad_norm_ leaves small gradients alone") {
  TensorList ps = params_with_grads(5, 0.01f);
  const Tensor g0 = ps[0].grad().clone();
  const double total = clip_grad_norm_(ps, 10.0);
  CHECK(total == doctest::Approx(naive_norm(ps, 2.0)).epsilon(1e-12));
  check_bitwise_equal(ps[0].grad(), g0);
  CHECK(clip_grad_norm_({zeros({2}).requires_grad_()}, 1.0) == 0.0);
}

TEST_CASE("clip_grad_norm_ is deterministic across thread counts on a large gradient") {
  auto run = [](int threads) {
    Tensor p = zeros({1000, 500}).requires_grad_();
    p.set_grad(random_tensor({1000, 500}, 3));
    double total = 0;
    ember::test::with_threads(threads, [&] { total = clip_grad_norm_({p}, 1.0); });
    return std::make_pair(total, p.grad());
  };
  auto [n1, g1] = run(1);
  auto [n2, g2] = run(2);
  CHECK(n1 == n2);
  check_bitwise_equal(g1, g2);
}

TEST_CASE("clip_grad_value_ clamps every element") {
  TensorList ps = params_with_grads(9, 2.0f);
  std::vector<Tensor> before;
  for (size_t i = 0; i + 1 < ps.size(); ++i) before.push_back(ps[i].grad().clone());
  clip_grad_value_(ps, 0.5);
  for (size_t i = 0; i + 1 < ps.size(); ++i) {
    const auto got = ps[i].grad().to_vector(), was = before[i].to_vector();
    for (size_t j = 0; j < got.size(); ++j) CHECK(got[j] == std::clamp(was[j], -0.5f, 0.5f));
  }
}

TEST_CASE("clipping rejects bad arguments") {
  TensorList ps = params_with_grads(1, 1.0f);
  check_error([&] { clip_grad_norm_(ps, 1.0, 0.0); }, {"clip_grad_norm_", "norm_type", "0"});
  check_error([&] { clip_grad_norm_(ps, -1.0); }, {"clip_grad_norm_", "max_norm", "-1"});
  check_error([&] { clip_grad_value_(ps, -0.5); }, {"clip_grad_value_", "-0.5"});
}
