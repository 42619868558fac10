// Losses: each forward, then its backward right below it.
#include "ember/ops/loss.h"

#include <cmath>

#include "ember/autograd/node.h"
#include "ember/core/parallel.h"
#include "ember/core/profiler.h"
#include "ember/ops/checks.h"
#include "ember/ops/elementwise.h"
#include "ember/kernels/elementwise_kernels.h"
#include "ember/kernels/reduce_kernels.h"
#include "ember/ops/reduce.h"

namespace ember {

using autograd::GradMask;
using autograd::SavedTensor;
using ops_detail::check_float;

namespace {

// Checks class-index targets against [N, C] scores and returns them contiguous.
Tensor checked_targets(const char* op, const Tensor& scores, const Tensor& targets) {
  check_float(op, "input", scores);
  EMBER_CHECK(scores.dim() == 2, "{}: input must be [N, C] (batch, classes), got {}", op, scores.describe());
  ops_detail::check_defined(op, "targets", targets);
  EMBER_CHECK(targets.dtype() == DType::i64, "{}: targets must be int64 class indices, got {}", op,
              targets.describe());
  EMBER_CHECK(targets.dim() == 1 && targets.shape()[0] == scores.shape()[0],
              "{}: targets must be [N] = [{}] to match input {}, got {}", op, scores.shape()[0],
              shape_str(scores.shape()), shape_str(targets.shape()));
  Tensor t = targets.is_contiguous() ? targets : kernels::contiguous_copy(targets);
  const int64_t classes = scores.shape()[1];
  const int64_t* tv = t.data<int64_t>();
  for (int64_t i = 0; i < t.numel(); ++i) {
    EMBER_CHECK(tv[i] >= 0 && tv[i] < classes, "{}: target {} at position {} is out of range for {} classes", op, tv[i],
                i, classes);
  }
  return t;
}

// Reduces per-sample losses (double) to the requested form.
Tensor reduce_losses(const std::vector<double>& losses, Reduction reduction) {
  if (reduction == Reduction::none) {
    std::vector<float> values(losses.begin(), losses.end());
    return from_vector(values, {static_cast<int64_t>(losses.size())});
  }
  double total = 0;
  for (double l : losses) total += l;
  if (reduction == Reduction::mean) total /= static_cast<double>(losses.size());
  return scalar_tensor(static_cast<float>(total));
}

// The gradient each sample's loss receives from the reduced loss's gradient g.
std::vector<float> per_sample_grad(const Tensor& g, int64_t n, Reduction reduction) {
  if (reduction == Reduction::none) return g.to_vector<float>();
  const float scale = reduction == Reduction::mean ? g.item() / static_cast<float>(n) : g.item();
  return std::vector<float>(static_cast<size_t>(n), scale);
}

}  // namespace

Tensor cross_entropy(const Tensor& logits, const Tensor& targets, Reduction reduction, float label_smoothing) {
  EMBER_PROFILE_OP("cross_entropy");
  const Tensor t = checked_targets("cross_entropy", logits, targets);
  EMBER_CHECK(label_smoothing >= 0.0f && label_smoothing <= 1.0f,
              "cross_entropy: label_smoothing must be in [0, 1], got {}", label_smoothing);
  const int64_t n = logits.shape()[0], classes = logits.shape()[1];
  EMBER_CHECK(n > 0 || reduction != Reduction::mean, "cross_entropy: the batch is empty; its mean is undefined");
  const Tensor x = logits.is_contiguous() ? logits : kernels::contiguous_copy(logits);
  Tensor probs = empty({n, classes});  // softmax, kept for backward
  std::vector<double> losses(static_cast<size_t>(n));
  const float* xv = x.data<float>();
  const int64_t* tv = t.data<int64_t>();
  float* pv = probs.data<float>();
  const double smooth = label_smoothing, uniform = classes > 0 ? smooth / static_cast<double>(classes) : 0.0;
  parallel_for(0, n, std::max<int64_t>(1, 8192 / std::max<int64_t>(classes, 1)), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const float* row = xv + i * classes;
      float* p = pv + i * classes;
      float max = -INFINITY;
      for (int64_t c = 0; c < classes; ++c) max = std::max(max, row[c]);
      double total = 0;
      for (int64_t c = 0; c < classes; ++c) {
        p[c] = std::exp(row[c] - max);
        total += p[c];
      }
      const double log_total = std::log(total) + static_cast<double>(max);  // log-sum-exp
      const float inv = static_cast<float>(1.0 / total);
      double sum_logp = 0;
      for (int64_t c = 0; c < classes; ++c) {
        p[c] *= inv;
        if (smooth > 0) sum_logp += static_cast<double>(row[c]) - log_total;
      }
      const double target_logp = static_cast<double>(row[tv[i]]) - log_total;
      losses[i] = -(1.0 - smooth) * target_logp - uniform * sum_logp;
    }
  });
  Tensor out = reduce_losses(losses, reduction);
  if (autograd::needs_graph({logits})) {
    SavedTensor saved_probs(probs), saved_targets(t);
    autograd::attach(out, "CrossEntropyBackward", {logits},
                     [saved_probs, saved_targets, reduction, smooth, uniform](const Tensor& g, const GradMask&) {
                       const Tensor p = saved_probs.get();
                       const int64_t rows = p.shape()[0], cols = p.shape()[1];
                       const std::vector<float> scale = per_sample_grad(g, rows, reduction);
                       const int64_t* tv = saved_targets.get().data<int64_t>();
                       Tensor grad = empty({rows, cols});
                       const float* pv = p.data<float>();
                       float* gv = grad.data<float>();
                       // d loss_i / d x_ic = p_ic - q_ic, q = (1 - s) onehot(t_i) + s / C
                       parallel_for(0, rows, std::max<int64_t>(1, 8192 / std::max<int64_t>(cols, 1)),
                                    [&](int64_t b, int64_t e) {
                                      for (int64_t i = b; i < e; ++i) {
                                        const float s = scale[i];
                                        for (int64_t c = 0; c < cols; ++c) {
                                          const double q = uniform + (c == tv[i] ? 1.0 - smooth : 0.0);
                                          gv[i * cols + c] = static_cast<float>((pv[i * cols + c] - q) * s);
                                        }
                                      }
                                    });
                       return TensorList{grad};
                     });
  }
  return out;
}

Tensor nll_loss(const Tensor& log_probs, const Tensor& targets, Reduction reduction) {
  EMBER_PROFILE_OP("nll_loss");
  const Tensor t = checked_targets("nll_loss", log_probs, targets);
  const int64_t n = log_probs.shape()[0];
  EMBER_CHECK(n > 0 || reduction != Reduction::mean, "nll_loss: the batch is empty; its mean is undefined");
  const int64_t* tv = t.data<int64_t>();
  std::vector<double> losses(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) losses[i] = -static_cast<double>(log_probs.at({i, tv[i]}));
  Tensor out = reduce_losses(losses, reduction);
  if (autograd::needs_graph({log_probs})) {
    SavedTensor saved_targets(t);
    const Shape shape = log_probs.shape();
    autograd::attach(out, "NllLossBackward", {log_probs},
                     [saved_targets, shape, reduction](const Tensor& g, const GradMask&) {
                       const std::vector<float> scale = per_sample_grad(g, shape[0], reduction);
                       const int64_t* tv = saved_targets.get().data<int64_t>();
                       Tensor grad = zeros(shape);
                       float* gv = grad.data<float>();
                       for (int64_t i = 0; i < shape[0]; ++i) gv[i * shape[1] + tv[i]] = -scale[i];
                       return TensorList{grad};
                     });
  }
  return out;
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  EMBER_PROFILE_OP("mse_loss");
  check_float("mse_loss", "input", input);
  check_float("mse_loss", "target", target);
  EMBER_CHECK(input.shape() == target.shape(), "mse_loss: input {} and target {} must have the same shape",
              shape_str(input.shape()), shape_str(target.shape()));
  const Tensor squared = kernels::map_binary(
      input, target, [](float a, float b) { return (a - b) * (a - b); }, "mse_loss");
  Tensor out = reduction == Reduction::none ? squared
               : reduction == Reduction::sum ? scalar_tensor(static_cast<float>(kernels::sum_all(squared)))
                                             : scalar_tensor(static_cast<float>(kernels::sum_all(squared) /
                                                                                 static_cast<double>(squared.numel())));
  if (autograd::needs_graph({input, target})) {
    SavedTensor saved_input(input), saved_target(target);
    autograd::attach(out, "MseLossBackward", {input, target},
                     [saved_input, saved_target, reduction](const Tensor& g, const GradMask& needs) {
                       const Tensor a = saved_input.get(), b = saved_target.get();
                       const float scale = reduction == Reduction::mean ? 2.0f / static_cast<float>(a.numel()) : 2.0f;
                       // g is a scalar for mean/sum and elementwise for none; both broadcast.
                       const Tensor diff = kernels::map_ternary(
                           kernels::map_binary(a, b, [](float x, float y) { return x - y; }, "mse_loss"), g, g,
                           [scale](float d, float gv, float) { return scale * d * gv; });
                       return TensorList{needs[0] ? diff : Tensor(), needs[1] ? neg(diff) : Tensor()};
                     });
  }
  return out;
}

}  // namespace ember
