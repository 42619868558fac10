#pragma once
// vol2col / col2vol for one image and one group of a 3-D convolution: the data movement that turns
// it into a GEMM, as im2col does in 2-D (and built from im2col: each depth tap of each output
// depth is one im2col of an input slice). Autograd-free, serial (callers parallelize over images),
// no allocation.
#include <cstdint>

#include "ember/kernels/im2col.h"

namespace ember::kernels {

// The geometry of one 3-D convolution, per group. Input [channels, in_d, in_h, in_w]; output
// [out_d, out_h, out_w]; the window starts at (od*stride_d - pad_front, oh*stride_h - pad_top,
// ow*stride_w - pad_left) and its taps are dilation apart.
struct VolGeometry {
  int64_t channels, in_d, in_h, in_w;
  int64_t kernel_d, kernel_h, kernel_w;
  int64_t out_d, out_h, out_w;
  int64_t stride_d, stride_h, stride_w;
  int64_t pad_front, pad_top, pad_left;
  int64_t dilation_d, dilation_h, dilation_w;

  int64_t in_volume() const { return in_d * in_h * in_w; }
  int64_t col_rows() const { return channels * kernel_d * kernel_h * kernel_w; }
  int64_t col_cols() const { return out_d * out_h * out_w; }
  // The 2-D geometry of one input depth slice of one channel (the h and w parts).
  ConvGeometry slice() const {
    return {1, in_h, in_w, kernel_h, kernel_w, out_h, out_w, stride_h, stride_w, pad_top, pad_left, dilation_h, dilation_w};
  }
};

// cols[((c*kd + a)*kh + i)*kw + j][((od - od_begin)*out_h + oh)*out_w + ow] =
//     x[c][od*sd - pf + a*dd][oh*sh - pt + i*dh][ow*sw - pl + j*dw], 0 outside,
// for the output depths od in [od_begin, od_end) (od_end < 0: out_d): a block of the columns,
// (od_end - od_begin) * out_h * out_w wide, so callers can keep it in cache.
void vol2col(const float* x, const VolGeometry& g, float* cols, int64_t od_begin = 0, int64_t od_end = -1);

// The adjoint: x[c][id][ih][iw] += every cols entry vol2col would have read from there, for the
// same block of output depths. Accumulates into x (callers zero it first for a plain result).
void col2vol(const float* cols, const VolGeometry& g, float* x, int64_t od_begin = 0, int64_t od_end = -1);

// The naive versions, for tests: one element at a time, straight from the definition.
void vol2col_reference(const float* x, const VolGeometry& g, float* cols);
void col2vol_reference(const float* cols, const VolGeometry& g, float* x);

}  // namespace ember::kernels
