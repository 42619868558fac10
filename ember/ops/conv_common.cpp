// What conv2d, conv_transpose2d and conv1d share (ops/conv_common.h).
#include "ember/ops/conv_common.h"

#include "ember/kernels/elementwise_kernels.h"
#include "ember/ops/checks.h"

namespace ember {

namespace conv_detail {

PaddingMode parse_padding_mode(const char* op, std::string_view mode) {
  if (mode == "valid") return PaddingMode::valid;
  if (mode == "same") return PaddingMode::same;
  if (mode == "full") return PaddingMode::full;
  fail("{}: padding mode must be \"valid\", \"same\" or \"full\", got \"{}\"", op, mode);
}

void check_channels(const char* op, const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t groups) {
  const int64_t c = x.size(1), k = weight.size(0);
  EMBER_CHECK(c % groups == 0 && k % groups == 0,
              "{}: groups {} must divide both the input channels ({}) and the output channels ({}) (input {}, "
              "weight {})",
              op, groups, c, k, shape_str(x.shape()), shape_str(weight.shape()));
  EMBER_CHECK(weight.size(1) * groups == c,
              "{}: input has {} channels but weight expects {} ({} per group x {} groups) (input {}, weight {})", op,
              c, weight.size(1) * groups, weight.size(1), groups, shape_str(x.shape()), shape_str(weight.shape()));
  if (bias.defined()) {
    ops_detail::check_float(op, "bias", bias);
    EMBER_CHECK(bias.shape() == Shape{k}, "{}: bias must be [{}] (one per output channel), got {}", op, k,
                shape_str(bias.shape()));
  }
}

void check_window(const char* op, Int2 stride, const Padding2d& padding, Int2 dilation, int64_t groups) {
  EMBER_CHECK(stride.h >= 1 && stride.w >= 1, "{}: stride must be at least 1, got {}", op, to_string(stride));
  EMBER_CHECK(dilation.h >= 1 && dilation.w >= 1, "{}: dilation must be at least 1, got {}", op, to_string(dilation));
  EMBER_CHECK(padding.top >= 0 && padding.bottom >= 0 && padding.left >= 0 && padding.right >= 0,
              "{}: padding must be non-negative, got {}", op, to_string(padding));
  EMBER_CHECK(groups >= 1, "{}: groups must be at least 1, got {}", op, groups);
}

kernels::ConvShape conv_shape(int64_t batch, int64_t in_channels, int64_t out_channels, int64_t groups, Int2 in_size,
                              Int2 kernel, Int2 out_size, Int2 stride, const Padding2d& padding, Int2 dilation) {
  kernels::ConvShape s;
  s.batch = batch;
  s.in_channels = in_channels;
  s.out_channels = out_channels;
  s.groups = groups;
  s.in_h = in_size.h;
  s.in_w = in_size.w;
  s.kernel_h = kernel.h;
  s.kernel_w = kernel.w;
  s.out_h = out_size.h;
  s.out_w = out_size.w;
  s.stride_h = stride.h;
  s.stride_w = stride.w;
  s.pad_top = padding.top;
  s.pad_bottom = padding.bottom;
  s.pad_left = padding.left;
  s.pad_right = padding.right;
  s.dilation_h = dilation.h;
  s.dilation_w = dilation.w;
  return s;
}

Tensor dense(const Tensor& t) { return t.is_contiguous() ? t : kernels::contiguous_copy(t); }

}  // namespace conv_detail

}  // namespace ember
