#pragma once
// Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_. Parameters whose grad
// is undefined are skipped.
#include <limits>

#include "ember/core/tensor.h"

namespace ember::optim {

// The norm of all gradients together (as if concatenated): (sum |g|^p)^(1/p), or max |g| for
// norm_type = infinity; accumulated in double in fixed chunks, so it is deterministic and
// independent of the thread count. If it exceeds max_norm, every gradient is scaled in place by
// max_norm / (total_norm + 1e-6), as PyTorch does. Returns the total norm before clipping
// (0 when no parameter has a gradient). Throws if norm_type is not > 0 or max_norm < 0.
double clip_grad_norm_(const TensorList& params, double max_norm, double norm_type = 2.0);

// Clamps every gradient element to [-clip_value, clip_value]; clip_value must be >= 0.
void clip_grad_value_(const TensorList& params, double clip_value);

inline constexpr double kInfNorm = std::numeric_limits<double>::infinity();

}  // namespace ember::optim
