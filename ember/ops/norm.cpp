// Normalization: each forward, then its backward right below it. The arithmetic is in
// kernels/norm_kernels.cpp; here the checks, the saved state and the graph.
#include "ember/ops/norm.h"

#include <cmath>
#include <memory>
#include <vector>

#include "ember/autograd/grad_mode.h"
#include "ember/autograd/node.h"
#include "ember/core/profiler.h"
#include "ember/core/trace.h"
#include "ember/ops/checks.h"
#include "ember/kernels/elementwise_kernels.h"
#include "ember/kernels/norm_kernels.h"

namespace ember {

using autograd::GradMask;
using autograd::SavedTensor;
using ops_detail::check_float;

namespace {

Tensor contiguous(const Tensor& t) { return t.is_contiguous() ? t : kernels::contiguous_copy(t); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// local_response_norm

Tensor local_response_norm(const Tensor& x, int64_t size, float alpha, float beta, float k) {
  EMBER_PROFILE_OP("local_response_norm");
  check_float("local_response_norm", "x", x);
  EMBER_CHECK(x.dim() >= 3, "local_response_norm: argument 'x' must have at least 3 dims [N, C, ...], got {}",
              x.describe());
  EMBER_CHECK(size >= 1, "local_response_norm: size must be at least 1, got {} (input {})", size, x.describe());
  EMBER_CHECK(std::isfinite(alpha) && std::isfinite(beta) && std::isfinite(k),
              "local_response_norm: alpha, beta and k must be finite, got alpha {}, beta {}, k {}", alpha, beta, k);
  if (x.numel() == 0) return x;  // as PyTorch

  const Tensor xc = contiguous(x);
  const int64_t n = x.size(0), c = x.size(1), p = x.numel() / (n * c);
  const kernels::LrnParams params{size, alpha, beta, k};
  Tensor out = empty(x.shape());
  const bool record = autograd::needs_graph({x});
  Tensor scaled = record ? empty(x.shape()) : Tensor();  // out / d
  Tensor d_pow = record ? empty(x.shape()) : Tensor();   // d^beta
  kernels::lrn_forward(xc.data<float>(), out.data<float>(), record ? scaled.data<float>() : nullptr,
                       record ? d_pow.data<float>() : nullptr, n, c, p, params);

  if (record) {
    SavedTensor saved_x(xc);
    autograd::attach(out, "LocalResponseNormBackward", {x},
                     [saved_x, scaled, d_pow, params, n, c, p](const Tensor& g, const GradMask&) {
                       const Tensor xs = saved_x.get();
                       const Tensor gc = contiguous(g);
                       Tensor dx = empty(xs.shape());
                       kernels::lrn_backward(gc.data<float>(), xs.data<float>(), scaled.data<float>(),
                                             d_pow.data<float>(), dx.data<float>(), n, c, p, params);
                       return TensorList{dx};
                     });
  }
  if (trace::Tracer* t = trace::active()) {
    t->record({"local_response_norm", {x}, out, {{"size", {double(size)}}, {"alpha", {alpha}}, {"beta", {beta}}, {"k", {k}}}});
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// batch_norm2d

namespace {

// A [C] argument: float32 of shape [C] if defined; `required` ones must be defined (`why` says why).
void check_per_channel(const char* op, const char* arg, const Tensor& t, const Tensor& x, bool required,
                       const char* why = "") {
  if (!t.defined()) {
    EMBER_CHECK(!required, "{}: argument '{}' is undefined but {}", op, arg, why);
    return;
  }
  check_float(op, arg, t);
  const int64_t c = x.size(1);
  EMBER_CHECK(t.shape() == Shape{c},
              "{}: argument '{}' has shape {} but the input has {} channels, expected [{}] (input {})", op, arg,
              shape_str(t.shape()), c, c, shape_str(x.shape()));
}

}  // namespace

namespace {

Tensor batch_norm2d_impl(const char* op, const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                         const Tensor& weight, const Tensor& bias, bool training, float momentum, float eps, bool relu) {
  EMBER_PROFILE_OP(op);
  check_float(op, "x", x);
  EMBER_CHECK(x.dim() == 4, "{}: argument 'x' must be 4-D [N, C, H, W], got {}", op, x.describe());
  const char* why = "eval mode (training = false) needs the running stats";
  check_per_channel(op, "running_mean", running_mean, x, /*required=*/!training, why);
  check_per_channel(op, "running_var", running_var, x, /*required=*/!training, why);
  EMBER_CHECK(running_mean.defined() == running_var.defined(),
              "{}: running_mean and running_var must both be defined or both undefined, got running_mean "
              "{} and running_var {}",
              op, running_mean.defined() ? "defined" : "undefined", running_var.defined() ? "defined" : "undefined");
  check_per_channel(op, "weight", weight, x, false);
  check_per_channel(op, "bias", bias, x, false);
  EMBER_CHECK(eps > 0.0f, "{}: eps must be positive, got {}", op, eps);
  EMBER_CHECK(momentum >= 0.0f, "{}: momentum must be non-negative, got {}", op, momentum);
  const int64_t n = x.size(0), c = x.size(1), p = x.size(2) * x.size(3), m = n * p;
  EMBER_CHECK(!training || m > 1,
              "{}: training needs more than one value per channel (N * H * W > 1), got input {}", op,
              shape_str(x.shape()));

  const Tensor xc = contiguous(x);
  const Tensor wc = weight.defined() ? contiguous(weight) : Tensor();
  const Tensor bc = bias.defined() ? contiguous(bias) : Tensor();
  const float* w = wc.defined() ? wc.data<float>() : nullptr;
  const float* b = bc.defined() ? bc.data<float>() : nullptr;
  Tensor out = empty(x.shape());

  // The statistics the output was normalized with; backward uses them.
  auto mean = std::make_shared<std::vector<float>>(static_cast<size_t>(c));
  auto invstd = std::make_shared<std::vector<float>>(static_cast<size_t>(c));
  if (training) {
    std::vector<double> batch_mean(static_cast<size_t>(c)), batch_var(static_cast<size_t>(c));
    kernels::batch_norm_forward_train(xc.data<float>(), out.data<float>(), w, b, n, c, p, eps, batch_mean.data(),
                                      batch_var.data(), invstd->data(), relu);
    for (int64_t ch = 0; ch < c; ++ch) (*mean)[ch] = static_cast<float>(batch_mean[ch]);
    if (running_mean.defined()) {
      // Buffers, updated outside the graph (as under no_grad), in double like PyTorch.
      NoGradGuard no_grad;
      const double mom = momentum, unbias = static_cast<double>(m) / static_cast<double>(m - 1);
      float* rm = running_mean.data<float>();
      float* rv = running_var.data<float>();
      const int64_t sm = running_mean.stride(0), sv = running_var.stride(0);
      for (int64_t ch = 0; ch < c; ++ch) {
        rm[ch * sm] = static_cast<float>((1.0 - mom) * rm[ch * sm] + mom * batch_mean[ch]);
        rv[ch * sv] = static_cast<float>((1.0 - mom) * rv[ch * sv] + mom * batch_var[ch] * unbias);
      }
      running_mean.bump_version();
      running_var.bump_version();
    }
  } else {
    *mean = running_mean.to_vector<float>();  // copied: later updates do not reach this graph
    const std::vector<float> var = running_var.to_vector<float>();
    for (int64_t ch = 0; ch < c; ++ch) {
      (*invstd)[ch] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(var[ch]) + eps));
    }
    kernels::batch_norm_forward_apply(xc.data<float>(), out.data<float>(), mean->data(), invstd->data(), w, b, n, c, p,
                                      relu);
  }

  if (autograd::needs_graph({x, weight, bias})) {
    SavedTensor saved_x(xc), saved_w(wc), saved_out(relu ? out : Tensor());
    const Shape shape = x.shape();
    const char* name = relu ? (training ? "BatchNorm2dReluBackward" : "BatchNorm2dReluEvalBackward")
                            : (training ? "BatchNorm2dBackward" : "BatchNorm2dEvalBackward");
    autograd::attach(
        out, name, {x, weight, bias},
        [saved_x, saved_w, saved_out, mean, invstd, shape, training, n, c, p](const Tensor& g, const GradMask& needs) {
          const Tensor xs = saved_x.get();
          const Tensor ws = saved_w.get();
          const Tensor relu_out = saved_out.defined() ? saved_out.get() : Tensor();
          const Tensor gc = contiguous(g);
          Tensor dx = needs[0] ? empty(shape) : Tensor();
          Tensor dw = needs[1] ? empty({c}) : Tensor();
          Tensor db = needs[2] ? empty({c}) : Tensor();
          kernels::batch_norm_backward(
              gc.data<float>(), xs.data<float>(), mean->data(), invstd->data(),
              ws.defined() ? ws.data<float>() : nullptr, dx.defined() ? dx.data<float>() : nullptr,
              dw.defined() ? dw.data<float>() : nullptr, db.defined() ? db.data<float>() : nullptr, n, c, p, training,
              relu_out.defined() ? relu_out.data<float>() : nullptr);
          return TensorList{dx, dw, db};
        });
  }
  if (trace::Tracer* t = trace::active()) {
    t->record({op, {x, running_mean, running_var, weight, bias}, out,
               {{"training", {double(training)}}, {"momentum", {momentum}}, {"eps", {eps}}}});
  }
  return out;
}

}  // namespace

Tensor batch_norm2d(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                    const Tensor& bias, bool training, float momentum, float eps) {
  return batch_norm2d_impl("batch_norm2d", x, running_mean, running_var, weight, bias, training, momentum, eps, false);
}

Tensor batch_norm2d_relu(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                         const Tensor& bias, bool training, float momentum, float eps) {
  return batch_norm2d_impl("batch_norm2d_relu", x, running_mean, running_var, weight, bias, training, momentum, eps,
                           true);
}

}  // namespace ember
