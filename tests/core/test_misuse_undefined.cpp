// Undefined tensors (default-constructed, moved from, or an absent gradient) passed to every
// public op of ember/ops/*.h, to the in-place updates and to backward(): each throws ember::Error
// naming the op and saying the tensor is undefined, instead of dereferencing nothing.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "support/helpers.h"

using namespace ember;
using ember::test::check_error;

namespace {

struct Row {
  std::string op;  // the name the error must start with
  std::function<void()> call;
};

void run(const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    INFO("op: " << row.op);
    check_error(row.call, {row.op + ":", "undefined"});
  }
}

}  // namespace

TEST_CASE("a moved-from tensor is undefined, and ops say so") {
  Tensor moved = zeros({2, 3});
  const Tensor taken = std::move(moved);
  CHECK(taken.defined());
  CHECK_FALSE(moved.defined());  // NOLINT(bugprone-use-after-move): the point of the test
  check_error([&] { (void)relu(moved); }, {"relu:", "argument 'x'", "undefined"});
  check_error([&] { (void)moved.shape(); }, {"tensor:", "undefined"});
  CHECK(moved.describe() == "undefined");
  // An absent gradient is an undefined tensor too.
  const Tensor w = zeros({2}).requires_grad_();
  check_error([&] { (void)exp(w.grad()); }, {"exp:", "undefined"});
}

TEST_CASE("elementwise ops, activations, linalg, losses and reductions") {
  const Tensor u, m = zeros({2, 3}), t = labels({0, 1});
  run({
      {"add", [&] { (void)add(m, u); }},          {"add", [&] { (void)add(u, 1.0f); }},
      {"sub", [&] { (void)sub(u, m); }},          {"sub", [&] { (void)sub(1.0f, u); }},
      {"mul", [&] { (void)mul(m, u); }},          {"mul", [&] { (void)mul(u, 2.0f); }},
      {"div", [&] { (void)div(u, m); }},          {"div", [&] { (void)div(2.0f, u); }},
      {"neg", [&] { (void)neg(u); }},             {"exp", [&] { (void)ember::exp(u); }},
      {"log", [&] { (void)ember::log(u); }},      {"pow", [&] { (void)ember::pow(u, 2.0f); }},
      {"sqrt", [&] { (void)ember::sqrt(u); }},    {"abs", [&] { (void)ember::abs(u); }},
      {"clamp", [&] { (void)clamp(u, 0.0f, 1.0f); }},
      {"relu", [&] { (void)relu(u); }},           {"leaky_relu", [&] { (void)leaky_relu(u); }},
      {"sigmoid", [&] { (void)sigmoid(u); }},     {"tanh", [&] { (void)ember::tanh(u); }},
      {"gelu", [&] { (void)gelu(u); }},           {"hardswish", [&] { (void)hardswish(u); }},
      {"softmax", [&] { (void)softmax(u, 0); }},  {"log_softmax", [&] { (void)log_softmax(u, 0); }},
      {"matmul", [&] { (void)matmul(m, u); }},    {"linear", [&] { (void)linear(u, m); }},
      {"linear", [&] { (void)linear(m, u); }},
      {"cross_entropy", [&] { (void)cross_entropy(u, t); }},
      {"cross_entropy", [&] { (void)cross_entropy(m, u); }},
      {"nll_loss", [&] { (void)nll_loss(m, u); }},
      {"mse_loss", [&] { (void)mse_loss(u, m); }},
      {"sum", [&] { (void)sum(u); }},             {"sum", [&] { (void)sum(u, {0}); }},
      {"mean", [&] { (void)mean(u); }},           {"mean", [&] { (void)mean(u, {0}); }},
      {"max", [&] { (void)ember::max(u, 0); }},   {"max", [&] { (void)max_with_indices(u, 0); }},
      {"argmax", [&] { (void)argmax(u, 0); }},
  });
}

TEST_CASE("shape ops") {
  const Tensor u, m = zeros({2, 3});
  run({
      {"view", [&] { (void)view(u, {6}); }},           {"reshape", [&] { (void)reshape(u, {6}); }},
      {"flatten", [&] { (void)flatten(u); }},          {"permute", [&] { (void)permute(u, {}); }},
      {"transpose", [&] { (void)transpose(u, 0, 1); }}, {"narrow", [&] { (void)narrow(u, 0, 0, 1); }},
      {"slice", [&] { (void)slice(u, 0, 0, 1); }},     {"select", [&] { (void)select(u, 0, 0); }},
      {"expand", [&] { (void)expand(u, {2}); }},       {"squeeze", [&] { (void)squeeze(u); }},
      {"squeeze", [&] { (void)squeeze(u, 0); }},       {"unsqueeze", [&] { (void)unsqueeze(u, 0); }},
      {"contiguous", [&] { (void)contiguous(u); }},    {"clone", [&] { (void)clone(u); }},
      {"cat", [&] { (void)cat({m, u}); }},             {"stack", [&] { (void)stack({u, m}); }},
  });
}

TEST_CASE("convolution, pooling, normalization and dropout") {
  const Tensor u, x = zeros({1, 2, 4, 4}), w = zeros({3, 2, 3, 3}), c = zeros({2});
  run({
      {"conv2d", [&] { (void)conv2d(u, w); }},
      {"conv2d", [&] { (void)conv2d(x, u); }},
      {"conv2d_relu", [&] { (void)conv2d_relu(x, u); }},
      {"conv_transpose2d", [&] { (void)conv_transpose2d(u, w); }},
      {"conv_transpose2d", [&] { (void)conv_transpose2d(x, u); }},
      {"max_pool2d", [&] { (void)max_pool2d(u, MaxPool2dOptions(2)); }},
      {"max_pool2d_with_indices", [&] { (void)max_pool2d_with_indices(u, MaxPool2dOptions(2)); }},
      {"avg_pool2d", [&] { (void)avg_pool2d(u, AvgPool2dOptions(2)); }},
      {"adaptive_avg_pool2d", [&] { (void)adaptive_avg_pool2d(u, 1); }},
      {"adaptive_max_pool2d", [&] { (void)adaptive_max_pool2d(u, 1); }},
      {"adaptive_max_pool2d_with_indices", [&] { (void)adaptive_max_pool2d_with_indices(u, 1); }},
      {"spatial_pyramid_pool", [&] { (void)spatial_pyramid_pool(u); }},
      {"local_response_norm", [&] { (void)local_response_norm(u, 2); }},
      {"batch_norm2d", [&] { (void)batch_norm2d(u, Tensor(), Tensor(), Tensor(), Tensor(), true); }},
      {"batch_norm2d", [&] { (void)batch_norm2d(x, Tensor(), Tensor(), Tensor(), Tensor(), false); }},
      {"batch_norm2d_relu", [&] { (void)batch_norm2d_relu(u, c, c, Tensor(), Tensor(), false); }},
      {"dropout", [&] { (void)dropout(u, 0.5f); }},
      {"dropout2d", [&] { (void)dropout2d(u, 0.5f); }},
  });
}

TEST_CASE("in-place updates and backward") {
  const Tensor u, m = zeros({2, 3});
  run({
      {"add_", [&] { u.add_(m); }},          {"add_", [&] { m.add_(u); }},
      {"add_", [&] { u.add_(1.0f); }},       {"sub_", [&] { m.sub_(u); }},
      {"mul_", [&] { m.mul_(u); }},          {"mul_", [&] { u.mul_(2.0f); }},
      {"div_", [&] { m.div_(u); }},          {"div_", [&] { u.div_(2.0f); }},
      {"addcmul_", [&] { m.addcmul_(u, m); }}, {"addcdiv_", [&] { m.addcdiv_(m, u); }},
      {"clamp_", [&] { u.clamp_(0.0f, 1.0f); }}, {"fill_", [&] { u.fill_(1.0f); }},
      {"zero_", [&] { u.zero_(); }},         {"copy_", [&] { u.copy_(m); }},
      {"copy_", [&] { m.copy_(u); }},        {"backward", [&] { u.backward(); }},
  });
}

TEST_CASE("upsampling and locally connected") {
  const Tensor u, x = zeros({1, 2, 4, 4}), w = zeros({2, 2, 3, 2, 3, 3});
  run({
      {"locally_connected2d", [&] { (void)locally_connected2d(u, w); }},
      {"locally_connected2d", [&] { (void)locally_connected2d(x, u); }},
      {"upsample_nearest2d", [&] { (void)upsample_nearest2d(u, UpsampleSize::scale(2)); }},
      {"upsample_bilinear2d", [&] { (void)upsample_bilinear2d(u, UpsampleSize::scale(2), true); }},
  });
}
