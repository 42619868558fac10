#pragma once
// Normalization layers' functional forms, differentiable, float32, with hand-written fused
// backward passes. Results do not depend on the thread count.
#include "ember/core/tensor.h"

namespace ember {

// Local response normalization across channels, as torch.nn.functional.local_response_norm:
//   x: float32 [N, C, ...] (at least 3 dims; usually [N, C, H, W]), any strides
//   d[n, c, ...] = k + alpha / size * sum_{j = c - size/2}^{c + (size-1)/2} x[n, j, ...]^2
//                  (channels outside [0, C) count as 0: zero padding)
//   out = x / d^beta, float32 with x's shape, contiguous
// Preconditions: size >= 1; alpha, beta, k finite. An empty x is returned as is.
// Cost O(N * C * H * W) whatever the size (a running window sum). Backward saves out / d and
// d^beta (two tensors of x's size).
// Throws ember::Error for a non-float32 or undefined x, fewer than 3 dims, size < 1, or a
// non-finite alpha, beta or k.
Tensor local_response_norm(const Tensor& x, int64_t size, float alpha = 1e-4f, float beta = 0.75f, float k = 1.0f);

// Batch normalization over [N, H, W] per channel, as torch.nn.functional.batch_norm:
//   x: float32 [N, C, H, W], any strides
//   running_mean, running_var: float32 [C], both defined or both undefined (buffers: never
//     differentiated, never recorded)
//   weight, bias: float32 [C] or undefined (then 1 and 0); differentiable
//   out = (x - mean[c]) / sqrt(var[c] + eps) * weight[c] + bias[c], float32 [N, C, H, W], contiguous
// training = true: mean and var are the batch statistics over N, H, W (biased variance,
//   accumulated in double). If the running stats are defined they are updated in place, outside
//   the graph, bumping their version:
//     running_mean = (1 - momentum) * running_mean + momentum * mean
//     running_var  = (1 - momentum) * running_var  + momentum * var * M / (M - 1)   (M = N*H*W,
//     the unbiased variance, as PyTorch). Needs M > 1.
// training = false: mean and var are the running stats (required), read at call time.
// Gradients for x, weight and bias come from one fused pass per channel, each only if needed.
// Throws ember::Error for: undefined x, non-float32 tensors, x not 4-D, a [C] argument of the
// wrong shape (naming both shapes), running stats missing in eval mode or only one of them
// given, eps <= 0, momentum < 0, training with one value per channel.
Tensor batch_norm2d(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                    const Tensor& bias, bool training, float momentum = 0.1f, float eps = 1e-5f);

// relu(batch_norm2d(...)) in one pass forward and one backward (a BatchNorm2d the fusion pass gave
// its ReLU uses it, nn/fusion.h). Same arguments, checks and results as the two ops in a row.
Tensor batch_norm2d_relu(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                         const Tensor& bias, bool training, float momentum = 0.1f, float eps = 1e-5f);

}  // namespace ember
