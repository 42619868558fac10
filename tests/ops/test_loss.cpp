// Losses: against naive formulas, gradcheck, stability, bad input.
#include <cmath>

#include "support/helpers.h"

using namespace ember;
using ember::test::check_close;
using ember::test::check_error;
using ember::test::check_gradcheck;
using ember::test::random_leaf;
using ember::test::random_tensor;

namespace {

// Per-sample smoothed cross-entropy in double from the definition.
std::vector<double> naive_cross_entropy(const Tensor& logits, const std::vector<int64_t>& t, double smoothing) {
  const int64_t n = logits.size(0), c = logits.size(1);
  std::vector<double> out;
  for (int64_t i = 0; i < n; ++i) {
    double max = -INFINITY;
    for (int64_t j = 0; j < c; ++j) max = std::max(max, static_cast<double>(logits.at({i, j})));
    double total = 0;
    for (int64_t j = 0; j < c; ++j) total += std::exp(logits.at({i, j}) - max);
    const double lse = max + std::log(total);
    double loss = -(1 - smoothing) * (logits.at({i, t[i]}) - lse);
    for (int64_t j = 0; j < c; ++j) loss -= smoothing / static_cast<double>(c) * (logits.at({i, j}) - lse);
    out.push_back(loss);
  }
  return out;
}

}  // namespace

TEST_CASE("cross_entropy matches the definition for every reduction and smoothing") {
  const Tensor logits = random_tensor({6, 5}, 1, -3.0f, 3.0f);
  const std::vector<int64_t> t{0, 4, 2, 2, 1, 3};
  const Tensor targets = from_vector(t, {6});
  for (double s : {0.0, 0.1, 1.0}) {
    const auto per = naive_cross_entropy(logits, t, s);
    double total = 0;
    for (double v : per) total += v;
    check_close(cross_entropy(logits, targets, Reduction::none, static_cast<float>(s)),
                from_vector(std::vector<float>(per.begin(), per.end()), {6}));
    CHECK(cross_entropy(logits, targets, Reduction::sum, static_cast<float>(s)).item() ==
          doctest::Approx(total).epsilon(1e-5));
    CHECK(cross_entropy(logits, targets, Reduction::mean, static_cast<float>(s)).item() ==
          doctest::Approx(total / 6).epsilon(1e-5));
  }
  // Fused equals composed: nll_loss(log_softmax(x)).
  check_close(cross_entropy(logits, targets), nll_loss(log_softmax(logits, 1), targets));
}

TEST_CASE("cross_entropy is stable for huge logits") {
  const Tensor logits = tensor({{1e4f, 0.0f, -1e4f}, {-1e30f, 1e30f, 0.0f}});
  const Tensor targets = labels({0, 0});
  const Tensor losses = cross_entropy(logits, targets, Reduction::none);
  CHECK(losses.at({0}) == doctest::Approx(0.0));
  CHECK(losses.at({1}) == doctest::Approx(2e30).epsilon(1e-5));
  Tensor x = logits.clone().requires_grad_();
  cross_entropy(x, targets).backward();
  for (float g : x.grad().to_vector()) CHECK(std::isfinite(g));
}

TEST_CASE("loss gradients") {
  const Tensor targets = labels({1, 0, 3, 3});
  for (float s : {0.0f, 0.2f}) {
    for (Reduction r : {Reduction::mean, Reduction::sum, Reduction::none}) {
      check_gradcheck([&](const TensorList& x) { return cross_entropy(x[0], targets, r, s); }, {random_leaf({4, 5}, 1)});
    }
  }
  check_gradcheck([&](const TensorList& x) { return nll_loss(x[0], targets); }, {random_leaf({4, 5}, 2)});
  check_gradcheck([&](const TensorList& x) { return nll_loss(x[0], targets, Reduction::none); }, {random_leaf({4, 5}, 2)});
  for (Reduction r : {Reduction::mean, Reduction::sum, Reduction::none}) {
    check_gradcheck([&](const TensorList& x) { return mse_loss(x[0], x[1], r); },
                    {random_leaf({3, 4}, 3), random_leaf({3, 4}, 4)});
  }
}

TEST_CASE("nll_loss and mse_loss against naive formulas") {
  const Tensor logp = random_tensor({3, 4}, 5, -3.0f, 0.0f);
  const Tensor targets = labels({3, 0, 1});
  CHECK(nll_loss(logp, targets).item() ==
        doctest::Approx(-(logp.at({0, 3}) + logp.at({1, 0}) + logp.at({2, 1})) / 3.0).epsilon(1e-6));
  const Tensor a = random_tensor({2, 3}, 6), b = random_tensor({2, 3}, 7);
  double sq = 0;
  const auto av = a.to_vector<double>(), bv = b.to_vector<double>();
  for (size_t i = 0; i < av.size(); ++i) sq += (av[i] - bv[i]) * (av[i] - bv[i]);
  CHECK(mse_loss(a, b).item() == doctest::Approx(sq / 6).epsilon(1e-6));
  CHECK(mse_loss(a, b, Reduction::sum).item() == doctest::Approx(sq).epsilon(1e-6));
  CHECK(mse_loss(a, b, Reduction::none).shape() == Shape{2, 3});
}

TEST_CASE("losses reject bad input") {
  const Tensor logits = ones({2, 3});
  check_error([&] { (void)cross_entropy(logits, labels({0, 3})); }, {"cross_entropy", "target 3", "position 1", "3 classes"});
  check_error([&] { (void)cross_entropy(logits, labels({0, -1})); }, {"cross_entropy", "target -1"});
  check_error([&] { (void)cross_entropy(logits, tensor({0, 1})); }, {"cross_entropy", "int64", "float32"});
  check_error([&] { (void)cross_entropy(logits, labels({0})); }, {"cross_entropy", "[N] = [2]", "[1]"});
  check_error([&] { (void)cross_entropy(ones({2, 3, 4}), labels({0, 1})); }, {"cross_entropy", "[N, C]", "[2, 3, 4]"});
  check_error([&] { (void)cross_entropy(logits, labels({0, 1}), Reduction::mean, 1.5f); }, {"label_smoothing", "1.5"});
  check_error([&] { (void)cross_entropy(ones({0, 3}), from_vector(std::vector<int64_t>{}, {0})); }, {"empty"});
  check_error([&] { (void)nll_loss(logits, labels({5, 0})); }, {"nll_loss", "target 5"});
  check_error([&] { (void)mse_loss(ones({2, 3}), ones({3})); }, {"mse_loss", "[2, 3]", "[3]"});
  check_error([&] { (void)mse_loss(labels({1}), ones({1})); }, {"mse_loss", "int64"});
}
