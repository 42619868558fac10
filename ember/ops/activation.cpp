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

// softmax and log_softmax around their backward: `backward(g, out, dim)` is dx from the output.
template <class Backward>
Tensor softmax_op(const char* op, const char* node, const Tensor& x, int64_t dim, bool log_space, Backward backward) {
  EMBER_PROFILE_OP(op);
  check_float(op, "x", x);
  dim = normalize_dim(dim, x.dim(), op);
  Tensor out = softmax_forward(x, dim, log_space);
  if (autograd::needs_graph({x})) {
    SavedTensor saved_out(out);
    autograd::attach(out, node, {x}, [saved_out, dim, backward](const Tensor& g, const GradMask&) {
      return TensorList{backward(g, saved_out.get(), dim)};
    });
  }
  if (trace::Tracer* t = trace::active()) t->record({op, {x}, out, {{"dim", {double(dim)}}}});
  return out;
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) {
  return softmax_op("softmax", "SoftmaxBackward", x, dim, /*log_space=*/false,
                    [](const Tensor& g, const Tensor& y, int64_t d) {
                      // dx = y * (g - sum(g * y, dim))
                      return mul(y, sub(g, sum(mul(g, y), {d}, /*keepdim=*/true)));
                    });
}

Tensor log_softmax(const Tensor& x, int64_t dim) {
  return softmax_op("log_softmax", "LogSoftmaxBackward", x, dim, /*log_space=*/true,
                    [](const Tensor& g, const Tensor& log_p, int64_t d) {
                      // dx = g - softmax * sum(g, dim)
                      const Tensor total = sum(g, {d}, /*keepdim=*/true);
                      return kernels::map_ternary(g, log_p, total,
                                                  [](float gv, float lp, float t) { return gv - std::exp(lp) * t; });
                    });
}

}  // namespace ember
