#pragma once
// Shared by conv.cpp, conv_transpose.cpp and conv1d.cpp (defined in conv_common.cpp): argument
// checks and the named geometry the kernels take.
#include "ember/core/tensor.h"
#include "ember/ops/conv.h"
#include "ember/kernels/conv_kernels.h"
#include "ember/ops/window.h"

namespace ember::conv_detail {

// "valid", "same" or "full" as a PaddingMode; throws naming `op` otherwise.
PaddingMode parse_padding_mode(const char* op, std::string_view mode);

// Checks stride, dilation >= 1, padding >= 0 and groups >= 1, naming `op`.
void check_window(const char* op, Int2 stride, const Padding2d& padding, Int2 dilation, int64_t groups);

// The named geometry (kernels::ConvShape) of y = conv(x, w): x [batch, in_channels, in_size] ->
// y [batch, out_channels, out_size], from the ops' option types.
kernels::ConvShape conv_shape(int64_t batch, int64_t in_channels, int64_t out_channels, int64_t groups, Int2 in_size,
                              Int2 kernel, Int2 out_size, Int2 stride, const Padding2d& padding, Int2 dilation);

// The tensor as a contiguous buffer (itself when it already is).
Tensor dense(const Tensor& t);

}  // namespace ember::conv_detail
