#pragma once
// Locally connected 2-D layer kernels: im2col, then one GEMM per output position (each position
// has its own weights). Autograd-free; ops/locally_connected.cpp validates and wires the gradients.
//
// Layouts (P = out_h * out_w positions, R = channels * kernel_h * kernel_w taps per window):
//   x      [N, C, H, W]        contiguous
//   weight [P, K, R]           = [OH, OW, K, C, kh, kw] contiguous
//   out    [N, K, P]           = [N, K, OH, OW]
//   bias   [K, P] or null
// out[n, k, p] = sum_r weight[p, k, r] * cols_n[r, p] + bias[k, p], with cols_n = im2col(x[n]).
//
// Work is split by images (im2col, col2im) and by positions (the GEMMs), each output element
// written by one task in a fixed order, so results are identical for any thread count.
#include <cstdint>

#include "ember/kernels/im2col.h"

namespace ember::kernels {

struct LocalPlan {
  int64_t batch = 0, out_channels = 0;
  ConvGeometry geometry{};  // channels, in_h, in_w, kernel, out_h, out_w, stride, padding; dilation 1

  int64_t positions() const { return geometry.out_h * geometry.out_w; }
  int64_t taps() const { return geometry.col_rows(); }
};

void locally_connected_forward(const LocalPlan& plan, const float* x, const float* weight, const float* bias,
                               float* out);
// dx [N, C, H, W] from dy [N, K, P].
void locally_connected_backward_input(const LocalPlan& plan, const float* dy, const float* weight, float* dx);
// dweight [P, K, R] from x and dy; dbias [K, P] (when not null) = dy summed over images, in image order.
void locally_connected_backward_weight(const LocalPlan& plan, const float* x, const float* dy, float* dweight,
                                       float* dbias);

}  // namespace ember::kernels
