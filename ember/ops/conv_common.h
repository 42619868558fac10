#pragma once
// Shared by conv.cpp and conv_transpose.cpp: argument checks and the plan for the kernels.
#include "ember/core/tensor.h"
#include "ember/ops/kernels/conv_kernels.h"
#include "ember/ops/window.h"

namespace ember::conv_detail {

// Checks stride, dilation >= 1, padding >= 0 and groups >= 1, naming `op`.
void check_window(const char* op, Int2 stride, const Padding2d& padding, Int2 dilation, int64_t groups);

// The plan of the convolution y = conv(x, w): x [batch, in_channels, in_h, in_w] ->
// y [batch, out_channels, out_h, out_w], choosing the kernel path from the shape.
kernels::ConvPlan make_plan(int64_t batch, int64_t in_channels, int64_t out_channels, int64_t groups, int64_t in_h,
                            int64_t in_w, int64_t kernel_h, int64_t kernel_w, int64_t out_h, int64_t out_w, Int2 stride,
                            const Padding2d& padding, Int2 dilation, bool force_im2col);

// The tensor as a contiguous buffer (itself when it already is).
Tensor dense(const Tensor& t);

}  // namespace ember::conv_detail
