#pragma once
// Loss functions, differentiable.
#include "ember/core/tensor.h"

namespace ember {

enum class Reduction { mean, sum, none };

// Softmax cross-entropy fused with log_softmax, as torch.nn.functional.cross_entropy with class
// indices:
//   logits: float32 [N, C]; targets: int64 [N] with values in [0, C)
//   loss_i = -(1 - s) * log p_i[t_i] - (s / C) * sum_c log p_i[c],  s = label_smoothing in [0, 1]
// Returns the mean over N (default), the sum, or the [N] losses. Stable for huge logits (the row
// max is subtracted before exp). The gradient is (softmax - target distribution) / N, computed in
// one pass from the probabilities saved by the forward.
Tensor cross_entropy(const Tensor& logits, const Tensor& targets, Reduction reduction = Reduction::mean,
                     float label_smoothing = 0.0f);

// Negative log-likelihood of log-probabilities (e.g. log_softmax output):
//   log_probs: float32 [N, C]; targets: int64 [N] in [0, C); loss_i = -log_probs[i, t_i].
Tensor nll_loss(const Tensor& log_probs, const Tensor& targets, Reduction reduction = Reduction::mean);

// Mean squared error: (input - target)^2, reduced. Both must have the same shape (no silent
// broadcasting, a classic source of wrong losses); either may require grad.
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean);

}  // namespace ember
