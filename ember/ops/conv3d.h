#pragma once
// conv3d: 3-D convolution, differentiable, with the options of conv2d (stride, padding sizes or
// "valid"/"same"/"full", dilation, groups). Layouts as PyTorch: NCDHW activations, weights
// [out, in/groups, kd, kh, kw]. The output size along each dimension is
//   out = floor((in + pad_before + pad_after - dilation * (k - 1) - 1) / stride) + 1
// (PyTorch's formula, with per-side padding so "same" works for even kernels). vol2col + GEMM
// (kernels/conv3d_kernels.h) or 3-D Winograd; only the needed gradients are computed.
#include <string_view>

#include "ember/core/tensor.h"
#include "ember/ops/conv.h"
#include "ember/ops/window.h"

namespace ember {

// conv2d's options in 3-D (ops/conv.h): conv3d(x, w, b, Conv3dOptions().stride({1, 2, 2}).padding(1)),
// nn::Conv3d(Conv3dOptions(3, 8, {3, 5, 5}).padding(1, 2, 2)). ConvAlgorithm::im2col forces
// vol2col + GEMM.
using Conv3dOptions = ConvOptions<Int3, Padding3d>;

// conv3d(x, weight, bias, options)
//   x:      [N, C, D, H, W] (or unbatched [C, D, H, W])   float32
//   weight: [K, C / groups, kd, kh, kw]                    float32
//   bias:   [K] or undefined
//   out:    [N, K, OD, OH, OW], OD = floor((D + pad_front + pad_back - dilation_d * (kd - 1) - 1) / stride_d) + 1,
//           OH and OW likewise.
// Throws ember::Error, naming the shapes, for the conv1d errors above in 3-D terms (x not 4-D/5-D,
// weight not 5-D, ...).
Tensor conv3d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
              const Conv3dOptions& options = Conv3dOptions());

}  // namespace ember
