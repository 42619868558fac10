#pragma once
// Winograd F(4x4, 3x3) convolution: 3x3, stride 1, one group, any dilation whose sub-grids split
// evenly (winograd_fits). Each 4x4 output tile comes from a 6x6 input tile with 36
// multiplications per channel pair instead of 144, so the GEMM work is 4x smaller than im2col's.
// The 36 element-wise products over channels are 36 GEMMs, batched over the tiles of a fixed chunk
// of images:
//   forward         M[xi] [K x tiles] = U[xi] [K x C] @ V[xi] [C x tiles]
//   input gradient  the forward of dy with the kernel flipped and transposed, padding 2d - pad
//   weight gradient dU[xi] [K x C] = sum over tiles of dM[xi] [K x tiles] @ V[xi]^T, where
//                   dM = A dy A^T is the adjoint of the output transform, then dW = G^T dU G
// (U = G g G^T, V = B^T d B, y = A^T M A, Lavin & Gray's points 0, +-1, +-2).
//
// Error: the transforms multiply by up to 8 and divide by up to 24, so float32 results differ
// from a direct sum by a few 1e-6 of the result's scale. tests/ops/test_winograd.cpp measures it
// against a double-precision reference (largest error / largest value): 1.2e-6 to 4e-6 at 16
// channels, 5.6e-6 to 6.5e-6 at 64 channels on 32x32, and checks it stays under 2e-5.
#include <cstdint>

namespace ember::kernels {

// y [batch, out_channels, out_h, out_w] = conv(x [batch, in_channels, in_h, in_w],
// w [out_channels, in_channels, 3, 3]); window (r, c) starts at input (r - pad_top, c - pad_left),
// taps dilation apart, and reads zeros outside x.
struct Winograd3x3Shape {
  int64_t batch = 0, in_channels = 0, out_channels = 0;
  int64_t in_h = 0, in_w = 0, out_h = 0, out_w = 0;
  int64_t pad_top = 0, pad_left = 0;
  int64_t dilation = 1;
};

// Whether the shape runs here: a dilated kernel needs the image, the output and the padding of
// both it and its input gradient's convolution to split into dilation x dilation sub-grids.
bool winograd_fits(const Winograd3x3Shape& s);

// y = conv(x, w), written.
void winograd_forward(const Winograd3x3Shape& s, const float* x, const float* w, float* y);
// dx = the gradient w.r.t. x given dy, written.
void winograd_backward_input(const Winograd3x3Shape& s, const float* dy, const float* w, float* dx);
// dw = the gradient w.r.t. w given x and dy, written. Images are summed in fixed chunks added in
// order, so the result does not depend on the thread count.
void winograd_backward_weight(const Winograd3x3Shape& s, const float* x, const float* dy, float* dw);

// Winograd F(4, 5) for rows: 1-D convolutions (conv1d, conv2d on 1 x L images) with 5 taps,
// stride 1, no dilation, one group. Each 4 outputs come from 8 inputs with 8 multiplications per
// channel pair instead of 20 (points 0, +-1, +-2, +-1/2, infinity), through the same products
// kernel and the same three passes as the 2-D version. Measured error (test_winograd.cpp): 6e-7
// to 1.4e-6 of the result's scale (64 channels: 1.1e-6 to 1.4e-6).
// y [batch, out_channels, out_w] = conv(x [batch, in_channels, in_w], w [out_channels, in_channels,
// 5]); window c starts at input c - pad_left.
struct WinogradRowShape {
  int64_t batch = 0, in_channels = 0, out_channels = 0;
  int64_t in_w = 0, out_w = 0, pad_left = 0;
};

void winograd_row_forward(const WinogradRowShape& s, const float* x, const float* w, float* y);
void winograd_row_backward_input(const WinogradRowShape& s, const float* dy, const float* w, float* dx);
void winograd_row_backward_weight(const WinogradRowShape& s, const float* x, const float* dy, float* dw);

// 3-D convolutions with kernel_d x 3 x 3 kernels, stride 1, no dilation, one group: F(4x4, 3x3)
// in every depth slice, summed directly over the kernel's depth (each input slice transformed
// once per image, its products accumulated into every output slice that reads it).
// y [batch, out_channels, out_d, out_h, out_w] = conv3d(x [batch, in_channels, in_d, in_h, in_w],
// w [out_channels, in_channels, kernel_d, 3, 3]); window (d, r, c) starts at input
// (d - pad_front, r - pad_top, c - pad_left).
struct Winograd3dShape {
  int64_t batch = 0, in_channels = 0, out_channels = 0;
  int64_t in_d = 0, in_h = 0, in_w = 0, out_d = 0, out_h = 0, out_w = 0;
  int64_t kernel_d = 3, pad_front = 0, pad_top = 0, pad_left = 0;
};

void winograd3d_forward(const Winograd3dShape& s, const float* x, const float* w, float* y);
void winograd3d_backward_input(const Winograd3dShape& s, const float* dy, const float* w, float* dx);
void winograd3d_backward_weight(const Winograd3dShape& s, const float* x, const float* dy, float* dw);

}  // namespace ember::kernels
