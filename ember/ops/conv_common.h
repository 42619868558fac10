#pragma once
// Shared by the convolution ops (conv, conv_transpose, conv1d, conv3d, locally_connected; defined
// in conv_common.cpp, templates here): argument checks and the named geometry the kernels take.
#include "ember/core/tensor.h"
#include "ember/ops/conv.h"
#include "ember/kernels/conv_kernels.h"
#include "ember/ops/window.h"

namespace ember::conv_detail {

// A layer's sizes in a convolution's options (in_channels, out_channels, kernel_size), where set,
// against the ones the op's tensors have: options written for one layer and given to the op with
// another layer's weight are an error, not silently ignored.
template <class Options, class Kernel>
void check_declared_sizes(const char* op, const Options& o, int64_t in_channels, int64_t out_channels,
                          const Kernel& kernel) {
  EMBER_CHECK(o.in_channels() == 0 || o.in_channels() == in_channels,
              "{}: the options say in_channels {} but the input has {} channels", op, o.in_channels(), in_channels);
  EMBER_CHECK(o.out_channels() == 0 || o.out_channels() == out_channels,
              "{}: the options say out_channels {} but the weight makes {}", op, o.out_channels(), out_channels);
  EMBER_CHECK(o.kernel_size() == Kernel(0) || o.kernel_size() == kernel,
              "{}: the options say kernel_size {} but the weight's kernel is {}", op, to_string(o.kernel_size()),
              to_string(kernel));
}

// x [N, C, ...] against weight [K, C / groups, ...] and bias [K] (or undefined), naming `op` and
// the shapes: groups divides C and K, the weight's input channels match, the bias is one per
// output channel.
void check_channels(const char* op, const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t groups);

// Checks stride, dilation >= 1, padding >= 0 and groups >= 1, naming `op`.
void check_window(const char* op, Int2 stride, const Padding2d& padding, Int2 dilation, int64_t groups);

// The named geometry (kernels::ConvShape) of y = conv(x, w): x [batch, in_channels, in_size] ->
// y [batch, out_channels, out_size], from the ops' option types.
kernels::ConvShape conv_shape(int64_t batch, int64_t in_channels, int64_t out_channels, int64_t groups, Int2 in_size,
                              Int2 kernel, Int2 out_size, Int2 stride, const Padding2d& padding, Int2 dilation);

// The tensor as a contiguous buffer (itself when it already is).
Tensor dense(const Tensor& t);

}  // namespace ember::conv_detail
