#pragma once
// Direct convolution with stride 1 (any dilation and padding), 1-D to 3-D, one group: no column
// matrix. The input is copied once into zero-padded channels; with the output laid out with the
// padded row pitch, kernel tap t of every output position q reads input position q + offset(t),
// so a register block of output channels x consecutive positions accumulates over channels and
// taps with vector loads and broadcast weights (direct_conv-inl.h, one variant per instruction
// set). Positions that fall in the pitch's padding columns are computed and dropped.
//
// The input gradient is the same kernel on dy with the weights flipped and transposed and the
// padding mirrored; the weight gradient (direct_conv_backward_weight) correlates the padded input
// with dy laid out in the same pitch. Each output element is summed in one task in a fixed order (channels, then
// taps): results do not depend on the thread count.
#include <cstdint>

namespace ember::kernels {

// y [batch, out_channels, out_d, out_h, out_w] = conv(x [batch, in_channels, in_d, in_h, in_w],
// w [out_channels, in_channels, kernel_d, kernel_h, kernel_w]), stride 1; the padding after each
// dimension follows from the output size. 2-D: depth 1; 1-D: depth and height 1.
struct DirectConvShape {
  int64_t batch = 0, in_channels = 0, out_channels = 0;
  int64_t in_d = 1, in_h = 1, in_w = 1;
  int64_t kernel_d = 1, kernel_h = 1, kernel_w = 1;
  int64_t dilation_d = 1, dilation_h = 1, dilation_w = 1;
  int64_t pad_front = 0, pad_top = 0, pad_left = 0;
  int64_t out_d = 1, out_h = 1, out_w = 1;
};

// Whether the direct kernel serves this shape's forward and weight gradient: every padding within
// the kernel's span on both sides, enough work per output (input channels x taps) to hide the
// stores, 4 to 32 output channels (fewer leave a tile mostly empty; with more, im2col's GEMM is
// as fast on AVX2), and few positions wasted in the pitch's padding. From the shape alone.
bool direct_conv_fits(const DirectConvShape& shape);
// Whether it serves the input gradient too: the same tests for that pass (a direct convolution of
// dy whose outputs are the input's channels and positions), with 4 to 32 input channels.
bool direct_conv_input_fits(const DirectConvShape& shape);

// y = conv(x, w) (+ bias when not null), then max(y, 0) when relu. y is written.
void direct_conv_forward(const DirectConvShape& shape, const float* x, const float* w, const float* bias, bool relu,
                         float* y);
// dx = the gradient w.r.t. x given dy. dx is written.
void direct_conv_backward_input(const DirectConvShape& shape, const float* dy, const float* w, float* dx);
// dw = the gradient w.r.t. w given x and dy: per output channel, input channel and tap, the sum
// over images and output positions of dy times the input that tap reads, in vectors of partial
// sums over positions, chunk by chunk in a fixed order. dw is written.
void direct_conv_backward_weight(const DirectConvShape& shape, const float* x, const float* dy, float* dw);

}  // namespace ember::kernels
