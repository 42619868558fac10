#pragma once
// Winograd F(2x2, 3x3) convolution: 3x3, stride 1, no dilation, one group. Each 2x2 output tile
// comes from a 4x4 input tile with 16 multiplications per channel pair instead of 36, so the
// GEMM work is 2.25x smaller than im2col's. The 16 element-wise products over channels are 16
// GEMMs [K x C] @ [C x tiles], batched over the tiles of a fixed chunk of images.
//
// Used for conv2d's forward and, with the kernel flipped and transposed, for its input gradient
// (a stride-1 3x3 convolution of dy with padding 2 - pad). The transforms only add, subtract and
// halve, so float32 results stay within a few ulps of im2col's.
#include <cstdint>

namespace ember::kernels {

// y[n][k] = conv3x3(x[n], w[k]) with the given top/left padding; y is [batch, out_channels,
// out_h, out_w] and windows reading outside x see zeros. w is [out_channels][in_channels][3][3].
void winograd_conv3x3(int64_t batch, int64_t in_channels, int64_t in_h, int64_t in_w, int64_t out_channels,
                      int64_t pad_top, int64_t pad_left, int64_t out_h, int64_t out_w, const float* x, const float* w,
                      float* y);

// The same for a dilated 3x3 kernel (dilation d in both directions), when in_h, in_w, out_h,
// out_w, pad_top and pad_left are all multiples of d: the d*d sub-grids of pixels with the same
// (row % d, column % d) are independent undilated 3x3 convolutions with padding pad / d, run as
// one batch of d*d times as many quarter-size images.
bool winograd_dilated_fits(int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w, int64_t pad_top,
                           int64_t pad_left, int64_t dilation);
void winograd_conv3x3_dilated(int64_t batch, int64_t in_channels, int64_t in_h, int64_t in_w, int64_t out_channels,
                              int64_t pad_top, int64_t pad_left, int64_t dilation, int64_t out_h, int64_t out_w,
                              const float* x, const float* w, float* y);

}  // namespace ember::kernels
