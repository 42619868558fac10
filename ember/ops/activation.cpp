// Activations: each forward, then its backward right below it.
#include "ember/ops/activation.h"

#include <cmath>

#include "ember/autograd/node.h"
#include "ember/core/parallel.h"
#include "ember/core/profiler.h"
#include "ember/core/trace.h"
#include "ember/ops/checks.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/pointwise.h"
#include "ember/kernels/elementwise_kernels.h"
#include "ember/kernels/reduce_kernels.h"
#include "ember/kernels/relu_value.h"
#include "ember/ops/reduce.h"

namespace ember {

using autograd::GradMask;
using autograd::SavedTensor;
using ops_detail::check_float;
using ops_detail::from_input;
using ops_detail::from_output;
using ops_detail::pointwise;

Tensor relu(const Tensor& x) {
  // The output is > 0 exactly where x is.
  return pointwise({.name = "relu"}, x, [](float v) { return kernels::relu_value(v); },
                   from_output([](float g, float y) { return kernels::relu_grad(g, y); }));
}

Tensor leaky_relu(const Tensor& x, float slope) {
  EMBER_CHECK(std::isfinite(slope), "leaky_relu: negative_slope must be finite, got {}", slope);
  return pointwise({.name = "leaky_relu", .attributes = {{"negative_slope", {slope}}}}, x,
                   [slope](float v) { return v > 0.0f ? v : slope * v; },
                   from_input([slope](float g, float v) { return v > 0.0f ? g : slope * g; }));
}

Tensor sigmoid(const Tensor& x) {
  // Two branches so exp never overflows: for x < 0 use e^x / (1 + e^x).
  return pointwise({.name = "sigmoid"}, x,
                   [](float v) {
                     if (v >= 0.0f) return 1.0f / (1.0f + std::exp(-v));
                     const float e = std::exp(v);
                     return e / (1.0f + e);
                   },
                   from_output([](float g, float y) { return g * y * (1.0f - y); }));
}

Tensor tanh(const Tensor& x) {
  return pointwise({.name = "tanh"}, x, [](float v) { return std::tanh(v); },
                   from_output([](float g, float y) { return g * (1.0f - y * y); }));
}

Tensor gelu(const Tensor& x) {
  // PyTorch's CPU kernel's arithmetic: x * 0.5 * (1 + erf(x / sqrt 2)); d/dx = Phi(x) + x * phi(x).
  constexpr float kSqrtHalf = 0.70710678118654752f, kInvSqrt2Pi = 0.39894228040143268f;
  return pointwise({.name = "gelu"}, x, [](float v) { return v * 0.5f * (1.0f + std::erf(v * kSqrtHalf)); },
                   from_input([](float g, float v) {
                     const float cdf = 0.5f * (1.0f + std::erf(v * kSqrtHalf));
                     const float pdf = kInvSqrt2Pi * std::exp(-0.5f * v * v);
                     return g * (cdf + v * pdf);
                   }));
}

// Composed from existing ops, so it needs no backward and no export code of its own: add, clamp,
// mul and div record their own nodes and trace records. Only the check is its own, so a bad input
// names hardswish rather than add.
Tensor hardswish(const Tensor& x) {
  EMBER_PROFILE_OP("hardswish");
  check_float("hardswish", "x", x);
  return x * clamp(x + 3.0f, 0.0f, 6.0f) / 6.0f;
}

namespace {

// Row-wise softmax or log-softmax of a contiguous [rows, len] buffer, rows in parallel.
void softmax_rows(const float* in, float* out, int64_t rows, int64_t len, bool log_space) {
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(len, 1));
  parallel_for(0, rows, grain, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* x = in + r * len;
      float* y = out + r * len;
      float max = -INFINITY;
      for (int64_t i = 0; i < len; ++i) max = std::max(max, x[i]);
      if (std::isinf(max) && max < 0) max = 0.0f;  // all -inf: avoid (-inf) - (-inf) = nan in the shift
      double total = 0;
      for (int64_t i = 0; i < len; ++i) {
        const float shifted = std::exp(x[i] - max);
        total += shifted;
        if (!log_space) y[i] = shifted;
      }
      if (log_space) {
        const float log_total = static_cast<float>(std::log(total));
        for (int64_t i = 0; i < len; ++i) y[i] = x[i] - max - log_total;
      } else {
        const float inv = static_cast<float>(1.0 / total);
        for (int64_t i = 0; i < len; ++i) y[i] *= inv;
      }
    }
  });
}

Tensor softmax_forward(const Tensor& x, int64_t dim, bool log_space) {
  if (x.numel() == 0) return empty(x.shape());
  const Tensor rows = kernels::move_dim_last(x, dim);
  Tensor out_rows = empty(rows.shape());
  const int64_t len = x.dim() == 0 ? 1 : x.shape()[dim];
  softmax_rows(rows.data<float>(), out_rows.data<float>(), rows.numel() / len, len, log_space);
  const Tensor restored = kernels::restore_dim(out_rows, dim);
  return restored.is_contiguous() ? restored : kernels::contiguous_copy(restored);
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) {
  EMBER_PROFILE_OP("softmax");
  check_float("softmax", "x", x);
  dim = normalize_dim(dim, x.dim(), "softmax");
  Tensor out = softmax_forward(x, dim, /*log_space=*/false);
  if (autograd::needs_graph({x})) {
    SavedTensor saved_out(out);
    autograd::attach(out, "SoftmaxBackward", {x}, [saved_out, dim](const Tensor& g, const GradMask&) {
      // dx = y * (g - sum(g * y, dim))
      const Tensor y = saved_out.get();
      const Tensor dot = sum(mul(g, y), {dim}, /*keepdim=*/true);
      return TensorList{mul(y, sub(g, dot))};
    });
  }
  if (trace::Tracer* t = trace::active()) t->record({"softmax", {x}, out, {{"dim", {double(dim)}}}});
  return out;
}

Tensor log_softmax(const Tensor& x, int64_t dim) {
  EMBER_PROFILE_OP("log_softmax");
  check_float("log_softmax", "x", x);
  dim = normalize_dim(dim, x.dim(), "log_softmax");
  Tensor out = softmax_forward(x, dim, /*log_space=*/true);
  if (autograd::needs_graph({x})) {
    SavedTensor saved_out(out);
    autograd::attach(out, "LogSoftmaxBackward", {x}, [saved_out, dim](const Tensor& g, const GradMask&) {
      // dx = g - softmax * sum(g, dim)
      const Tensor total = sum(g, {dim}, /*keepdim=*/true);
      return TensorList{kernels::map_ternary(g, saved_out.get(), total,
                                             [](float gv, float logp, float s) { return gv - std::exp(logp) * s; })};
    });
  }
  if (trace::Tracer* t = trace::active()) t->record({"log_softmax", {x}, out, {{"dim", {double(dim)}}}});
  return out;
}

}  // namespace ember
