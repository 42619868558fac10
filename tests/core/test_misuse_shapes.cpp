// Mismatched shapes, one row per public op in ember/ops/*.h and per in-place update of Tensor:
// each call must throw ember::Error naming the op, what it got and what it expected. Ops that
// accept any shape (relu, exp, dropout, ...) get the one argument misuse they can have instead
// (an int64 tensor where float32 is required, a dim out of range).
// Undefined (default-constructed or moved-from) tensors in every op are in test_misuse.cpp.
#include <functional>
#include <string>
#include <vector>

#include "support/helpers.h"

using namespace ember;
using ember::test::check_error;

namespace {

struct Misuse {
  const char* op;
  std::function<void()> call;
  std::vector<std::string> fragments;  // the op's name first, then what it got and what it expected
};

Tensor f32(const Shape& shape) { return zeros(shape); }
Tensor i64(const Shape& shape) { return zeros(shape, DType::i64); }

void run(const std::vector<Misuse>& table) {
  for (const Misuse& row : table) {
    INFO("op: " << std::string(row.op));
    check_error(row.call, row.fragments);
  }
}

}  // namespace

TEST_CASE("elementwise ops: shapes that do not broadcast, and int64 where float32 is required") {
  const Tensor a = f32({2, 3}), b = f32({4}), n = i64({2, 3});
  const std::vector<std::string> shapes{"[2, 3]", "[4]", "cannot be broadcast", "3 vs 4"};
  auto with = [](const char* op, std::vector<std::string> rest) {
    rest.insert(rest.begin(), std::string(op) + ":");
    return rest;
  };
  run({
      {"add", [&] { add(a, b); }, with("add", shapes)},
      {"sub", [&] { sub(a, b); }, with("sub", shapes)},
      {"mul", [&] { mul(a, b); }, with("mul", shapes)},
      {"div", [&] { div(a, b); }, with("div", shapes)},
      {"add scalar", [&] { add(n, 1.0f); }, {"add:", "'a'", "float32", "int64 [2, 3]"}},
      {"sub scalar", [&] { sub(n, 1.0f); }, {"sub:", "'a'", "float32", "int64 [2, 3]"}},
      {"scalar sub", [&] { sub(1.0f, n); }, {"sub:", "'b'", "float32", "int64 [2, 3]"}},
      {"mul scalar", [&] { mul(n, 2.0f); }, {"mul:", "'a'", "float32", "int64 [2, 3]"}},
      {"div scalar", [&] { div(n, 2.0f); }, {"div:", "'a'", "float32", "int64 [2, 3]"}},
      {"scalar div", [&] { div(2.0f, n); }, {"div:", "'b'", "float32", "int64 [2, 3]"}},
      {"neg", [&] { neg(n); }, {"neg:", "float32", "int64 [2, 3]"}},
      {"exp", [&] { ember::exp(n); }, {"exp:", "float32", "int64 [2, 3]"}},
      {"log", [&] { ember::log(n); }, {"log:", "float32", "int64 [2, 3]"}},
      {"pow", [&] { ember::pow(n, 2.0f); }, {"pow:", "float32", "int64 [2, 3]"}},
      {"sqrt", [&] { ember::sqrt(n); }, {"sqrt:", "float32", "int64 [2, 3]"}},
      {"abs", [&] { ember::abs(n); }, {"abs:", "float32", "int64 [2, 3]"}},
      {"clamp", [&] { clamp(n, 0.0f, 1.0f); }, {"clamp:", "float32", "int64 [2, 3]"}},
  });
}

TEST_CASE("activations: int64 inputs and softmax dims out of range") {
  const Tensor x = f32({2, 3}), n = i64({2, 3});
  run({
      {"relu", [&] { relu(n); }, {"relu:", "float32", "int64 [2, 3]"}},
      {"leaky_relu", [&] { leaky_relu(n); }, {"leaky_relu:", "float32", "int64 [2, 3]"}},
      {"sigmoid", [&] { sigmoid(n); }, {"sigmoid:", "float32", "int64 [2, 3]"}},
      {"tanh", [&] { ember::tanh(n); }, {"tanh:", "float32", "int64 [2, 3]"}},
      {"gelu", [&] { gelu(n); }, {"gelu:", "float32", "int64 [2, 3]"}},
      {"hardswish", [&] { hardswish(n); }, {"hardswish:", "float32", "int64 [2, 3]"}},
      {"softmax", [&] { softmax(x, 2); }, {"softmax:", "dim 2", "2 dimensions", "-2 to 1"}},
      {"log_softmax", [&] { log_softmax(x, -3); }, {"log_softmax:", "dim -3", "2 dimensions", "-2 to 1"}},
  });
}

TEST_CASE("linalg: inner sizes, batch dims, weight and bias shapes") {
  run({
      {"matmul", [] { matmul(f32({2, 3}), f32({4, 5})); }, {"matmul:", "[2, 3]", "[4, 5]", "3 must equal", "4"}},
      {"matmul batch", [] { matmul(f32({2, 2, 3}), f32({3, 3, 4})); }, {"matmul:", "[2, 2, 3]", "[3, 3, 4]", "2 vs 3"}},
      {"matmul 0-d", [] { matmul(scalar_tensor(1), f32({3})); }, {"matmul:", "at least 1 dimension", "float32 []"}},
      {"linear", [] { linear(f32({2, 3}), f32({5, 4})); }, {"linear:", "[2, 3]", "[5, 4]", "4"}},
      {"linear bias", [] { linear(f32({2, 3}), f32({5, 3}), f32({4})); }, {"linear:", "bias", "[5]", "[4]"}},
  });
}

TEST_CASE("losses: targets that do not match the batch, inputs of the wrong rank") {
  run({
      {"cross_entropy", [] { cross_entropy(f32({4, 10}), i64({3})); },
       {"cross_entropy:", "[N] = [4]", "[4, 10]", "got [3]"}},
      {"cross_entropy 1-D", [] { cross_entropy(f32({10}), i64({1})); }, {"cross_entropy:", "[N, C]", "float32 [10]"}},
      {"cross_entropy float targets", [] { cross_entropy(f32({4, 10}), f32({4})); },
       {"cross_entropy:", "int64 class indices", "float32 [4]"}},
      {"nll_loss", [] { nll_loss(f32({4, 10}), i64({5})); }, {"nll_loss:", "[N] = [4]", "got [5]"}},
      {"mse_loss", [] { mse_loss(f32({4, 1}), f32({4})); }, {"mse_loss:", "[4, 1]", "[4]", "same shape"}},
  });
}

TEST_CASE("reductions: dims out of range or repeated") {
  const Tensor x = f32({2, 3});
  run({
      {"sum", [&] { sum(x, {2}); }, {"sum:", "dim 2", "2 dimensions", "-2 to 1"}},
      {"sum repeated", [&] { sum(x, {1, -1}); }, {"sum:", "dim 1", "more than once"}},
      {"mean", [&] { mean(x, {-3}); }, {"mean:", "dim -3", "-2 to 1"}},
      {"max", [&] { ember::max(x, 5); }, {"max:", "dim 5", "-2 to 1"}},
      {"max_with_indices", [&] { max_with_indices(x, 2); }, {"max:", "dim 2", "-2 to 1"}},
      {"max empty", [] { ember::max(f32({2, 0}), 1); }, {"max:", "empty", "[2, 0]"}},
      {"argmax", [&] { argmax(x, -5); }, {"argmax:", "dim -5", "-2 to 1"}},
  });
}

TEST_CASE("shape ops: element counts, dims and ranges that do not fit") {
  const Tensor x = f32({2, 3});
  run({
      {"view", [&] { view(x, {4, 2}); }, {"view:", "[2, 3] (6 elements)", "[4, 2] (8 elements)"}},
      {"view strided", [&] { view(x.t(), {6}); }, {"view:", "[3, 2]", "cannot be viewed as [6]", "reshape"}},
      {"reshape", [&] { reshape(x, {-1, 4}); }, {"reshape:", "[2, 3] (6 elements)", "[-1, 4]"}},
      {"flatten", [&] { flatten(x, 1, 0); }, {"flatten:", "start_dim 1", "end_dim 0"}},
      {"permute", [&] { permute(x, {0}); }, {"permute:", "1 dims", "2 dimensions", "[2, 3]"}},
      {"permute repeated", [&] { permute(x, {1, 1}); }, {"permute:", "dim 1 appears twice"}},
      {"transpose", [&] { transpose(x, 0, 2); }, {"transpose:", "dim 2", "-2 to 1"}},
      {"narrow", [&] { narrow(x, 1, 2, 2); }, {"narrow:", "[2, 4)", "dimension 1 of size 3", "[2, 3]"}},
      {"slice", [&] { slice(x, 3, 0, 1); }, {"slice:", "dim 3", "-2 to 1"}},
      {"select", [&] { select(x, 0, 2); }, {"select:", "index 2", "dimension 0 of size 2", "[2, 3]"}},
      {"expand", [&] { expand(x, {2, 4}); }, {"expand:", "size 3", "expanded to 4", "[2, 3]", "[2, 4]"}},
      {"squeeze", [&] { squeeze(x, 2); }, {"squeeze:", "dim 2", "-2 to 1"}},
      {"unsqueeze", [&] { unsqueeze(x, 4); }, {"unsqueeze:", "dim 4", "-3 to 2"}},
      {"contiguous", [&] { contiguous(Tensor()); }, {"contiguous:", "undefined"}},
      {"clone", [&] { clone(Tensor()); }, {"clone:", "undefined"}},
      {"cat", [&] { cat({x, f32({2, 4})}, 0); }, {"cat:", "tensor 1", "[2, 4]", "[2, 3]", "except dim 0"}},
      {"cat dtype", [&] { cat({x, i64({2, 3})}, 0); }, {"cat:", "int64 [2, 3]", "float32 [2, 3]"}},
      {"stack", [&] { stack({x, f32({3, 2})}); }, {"stack:", "tensor 1", "[3, 2]", "[2, 3]"}},
  });
}

TEST_CASE("dropout and normalization: ranks and per-channel shapes") {
  const Tensor x = f32({2, 3, 4, 4}), c3 = f32({3}), c4 = f32({4});
  run({
      {"dropout", [] { dropout(i64({4})); }, {"dropout:", "float32", "int64 [4]"}},
      {"dropout2d", [] { dropout2d(f32({3, 4, 4})); }, {"dropout2d:", "4-D", "float32 [3, 4, 4]"}},
      {"local_response_norm", [] { local_response_norm(f32({2, 3}), 2); },
       {"local_response_norm:", "at least 3 dims", "float32 [2, 3]"}},
      {"batch_norm2d", [&] { batch_norm2d(x, Tensor(), Tensor(), c4, c3, true); },
       {"batch_norm2d:", "weight", "[3]", "[4]"}},
      {"batch_norm2d_relu", [&] { batch_norm2d_relu(x, c4, c3, Tensor(), Tensor(), false); },
       {"batch_norm2d_relu:", "running_mean", "[3]", "[4]"}},
      {"batch_norm2d 3-D", [] { batch_norm2d(f32({3, 4, 4}), Tensor(), Tensor(), Tensor(), Tensor(), true); },
       {"batch_norm2d:", "4-D", "float32 [3, 4, 4]"}},
  });
}

TEST_CASE("convolutions: channels, weight rank and bias that do not match") {
  const Tensor x = f32({1, 3, 8, 8});
  run({
      {"conv2d", [&] { conv2d(x, f32({4, 2, 3, 3})); },
       {"conv2d:", "3 channels", "expects 2", "[1, 3, 8, 8]", "[4, 2, 3, 3]"}},
      {"conv2d weight rank", [&] { conv2d(x, f32({4, 3, 3})); }, {"conv2d:", "weight", "float32 [4, 3, 3]"}},
      {"conv2d bias", [&] { conv2d(x, f32({4, 3, 3, 3}), f32({3})); }, {"conv2d:", "bias", "[4]", "[3]"}},
      {"conv2d kernel", [&] { conv2d(x, f32({4, 3, 9, 9})); },
       {"conv2d:", "larger than the padded input", "9x9", "8x8"}},
      {"conv2d_relu", [&] { conv2d_relu(x, f32({4, 2, 3, 3})); }, {"conv2d_relu:", "3 channels", "expects 2"}},
      {"conv_transpose2d", [&] { conv_transpose2d(x, f32({2, 4, 3, 3})); },
       {"conv_transpose2d:", "[1, 3, 8, 8]", "[2, 4, 3, 3]"}},
  });
}

TEST_CASE("pooling: ranks and windows that do not fit") {
  const Tensor flat = f32({4, 4}), x = f32({1, 2, 4, 4});
  run({
      {"max_pool2d", [&] { max_pool2d(flat, MaxPool2dOptions(2)); }, {"max_pool2d:", "3-D", "4-D", "float32 [4, 4]"}},
      {"max_pool2d_with_indices", [&] { max_pool2d_with_indices(x, MaxPool2dOptions(5)); },
       {"max_pool2d_with_indices:", "output size", "[1, 2, 4, 4]", "kernel 5"}},
      {"avg_pool2d", [] { avg_pool2d(f32({1, 1, 2, 4, 4}), AvgPool2dOptions(2)); },
       {"avg_pool2d:", "3-D", "4-D", "float32 [1, 1, 2, 4, 4]"}},
      {"adaptive_avg_pool2d", [&] { adaptive_avg_pool2d(flat, 1); }, {"adaptive_avg_pool2d:", "3-D", "float32 [4, 4]"}},
      {"adaptive_max_pool2d", [&] { adaptive_max_pool2d(x, Int2(0, 1)); },
       {"adaptive_max_pool2d:", "at least 1", "[1, 2, 4, 4]"}},
      {"adaptive_max_pool2d_with_indices", [&] { adaptive_max_pool2d_with_indices(flat, 1); },
       {"adaptive_max_pool2d_with_indices:", "3-D", "float32 [4, 4]"}},
      {"spatial_pyramid_pool", [&] { spatial_pyramid_pool(flat); }, {"spatial_pyramid_pool:", "3-D", "float32 [4, 4]"}},
  });
}

TEST_CASE("in-place updates: a result that would not fit the tensor written to") {
  const Tensor t = f32({2, 3}), wide = f32({2, 4}), big = f32({4, 2, 3});
  run({
      {"add_", [&] { t.add_(wide); }, {"add_:", "[2, 3]", "[2, 4]"}},
      {"add_ grows", [&] { t.add_(big); }, {"add_:", "[4, 2, 3]", "the tensor has shape [2, 3]"}},
      {"sub_", [&] { t.sub_(wide); }, {"sub_:", "[2, 3]", "[2, 4]"}},
      {"mul_", [&] { t.mul_(wide); }, {"mul_:", "[2, 3]", "[2, 4]"}},
      {"div_", [&] { t.div_(big); }, {"div_:", "[4, 2, 3]", "[2, 3]"}},
      {"addcmul_", [&] { t.addcmul_(wide, wide); }, {"addcmul_:", "[2, 4]", "[2, 3]"}},
      {"addcdiv_", [&] { t.addcdiv_(t, wide); }, {"addcdiv_:", "[2, 3]", "[2, 4]"}},
      {"copy_", [&] { t.copy_(wide); }, {"copy_:", "[2, 4]", "[2, 3]"}},
      {"copy_ dtype", [&] { t.copy_(i64({2, 3})); }, {"copy_:", "int64 [2, 3]", "float32 [2, 3]"}},
      {"clamp_", [&] { t.clamp_(1.0f, 0.0f); }, {"clamp_:", "min 1", "max 0"}},
      {"fill_", [] { i64({2}).fill_(1.0f); }, {"fill_:", "float32", "int64 [2]"}},
      {"zero_", [] { i64({2}).zero_(); }, {"zero_:", "float32", "int64 [2]"}},
  });
}

TEST_CASE("Tensor methods and the autograd API: shapes that do not match") {
  const Tensor x = f32({2, 3});
  const Tensor w = f32({2, 3}).requires_grad_();
  const Tensor y = w * 2.0f;
  run({
      {"t", [&] { (void)f32({2, 3, 4}).t(); }, {"t:", "at most 2 dimensions", "float32 [2, 3, 4]"}},
      {"item", [&] { (void)x.item(); }, {"item:", "one-element", "[2, 3]"}},
      {"backward implicit", [&] { y.backward(); }, {"backward:", "one-element output", "float32 [2, 3]"}},
      {"backward grad", [&] { y.backward(f32({3, 2})); },
       {"backward:", "float32 [3, 2]", "float32 [2, 3]", "must match"}},
      {"set_grad", [&] { w.set_grad(f32({3})); }, {"set_grad:", "float32 [3]", "float32 [2, 3]"}},
      {"requires_grad_", [&] { (void)i64({2}).requires_grad_(); }, {"requires_grad_:", "float32", "int64 [2]"}},
      {"requires_grad_ non-leaf", [&] { (void)y.requires_grad_(false); }, {"requires_grad_:", "leaf", "MulBackward"}},
  });
}

TEST_CASE("locally connected: weights that do not match the input") {
  const Tensor x = f32({1, 3, 6, 6});
  run({
      {"locally_connected2d", [&] { locally_connected2d(x, f32({4, 4, 2, 2, 3, 3})); },
       {"locally_connected2d:", "3 channels", "expects 2", "[1, 3, 6, 6]", "[4, 4, 2, 2, 3, 3]"}},
      {"locally_connected2d positions", [&] { locally_connected2d(x, f32({3, 3, 2, 3, 3, 3})); },
       {"locally_connected2d:", "gives 4x4 output positions", "3x3"}},
  });
}

TEST_CASE("upsampling: ranks and sizes that do not fit") {
  const Tensor flat = f32({2, 4, 4}), x = f32({1, 2, 4, 4});
  run({
      {"upsample_nearest2d", [&] { upsample_nearest2d(flat, UpsampleSize::scale(2)); },
       {"upsample_nearest2d:", "4-D", "float32 [2, 4, 4]"}},
      {"upsample_bilinear2d", [&] { upsample_bilinear2d(x, UpsampleSize::scale(0.1)); },
       {"upsample_bilinear2d:", "output size would be 0x0", "[1, 2, 4, 4]"}},
  });
}
