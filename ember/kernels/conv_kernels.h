#pragma once
// Convolution kernels on raw NCHW float buffers: forward, gradient w.r.t. input, gradient w.r.t.
// weight, each in an im2col + GEMM form, a pointwise (1x1) form and a direct depthwise form.
// Autograd-free. ops/conv.cpp validates, picks the path and wires the gradients;
// ops/conv_transpose.cpp reuses the same kernels as the adjoint.
//
// Parallelism and determinism: with two or more images, images run in parallel tasks, each with
// serial GEMMs and its own scratch buffer; with one image the GEMMs themselves run in parallel.
// The weight gradient sums per-image products in fixed chunks of images and adds the chunks in
// order. Every choice depends on the shapes only, so results are identical for any thread count.
#include <cstdint>

#include "ember/kernels/im2col.h"

namespace ember::kernels {

enum class ConvPath {
  im2col,     // general: im2col + GEMM per image and group
  pointwise,  // 1x1, stride 1, no padding: the image is already the column matrix
  depthwise,  // groups == in_channels: direct loops, no columns
  winograd,   // 3x3, stride 1, one group, enough channels (dilated when the sub-grids split
              // evenly): Winograd F(4x4, 3x3) for all three passes (winograd.h)
  winograd_row,  // 1 x L rows (conv1d), 5 taps, stride 1, no dilation, one group, enough channels:
                 // Winograd F(4, 5) for all three passes (winograd.h)
  direct,     // stride 1, one group, 4-32 output channels, enough channels x taps (direct_conv.h):
              // direct forward and weight gradient; the input gradient too where its pass fits
};

// The geometry of one 2-D convolution y = conv(x, w), every size named: x [batch, in_channels,
// in_h, in_w], w [out_channels, in_channels/groups, kernel_h, kernel_w], y [batch, out_channels,
// out_h, out_w]; window (oh, ow) starts at (oh * stride_h - pad_top, ow * stride_w - pad_left)
// and its taps are dilation apart. conv1d (as a 1 x L image), conv2d and conv_transpose2d (as
// the adjoint of the conv2d it transposes) describe themselves in it; plan_conv picks the path.
struct ConvShape {
  int64_t batch = 0, in_channels = 0, out_channels = 0, groups = 1;
  int64_t in_h = 0, in_w = 0;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t out_h = 0, out_w = 0;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  int64_t dilation_h = 1, dilation_w = 1;
};

// A planned convolution: its sizes, one group's geometry and the path the kernels take.
struct ConvPlan {
  int64_t batch, in_channels, out_channels, groups;
  ConvGeometry group;  // geometry of one group (group.channels = in_channels / groups)
  ConvPath path;
  // The input gradient's path: `path`, except a direct plan whose input gradient the direct
  // kernel does not take (direct_conv_input_fits: too few input channels, as in LeNet-5's first
  // layer), which goes through im2col.
  ConvPath input_grad_path;

  int64_t in_per_group() const { return in_channels / groups; }
  int64_t out_per_group() const { return out_channels / groups; }
  int64_t in_image() const { return in_channels * group.in_h * group.in_w; }
  int64_t out_plane() const { return group.out_h * group.out_w; }
  int64_t out_image() const { return out_channels * out_plane(); }
  int64_t weight_per_group() const { return out_per_group() * group.col_rows(); }
};

// The plan for `shape`: the path from the geometry alone (never from the machine or the thread
// count, so every run of a shape takes the same path). force_im2col: the general path whatever
// the shape (ConvAlgorithm::im2col, for comparisons).
ConvPlan plan_conv(const ConvShape& shape, bool force_im2col = false);

// The direct kernel's description of a ConvPath::direct plan (direct_conv.h), and Winograd's of
// a ConvPath::winograd plan (winograd.h).
struct DirectConvShape;
DirectConvShape direct_conv_shape(const ConvPlan& plan);
struct Winograd3x3Shape;
Winograd3x3Shape winograd_shape(const ConvPlan& plan);
struct WinogradRowShape;
WinogradRowShape winograd_row_shape(const ConvPlan& plan);

// y = conv(x, w) (+ bias when bias != nullptr), then max(y, 0) when relu. y is written, not accumulated.
void conv_forward(const ConvPlan& plan, const float* x, const float* w, const float* bias, float* y,
                  bool relu = false);
// dx = the gradient w.r.t. x given dy. dx is written, not accumulated.
void conv_backward_input(const ConvPlan& plan, const float* dy, const float* w, float* dx);
// dw = the gradient w.r.t. w given x and dy. dw is written.
void conv_backward_weight(const ConvPlan& plan, const float* x, const float* dy, float* dw);
// The gradients w.r.t. x, w and the bias given dy, each written when its pointer is not null, in
// as few passes over dy as the path allows (stride-1 depthwise: one, for all three).
void conv_backward(const ConvPlan& plan, const float* x, const float* dy, const float* w, float* dx, float* dw,
                   float* db);
// t[n][c][:] += bias[c] (bias may be nullptr), then max(t, 0) when relu, for a [batch, channels, plane] buffer.
void add_channel_bias(float* t, int64_t batch, int64_t channels, int64_t plane, const float* bias, bool relu = false);

// The im2col path with a block of images per GEMM (conv_batched.cpp), which the functions above
// take when uses_batched_im2col(plan): groups == 1 and more than one image fits a block.
int64_t images_per_gemm(const ConvPlan& plan);
bool uses_batched_im2col(const ConvPlan& plan);
void conv_forward_batched(const ConvPlan& plan, const float* x, const float* w, const float* bias, bool relu, float* y);
void conv_backward_input_batched(const ConvPlan& plan, const float* dy, const float* w, float* dx);
void conv_backward_weight_batched(const ConvPlan& plan, const float* x, const float* dy, float* dw);
// sums[c] = sum of t[n][c][:] over n and the plane, in double (the bias gradient).
void channel_sums(const float* t, int64_t batch, int64_t channels, int64_t plane, float* sums);
// A fused ReLU's backward and the bias gradient in one pass: gd = g where y > 0 (relu_grad), and
// sums[c] as channel_sums(gd) computes it, bit for bit (sums may be nullptr).
void relu_grad_channel_sums(const float* g, const float* y, float* gd, int64_t batch, int64_t channels, int64_t plane,
                            float* sums);

}  // namespace ember::kernels
