// NaN and Inf inputs behave as in PyTorch 1.13: no error, NaN propagates where torch propagates
// it, and the few places torch turns a non-finite value into a finite one (relu(-inf) = 0,
// sigmoid(inf) = 1, clamp) do the same. Expected values are torch's, printed with
//   /usr/bin/python3 -c 'import torch; print(torch.relu(torch.tensor([nan, -1., 2., inf, -inf])))'
// and the like (the command for each block is in its comment). Anomaly mode, which turns these
// into errors on request, is tested in tests/autograd/test_anomaly.cpp.
#include <cmath>
#include <limits>

#include "support/helpers.h"

using namespace ember;
using ember::test::check_close;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// x = [nan, -1, 2, inf, -inf], the input of every elementwise row below.
Tensor specials() { return tensor({kNaN, -1.0f, 2.0f, kInf, -kInf}); }

void check_values(const Tensor& actual, const std::vector<float>& expected, double atol = 1e-4) {
  check_close(actual.reshape({-1}), from_vector(expected, {static_cast<int64_t>(expected.size())}), atol, 1e-4);
}

}  // namespace

TEST_CASE("elementwise ops and activations on NaN and +-Inf") {
  // torch.<op>(torch.tensor([nan, -1., 2., inf, -inf]))
  const Tensor x = specials();
  check_values(relu(x), {kNaN, 0, 2, kInf, 0});
  check_values(leaky_relu(x), {kNaN, -0.01f, 2, kInf, -kInf});
  check_values(sigmoid(x), {kNaN, 0.2689f, 0.8808f, 1, 0});
  check_values(ember::tanh(x), {kNaN, -0.7616f, 0.9640f, 1, -1});
  check_values(gelu(x), {kNaN, -0.1587f, 1.9545f, kInf, kNaN});  // F.gelu; -inf * 0 = nan
  check_values(hardswish(x), {kNaN, -0.3333f, 1.6667f, kInf, kNaN});  // F.hardswish; -inf * 0 = nan
  check_values(clamp(x, -0.5f, 0.5f), {kNaN, -0.5f, 0.5f, 0.5f, -0.5f});
  check_values(ember::abs(x), {kNaN, 1, 2, kInf, kInf});
  check_values(ember::sqrt(x), {kNaN, kNaN, 1.4142f, kInf, kNaN});
  check_values(ember::log(x), {kNaN, kNaN, 0.6931f, kInf, kNaN});
  check_values(ember::exp(x), {kNaN, 0.3679f, 7.3891f, kInf, 0});
  // torch.tensor([0., 1., -1.]) / torch.tensor([0., 0., 0.]); 0 * inf; pow(-8, 0.5); pow(nan, 0)
  check_values(div(tensor({0, 1, -1}), zeros({3})), {kNaN, kInf, -kInf});
  check_values(mul(tensor({0}), tensor({kInf})), {kNaN});
  check_values(ember::pow(tensor({-8, kNaN, 0}), 0.5f), {kNaN, kNaN, 0});
  check_values(ember::pow(tensor({kNaN}), 0.0f), {1});
}

TEST_CASE("softmax, log_softmax and reductions propagate NaN row by row") {
  // torch.softmax(torch.tensor([[nan, 1., 2.], [0., 1., 2.]]), 1)
  check_values(softmax(tensor({{kNaN, 1, 2}, {0, 1, 2}}), 1), {kNaN, kNaN, kNaN, 0.0900f, 0.2447f, 0.6652f});
  // torch.softmax(torch.tensor([[inf, 1., 2.], [-inf, 1., 2.], [-inf, -inf, -inf]]), 1)
  check_values(softmax(tensor({{kInf, 1, 2}, {-kInf, 1, 2}, {-kInf, -kInf, -kInf}}), 1),
               {kNaN, kNaN, kNaN, 0, 0.2689f, 0.7311f, kNaN, kNaN, kNaN});
  // torch.log_softmax(torch.tensor([[inf, 1., 2.], [-inf, 1., 2.]]), 1)
  check_values(log_softmax(tensor({{kInf, 1, 2}, {-kInf, 1, 2}}), 1), {kNaN, kNaN, kNaN, -kInf, -1.3133f, -0.3133f});
  // torch.tensor([1., nan]).sum(), torch.tensor([inf, -inf]).sum(), torch.tensor([inf, 1.]).mean()
  check_values(sum(tensor({1, kNaN})), {kNaN});
  check_values(sum(tensor({kInf, -kInf})), {kNaN});
  check_values(mean(tensor({kInf, 1})), {kInf});
  // torch.max(torch.tensor([[1., nan, 3.], [1., 5., 3.]]), 1); torch.argmax(torch.tensor([[1., nan, 3., nan]]), 1)
  auto [values, indices] = max_with_indices(tensor({{1, kNaN, 3}, {1, 5, 3}}), 1);
  check_values(values, {kNaN, 5});
  CHECK(indices.to_vector<int64_t>() == std::vector<int64_t>{1, 1});
  CHECK(argmax(tensor({{1, kNaN, 3, kNaN}}), 1).to_vector<int64_t>() == std::vector<int64_t>{1});
  // torch.tensor([[1., nan], [3., 4.]]).max(0)
  auto [col_values, col_indices] = max_with_indices(tensor({{1, kNaN}, {3, 4}}), 0);
  check_values(col_values, {3, kNaN});
  CHECK(col_indices.to_vector<int64_t>() == std::vector<int64_t>{1, 0});
}

TEST_CASE("pooling picks NaN as the maximum; averages and losses turn NaN") {
  const Tensor p = tensor({{1, kNaN}, {3, 4}}).reshape({1, 1, 2, 2});
  // F.max_pool2d_with_indices(p, 2), F.avg_pool2d(p, 2), F.adaptive_max_pool2d(p, 1)
  check_values(max_pool2d(p, MaxPool2dOptions(2)), {kNaN});
  auto [pooled, where] = max_pool2d_with_indices(p, MaxPool2dOptions(2));
  check_values(pooled, {kNaN});
  CHECK(where.to_vector<int64_t>() == std::vector<int64_t>{1});
  check_values(avg_pool2d(p, AvgPool2dOptions(2)), {kNaN});
  check_values(adaptive_max_pool2d(p, 1), {kNaN});
  check_values(adaptive_avg_pool2d(p, 1), {kNaN});
  check_values(max_pool2d(tensor({{1, kInf}, {3, 4}}).reshape({1, 1, 2, 2}), MaxPool2dOptions(2)), {kInf});
  // F.cross_entropy(torch.tensor([[nan, 1., 2.], [0., 1., 2.]]), torch.tensor([1, 1]), reduction='none'), then
  // [[inf, 1., 2.], [0., 1., inf]] with targets [0, 1], and [[-inf, 1., 2.]] with target 0
  check_values(cross_entropy(tensor({{kNaN, 1, 2}, {0, 1, 2}}), labels({1, 1}), Reduction::none), {kNaN, 1.4076f});
  check_values(cross_entropy(tensor({{kInf, 1, 2}, {0, 1, kInf}}), labels({0, 1}), Reduction::none), {kNaN, kNaN});
  check_values(cross_entropy(tensor({{-kInf, 1, 2}}), labels({0}), Reduction::none), {kInf});
  check_values(cross_entropy(tensor({{kNaN, 1, 2}, {0, 1, 2}}), labels({1, 1})), {kNaN});
  // F.nll_loss(torch.tensor([[nan, 1., 2.], [0., -1., -2.]]), torch.tensor([0, 1]), reduction='none'); F.mse_loss
  check_values(nll_loss(tensor({{kNaN, 1, 2}, {0, -1, -2}}), labels({0, 1}), Reduction::none), {kNaN, 1});
  check_values(mse_loss(tensor({kNaN, 1}), tensor({0, kInf})), {kNaN});
}

TEST_CASE("layers confine NaN to what it touches") {
  // x = torch.arange(16.).reshape(1, 2, 2, 4); x[0, 0, 0, 1] = nan
  Tensor x = arange(16).reshape({1, 2, 2, 4}).contiguous();
  x.set({0, 0, 0, 1}, kNaN);
  // F.batch_norm(x, None, None, training=True): channel 0 all NaN, channel 1 untouched
  check_values(batch_norm2d(x, Tensor(), Tensor(), Tensor(), Tensor(), true),
               {kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN,  //
                -1.5275f, -1.0911f, -0.6547f, -0.2182f, 0.2182f, 0.6547f, 1.0911f, 1.5275f});
  // running stats: rm = zeros(2), rv = ones(2) -> [nan, 1.15], [nan, 1.5]
  const Tensor rm = zeros({2}), rv = ones({2});
  (void)batch_norm2d(x, rm, rv, Tensor(), Tensor(), true);
  check_values(rm, {kNaN, 1.15f});
  check_values(rv, {kNaN, 1.5f});
  // F.conv2d(x, torch.ones(1, 2, 2, 2)): the windows over the NaN are NaN
  check_values(conv2d(x, ones({1, 2, 2, 2})), {kNaN, kNaN, 68});
  check_values(conv2d_relu(x, ones({1, 2, 2, 2})), {kNaN, kNaN, 68});
  // F.linear(torch.tensor([[1., nan], [1., 2.]]), torch.ones(3, 2))
  check_values(linear(tensor({{1, kNaN}, {1, 2}}), ones({3, 2})), {kNaN, kNaN, kNaN, 3, 3, 3});
  // torch.tensor([[1., nan]]) @ torch.zeros(2, 1): 0 * nan is nan
  check_values(matmul(tensor({{1, kNaN}}), zeros({2, 1})), {kNaN});
  // F.local_response_norm(x, 2): the NaN reaches the same position in the next channel
  const Tensor lrn = local_response_norm(x, 2);
  CHECK(std::isnan(lrn.at({0, 0, 0, 1})));
  CHECK(std::isnan(lrn.at({0, 1, 0, 1})));
  CHECK(lrn.at({0, 1, 0, 2}) == doctest::Approx(9.9612f).epsilon(1e-4));
  // F.dropout(torch.tensor([nan, 1.]), 0.0)
  check_values(dropout(tensor({kNaN, 1}), 0.0f), {kNaN, 1});
}

TEST_CASE("gradients through NaN follow PyTorch") {
  SUBCASE("relu passes the gradient at NaN (threshold_backward), max and max_pool send it to the NaN") {
    const Tensor x = tensor({kNaN, -1, 2}).requires_grad_();
    sum(relu(x)).backward();
    check_values(x.grad(), {1, 0, 1});
    const Tensor m = tensor({{1, kNaN, 3}}).requires_grad_();
    sum(ember::max(m, 1)).backward();
    check_values(m.grad(), {0, 1, 0});
    const Tensor p = tensor({{1, kNaN}, {3, 4}}).reshape({1, 1, 2, 2}).detach().requires_grad_();
    sum(max_pool2d(p, MaxPool2dOptions(2))).backward();
    check_values(p.grad(), {0, 1, 0, 0});
  }
  SUBCASE("the fused conv2d_relu and batch_norm2d_relu pass it too, like the pair of ops") {
    Tensor x = arange(16).reshape({1, 2, 2, 4}).contiguous();
    x.set({0, 0, 0, 1}, kNaN);
    const Tensor w = ones({1, 2, 2, 2}).requires_grad_(), w2 = ones({1, 2, 2, 2}).requires_grad_();
    sum(conv2d_relu(x, w)).backward();
    sum(relu(conv2d(x, w2))).backward();
    check_close(w.grad(), w2.grad());
    const Tensor gamma = ones({2}).requires_grad_(), gamma2 = ones({2}).requires_grad_();
    sum(batch_norm2d_relu(x, Tensor(), Tensor(), gamma, Tensor(), true)).backward();
    sum(relu(batch_norm2d(x, Tensor(), Tensor(), gamma2, Tensor(), true))).backward();
    check_close(gamma.grad(), gamma2.grad());
  }
  SUBCASE("cross_entropy: a NaN row gets NaN gradients, the others are untouched") {
    // l = torch.tensor([[nan, 1., 2.], [0., 1., 2.]], requires_grad=True); F.cross_entropy(l, [1, 1]).backward()
    const Tensor l = tensor({{kNaN, 1, 2}, {0, 1, 2}}).requires_grad_();
    cross_entropy(l, labels({1, 1})).backward();
    check_values(l.grad(), {kNaN, kNaN, kNaN, 0.0450f, -0.3776f, 0.3326f});
  }
  SUBCASE("sqrt at 0 has an infinite gradient") {
    // s = torch.tensor([0., 4.], requires_grad=True); s.sqrt().sum().backward()
    const Tensor s = tensor({0, 4}).requires_grad_();
    sum(ember::sqrt(s)).backward();
    check_values(s.grad(), {kInf, 0.25f});
  }
}
