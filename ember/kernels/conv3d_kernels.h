#pragma once
// 3-D convolution kernels on raw NCDHW float buffers: forward, gradient w.r.t. input, gradient
// w.r.t. weight, each as vol2col + GEMM per image and group (or, for a 1x1x1 kernel with stride 1
// and no padding, the input itself as the column matrix). Autograd-free: ops/conv3d.cpp validates
// and wires the gradients.
//
// The column matrix of a volume is large ((C/groups)*kd*kh*kw rows by OD*OH*OW columns: 28 MiB for
// 16 channels, 3x3x3, 16x32x32), so it is built and consumed in blocks of whole output depths that
// stay in cache (depths_per_block), one GEMM per block.
//
// Parallelism and determinism as the 2-D kernels (conv_parallel.h): images in parallel tasks with
// serial GEMMs, or one image with parallel GEMMs; the weight gradient sums fixed chunks of images
// in order. Results are identical for any thread count.
#include <cstdint>

#include "ember/kernels/vol2col.h"

namespace ember::kernels {

// y = conv3d(x, w): x [batch, in_channels, in_d, in_h, in_w], w [out_channels,
// in_channels/groups, kernel_d, kernel_h, kernel_w], y [batch, out_channels, out_d, out_h, out_w].
struct Conv3dPlan {
  int64_t batch, in_channels, out_channels, groups;
  VolGeometry group;  // geometry of one group (group.channels = in_channels / groups)
  bool pointwise;     // 1x1x1, stride 1, no padding: the input already is the column matrix
  bool general_only = false;  // vol2col + GEMM even where Winograd or the direct kernel would run (tests)

  int64_t in_per_group() const { return in_channels / groups; }
  int64_t out_per_group() const { return out_channels / groups; }
  int64_t in_image() const { return in_channels * group.in_volume(); }
  int64_t out_volume() const { return group.col_cols(); }
  int64_t out_image() const { return out_channels * out_volume(); }
  int64_t weight_per_group() const { return out_per_group() * group.col_rows(); }
};

// How many output depths one block of columns holds: about 512 KiB of floats, at least one depth.
// Depends on the shapes only.
int64_t depths_per_block(const Conv3dPlan& plan);

// y = conv3d(x, w) (+ bias when bias != nullptr). y is written, not accumulated.
void conv3d_forward(const Conv3dPlan& plan, const float* x, const float* w, const float* bias, float* y);
// dx = the gradient w.r.t. x given dy. dx is written.
void conv3d_backward_input(const Conv3dPlan& plan, const float* dy, const float* w, float* dx);
// dw = the gradient w.r.t. w given x and dy. dw is written.
void conv3d_backward_weight(const Conv3dPlan& plan, const float* x, const float* dy, float* dw);

}  // namespace ember::kernels
