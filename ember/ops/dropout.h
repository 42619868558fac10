#pragma once
// Dropout, differentiable, float32. The masks come from a Generator, drawn in a fixed order, so
// a seed gives the same mask whatever the thread count.
#include "ember/core/random.h"
#include "ember/core/tensor.h"

namespace ember {

// Inverted dropout, as torch.nn.functional.dropout:
//   x: float32, any shape and strides; p: the probability of zeroing an element, in [0, 1]
//   out = x * mask / (1 - p), mask[i] = 1 with probability 1 - p, else 0; float32 with x's
//   shape, contiguous. One uniform draw per element from `gen` (the default generator if null),
//   in x's row-major order: element i is kept when the i-th draw u satisfies u < 1 - p.
// Returns x itself (no copy, no draws) when training is false or p == 0. p == 1 returns zeros
// (no draws; the gradient is zero). Backward multiplies the gradient by the saved mask / (1 - p).
// Throws ember::Error for an undefined or non-float32 x, or p outside [0, 1] (also in eval mode).
Tensor dropout(const Tensor& x, float p = 0.5f, bool training = true, Generator* gen = nullptr);

// Channel dropout, as torch.nn.functional.dropout2d: zeroes whole channels.
//   x: float32 [N, C, H, W]; one draw per (n, c), in row-major order, kept when u < 1 - p;
//   out[n, c] = x[n, c] * mask[n, c] / (1 - p).
// Same identity, p == 1 and error rules as dropout; also throws if x is not 4-D.
Tensor dropout2d(const Tensor& x, float p = 0.5f, bool training = true, Generator* gen = nullptr);

}  // namespace ember
