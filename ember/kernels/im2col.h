#pragma once
// im2col / col2im for one image and one group: the data movement that turns a convolution into a
// GEMM. Autograd-free, serial (callers parallelize over images), no allocation.
#include <cstdint>

namespace ember::kernels {

// The geometry of one convolution, per group. Input [channels, in_h, in_w]; output
// [out_h, out_w]; the window starts at (oh * stride_h - pad_top, ow * stride_w - pad_left) and its
// taps are dilation apart.
struct ConvGeometry {
  int64_t channels, in_h, in_w;
  int64_t kernel_h, kernel_w;
  int64_t out_h, out_w;
  int64_t stride_h, stride_w;
  int64_t pad_top, pad_left;
  int64_t dilation_h, dilation_w;

  int64_t col_rows() const { return channels * kernel_h * kernel_w; }
  int64_t col_cols() const { return out_h * out_w; }
};

// cols[(c*kh + i)*kw + j][oh*out_w + ow] = x[c][oh*sh - pt + i*dh][ow*sw - pl + j*dw], 0 outside.
// row_stride: the distance between rows of cols (default out_h*out_w); a larger one lets several
// images' columns sit side by side in one matrix, so one GEMM serves them all.
void im2col(const float* x, const ConvGeometry& g, float* cols, int64_t row_stride = 0);

// The adjoint: x[c][ih][iw] += every cols entry im2col would have read from there.
// Accumulates into x (callers zero it first when they want a plain result).
void col2im(const float* cols, const ConvGeometry& g, float* x, int64_t row_stride = 0);

// The naive versions, for tests: one element at a time, straight from the definition.
void im2col_reference(const float* x, const ConvGeometry& g, float* cols);
void col2im_reference(const float* cols, const ConvGeometry& g, float* x);

}  // namespace ember::kernels
