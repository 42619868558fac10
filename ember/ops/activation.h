#pragma once
// Activations and the softmax family, differentiable, float32.
#include "ember/core/tensor.h"

namespace ember {

Tensor relu(const Tensor& x);  // max(x, 0), NaN stays NaN; gradient 0 at 0
Tensor leaky_relu(const Tensor& x, float negative_slope = 0.01f);  // x if x > 0 else slope * x
Tensor sigmoid(const Tensor& x);                                // 1 / (1 + e^-x), stable for large |x|
Tensor tanh(const Tensor& x);
// x * Phi(x), Phi the standard normal CDF: 0.5 * x * (1 + erf(x / sqrt(2))), the exact form
// (PyTorch's gelu with approximate='none'). Any shape; gelu(-inf) is NaN (-inf * 0), as in PyTorch.
Tensor gelu(const Tensor& x);
// x * clamp(x + 3, 0, 6) / 6 (PyTorch's hardswish): 0 for x <= -3, x for x >= 3. Composed from
// add, clamp, mul and div, so its gradient is theirs: at the kinks -3 and 3 it is -0.5 and 1.5,
// as in PyTorch (clamp passes the gradient at its bounds). Traced and exported as those four ops.
Tensor hardswish(const Tensor& x);
// softmax / log_softmax along `dim` (negative counts from the end). Max-subtracted, so huge
// logits give finite results. The output is contiguous with x's shape.
Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);

}  // namespace ember
