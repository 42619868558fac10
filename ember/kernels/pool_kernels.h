#pragma once
// Pooling kernels on float32, autograd-free (ops/pool.cpp wraps them with gradients).
//
// Layout: every tensor is contiguous with the two spatial dims last, [..., H, W]; each leading
// index is one independent H x W plane (N*C planes for NCHW, C for CHW). Outputs keep the leading
// dims and replace the last two. Planes run in parallel, each written by exactly one task, so
// results are bitwise identical for any thread count. Indices are int64 flat positions inside an
// input plane (ih * W + iw), as in PyTorch. The kernels trust their arguments: ops/pool.cpp
// validates shapes and options first.
#include <cstdint>
#include <utility>
#include <vector>

#include "ember/core/tensor.h"

namespace ember::kernels {

// One sliding-window sweep over an in_h x in_w plane producing out_h x out_w windows.
// Window (oh, ow) covers input rows oh*stride_h - pad_top + kh*dilation_h for kh < kernel_h (and
// the same for columns); positions outside the input are padding.
struct Pool2dGeometry {
  int64_t in_h = 0, in_w = 0, out_h = 0, out_w = 0;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
};

// ---- max pooling (padding is -inf) ----
// Values [..., out_h, out_w] and, if with_indices, int64 indices of the same shape (else an
// undefined tensor). Scan order is row-major within the window; a later element replaces the
// running maximum if it is greater or NaN, so ties keep the first maximum and NaN propagates
// (the last NaN wins), exactly as PyTorch. A window lying wholly in the padding (possible with
// dilation) gives -inf and PyTorch's index for it: (first row tap stepped to >= 0) * in_w + (first
// column tap stepped to >= 0), which lies outside the window.
std::pair<Tensor, Tensor> max_pool2d(const Tensor& x, const Pool2dGeometry& g, bool with_indices = true);
// The same result from plain nested loops: the reference the fast kernel is tested against.
std::pair<Tensor, Tensor> max_pool2d_naive(const Tensor& x, const Pool2dGeometry& g);
// Gradient w.r.t. the input: each grad_out element is added at its saved index (windows wholly in
// the padding send nothing). grad_out and indices are [..., out_h, out_w]; returns [..., in_h, in_w].
Tensor max_pool2d_backward(const Tensor& grad_out, const Tensor& indices, const Pool2dGeometry& g);

// A compact argmax for backward when the caller does not want indices: per output, one byte
// naming the window tap (kh * kernel_w + kw) that holds the maximum, or kNone for a window wholly
// in the padding. An eighth of int64 indices, so the forward writes and the backward reads less.
struct MaxPoolTaps {
  static constexpr uint8_t kNone = 255;
  std::vector<uint8_t> taps;  // in output order
};
// Whether the compact form covers g (fewer than 255 taps, plane offsets within int32).
bool max_pool2d_taps_supported(const Pool2dGeometry& g);
// Values as max_pool2d; the argmax goes to `taps`. Requires max_pool2d_taps_supported(g).
Tensor max_pool2d(const Tensor& x, const Pool2dGeometry& g, MaxPoolTaps& taps);
// The same gradient as the index form, from the taps.
Tensor max_pool2d_backward(const Tensor& grad_out, const MaxPoolTaps& taps, const Pool2dGeometry& g);

// ---- average pooling (no dilation: dilation_h/w must be 1) ----
// Window sums divided by PyTorch's divisor: with count_include_pad, the window clipped to the
// padded input (rows [oh*sh - pt, min(that + kh, in_h + pb)), so a ceil-mode window hanging past
// the bottom padding counts only up to it); without, the number of real input elements.
Tensor avg_pool2d(const Tensor& x, const Pool2dGeometry& g, bool count_include_pad);
// Each grad_out element divided by its window's divisor and added to the window's input elements.
Tensor avg_pool2d_backward(const Tensor& grad_out, const Pool2dGeometry& g, bool count_include_pad);

// ---- adaptive pooling ----
// Bin i of an output of length out over an input of length in covers [floor(i*in/out),
// ceil((i+1)*in/out)): PyTorch's rule. Bins overlap when out does not divide in, and repeat
// input elements when out > in.
int64_t adaptive_bin_start(int64_t i, int64_t in, int64_t out);
int64_t adaptive_bin_end(int64_t i, int64_t in, int64_t out);

Tensor adaptive_avg_pool2d(const Tensor& x, int64_t out_h, int64_t out_w);
Tensor adaptive_avg_pool2d_backward(const Tensor& grad_out, int64_t in_h, int64_t in_w);
// Values and int64 indices, with max_pool2d's tie and NaN rules.
std::pair<Tensor, Tensor> adaptive_max_pool2d(const Tensor& x, int64_t out_h, int64_t out_w);
Tensor adaptive_max_pool2d_backward(const Tensor& grad_out, const Tensor& indices, int64_t in_h, int64_t in_w);

}  // namespace ember::kernels
