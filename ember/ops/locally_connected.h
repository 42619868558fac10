#pragma once
// Locally connected 2-D layer (unshared convolution): like conv2d, but every output position
// has its own filters, as used on aligned faces (DeepFace) and in Keras' LocallyConnected2D.
#include "ember/core/options.h"
#include "ember/core/tensor.h"
#include "ember/ops/window.h"

namespace ember {

// The options of a locally connected layer, for the op and its layer (nn::LocallyConnected2d):
//   locally_connected2d(x, w, b, LocallyConnected2dOptions().stride(2).padding(1))
//   nn::LocallyConnected2d(LocallyConnected2dOptions(3, 16, 3, {28, 28}).stride(2))
// The layer reads the channels, kernel size, input size and bias; the op reads its weight's.
struct LocallyConnected2dOptions {
  LocallyConnected2dOptions() = default;
  LocallyConnected2dOptions(int64_t in_channels, int64_t out_channels, Int2 kernel_size, Int2 input_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size), input_size_(input_size) {}

  EMBER_ARG(int64_t, in_channels, 0);
  EMBER_ARG(int64_t, out_channels, 0);
  EMBER_ARG(Int2, kernel_size, 0);
  EMBER_ARG(Int2, input_size, 0);  // the weight's shape depends on it
  EMBER_ARG(bool, bias, true);
  EMBER_ARG(Int2, stride, 1);
  EMBER_ARG(Padding2d, padding, 0);
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
