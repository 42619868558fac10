#pragma once
// conv1d: 1-D convolution, differentiable, with the options of conv2d (stride, padding sizes or
// "valid"/"same"/"full", dilation, groups). Layouts as PyTorch: NCL activations, weights
// [out, in/groups, k]. The output size is
//   out = floor((in + pad_left + pad_right - dilation * (k - 1) - 1) / stride) + 1
// (PyTorch's formula, with per-side padding so "same" works for even kernels). It runs as conv2d
// on an [N, C, 1, L] view, so it gets every conv2d kernel path, and computes only the gradients
// that are needed.
#include <string_view>

#include "ember/core/tensor.h"
#include "ember/ops/conv.h"
#include "ember/ops/window.h"

namespace ember {

// conv2d's options in 1-D (ops/conv.h): conv1d(x, w, b, Conv1dOptions().stride(2).padding("same")),
// nn::Conv1d(Conv1dOptions(16, 32, 5)). padding(left, right) pads each side; the algorithm is
// passed on to the conv2d it runs as.
using Conv1dOptions = ConvOptions<int64_t, Padding1d>;

// conv1d(x, weight, bias, options)
//   x:      [N, C, L] (or unbatched [C, L])              float32
//   weight: [K, C / groups, k]                           float32
//   bias:   [K] or undefined
//   out:    [N, K, OL], OL = floor((L + pad_left + pad_right - dilation * (k - 1) - 1) / stride) + 1
// Throws ember::Error, naming the shapes, when: x is not 2-D/3-D or weight not 3-D; C or K is not
// divisible by groups; weight.size(1) != C / groups; bias is not [K]; stride, dilation or groups
// < 1; padding < 0; "same" with stride != 1; the dilated kernel is longer than the padded input.
Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
              const Conv1dOptions& options = Conv1dOptions());

}  // namespace ember
