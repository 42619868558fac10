#pragma once
// Locally connected 2-D layer (unshared convolution): like conv2d, but every output position
// has its own filters, as used on aligned faces (DeepFace) and in Keras' LocallyConnected2D.
#include "ember/core/tensor.h"
#include "ember/ops/window.h"

namespace ember {

// Fluent options: locally_connected2d(x, w, b, LocallyConnected2dOptions().stride(2).padding(1)).
struct LocallyConnected2dOptions {
  Int2 stride_ = 1;
  Padding2d padding_ = 0;

  LocallyConnected2dOptions& stride(Int2 s) { stride_ = s; return *this; }
  LocallyConnected2dOptions& padding(Padding2d p) { padding_ = p; return *this; }
};

// locally_connected2d(x, weight, bias, options)
//   x:      [N, C, H, W] (or unbatched [C, H, W])                 float32
//   weight: [OH, OW, K, C, kh, kw]: position (oh, ow)'s K filters  float32
//   bias:   [K, OH, OW] (one per output channel and position) or undefined
//   out:    [N, K, OH, OW] with OH = floor((H + pad_top + pad_bottom - kh) / stride_h) + 1, OW likewise;
//           out[n, k, oh, ow] = bias[k, oh, ow] + sum_{c, i, j} weight[oh, ow, k, c, i, j] *
//                               x[n, c, oh * stride_h - pad_top + i, ow * stride_w - pad_left + j] (0 outside).
// The weight layout puts each position's [K, C*kh*kw] filter matrix in one dense block, so the op
// is im2col + one GEMM per position. Keras' LocallyConnected2D kernel [OH*OW, kh*kw*C, K] holds the
// same numbers: weight[oh, ow, k, c, i, j] = keras_kernel[oh * OW + ow, (i * kw + j) * C + c, k].
// Parameters: OH * OW * K * C * kh * kw (+ K * OH * OW), versus K * C * kh * kw (+ K) for conv2d.
// Throws ember::Error, naming the shapes, when: x is not 3-D/4-D or weight not 6-D; weight.size(3)
// != C; the window does not fit the padded input; weight's (OH, OW) is not the output size this
// input, stride and padding give; bias is not [K, OH, OW]; stride < 1; padding < 0.
// Backward computes only the needed gradients: dx (GEMM + col2im), dweight (GEMM), dbias (sum).
Tensor locally_connected2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
                           const LocallyConnected2dOptions& options = LocallyConnected2dOptions());

}  // namespace ember
