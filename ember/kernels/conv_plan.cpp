// plan_conv: which kernel path a convolution of a given shape takes (conv_kernels.h).
#include "ember/kernels/conv_kernels.h"
#include "ember/kernels/direct_conv.h"
#include "ember/kernels/winograd.h"

namespace ember::kernels {

namespace {

// Winograd pays off once the channel GEMMs are big enough to amortize the tile transforms, and
// once a plane (each dilation sub-grid's) holds whole 4x4 tiles rather than mostly padding. A
// dilated kernel qualifies when the image, and the output gradient for the input gradient, split
// evenly into dilation x dilation sub-grids.
bool winograd_path_fits(const ConvPlan& plan, const ConvShape& s) {
  if (s.kernel_h != 3 || s.kernel_w != 3 || s.stride_h != 1 || s.stride_w != 1 || s.groups != 1 ||
      s.in_channels < 16 || s.out_channels < 16 || s.dilation_h != s.dilation_w ||
      s.out_h < 4 * s.dilation_h || s.out_w < 4 * s.dilation_w) {
    return false;
  }
  return s.dilation_h == 1 || (s.pad_top == s.pad_left && s.pad_bottom == s.pad_right &&
                               winograd_fits(winograd_shape(plan)));
}

// A row (conv1d's 1 x L images) with 5 taps, stride 1, no dilation: Winograd F(4, 5), once
// there are channels enough for its products and at least two tiles.
bool winograd_row_fits(const ConvShape& s) {
  return s.in_h == 1 && s.out_h == 1 && s.kernel_h == 1 && s.kernel_w == 5 && s.stride_w == 1 &&
         s.dilation_w == 1 && s.pad_top == 0 && s.pad_bottom == 0 && s.groups == 1 && s.in_channels >= 16 &&
         s.out_channels >= 16 && s.out_w >= 8;
}

// Stride 1 and one group, where the direct kernel takes the shape (direct_conv_fits).
bool direct_fits(const ConvPlan& plan) {
  return plan.groups == 1 && plan.group.stride_h == 1 && plan.group.stride_w == 1 &&
         direct_conv_fits(direct_conv_shape(plan));
}

}  // namespace

Winograd3x3Shape winograd_shape(const ConvPlan& p) {
  const ConvGeometry& g = p.group;
  return {p.batch, p.in_channels, p.out_channels, g.in_h, g.in_w, g.out_h, g.out_w, g.pad_top, g.pad_left,
          g.dilation_h};
}

WinogradRowShape winograd_row_shape(const ConvPlan& p) {
  const ConvGeometry& g = p.group;
  return {p.batch, p.in_channels, p.out_channels, g.in_w, g.out_w, g.pad_left};
}

DirectConvShape direct_conv_shape(const ConvPlan& p) {
  const ConvGeometry& g = p.group;
  DirectConvShape s;
  s.batch = p.batch;
  s.in_channels = p.in_channels;
  s.out_channels = p.out_channels;
  s.in_h = g.in_h;
  s.in_w = g.in_w;
  s.kernel_h = g.kernel_h;
  s.kernel_w = g.kernel_w;
  s.dilation_h = g.dilation_h;
  s.dilation_w = g.dilation_w;
  s.pad_top = g.pad_top;
  s.pad_left = g.pad_left;
  s.out_h = g.out_h;
  s.out_w = g.out_w;
  return s;
}

ConvPlan plan_conv(const ConvShape& s, bool force_im2col) {
  ConvPlan plan;
  plan.batch = s.batch;
  plan.in_channels = s.in_channels;
  plan.out_channels = s.out_channels;
  plan.groups = s.groups;
  plan.group = {s.in_channels / s.groups, s.in_h,     s.in_w,       s.kernel_h,   s.kernel_w,
                s.out_h,                  s.out_w,    s.stride_h,   s.stride_w,   s.pad_top,
                s.pad_left,               s.dilation_h, s.dilation_w};
  // One input channel per group, several groups (depthwise): direct loops beat building a column
  // matrix of kernel_h*kernel_w rows per channel. A single-channel image (LeNet's first layer) is
  // not depthwise here: with several images per GEMM (conv_batched.cpp) im2col is faster.
  const bool depthwise = s.groups == s.in_channels && s.groups > 1;
  const bool pointwise = s.kernel_h == 1 && s.kernel_w == 1 && s.stride_h == 1 && s.stride_w == 1 &&
                         s.pad_top == 0 && s.pad_bottom == 0 && s.pad_left == 0 && s.pad_right == 0 &&
                         s.out_h == s.in_h && s.out_w == s.in_w;
  plan.path = force_im2col       ? ConvPath::im2col
              : depthwise        ? ConvPath::depthwise
              : pointwise        ? ConvPath::pointwise
              : winograd_path_fits(plan, s) ? ConvPath::winograd
              : winograd_row_fits(s) ? ConvPath::winograd_row
              : direct_fits(plan) ? ConvPath::direct
                                 : ConvPath::im2col;
  plan.input_grad_path =
      plan.path == ConvPath::direct && !direct_conv_input_fits(direct_conv_shape(plan)) ? ConvPath::im2col : plan.path;
  return plan;
}

}  // namespace ember::kernels
