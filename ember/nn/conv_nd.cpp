#include "ember/nn/conv_nd.h"

#include <fmt/format.h>

#include "ember/nn/init.h"

namespace ember::nn {

namespace {

void check_channels(const char* layer, int64_t in, int64_t out, bool kernel_ok, const std::string& kernel,
                    int64_t groups) {
  EMBER_CHECK(in >= 1 && out >= 1, "{}: in_channels {} and out_channels {} must be at least 1", layer, in, out);
  EMBER_CHECK(kernel_ok, "{}: kernel_size must be at least 1, got {}", layer, kernel);
  EMBER_CHECK(groups >= 1 && in % groups == 0 && out % groups == 0,
              "{}: groups {} must divide in_channels {} and out_channels {}", layer, groups, in, out);
}

// PyTorch's extra_repr tail: the options that differ from their defaults.
std::string options_repr(PaddingMode mode, const std::string& padding, bool zero_padding, const std::string& dilation,
                         bool unit_dilation, int64_t groups, bool bias) {
  std::string s;
  if (mode == PaddingMode::valid) s += ", padding=valid";
  if (mode == PaddingMode::same) s += ", padding=same";
  if (mode == PaddingMode::full) s += ", padding=full";
  if (mode == PaddingMode::explicit_sizes && !zero_padding) s += ", padding=" + padding;
  if (!unit_dilation) s += ", dilation=" + dilation;
  if (groups != 1) s += fmt::format(", groups={}", groups);
  if (!bias) s += ", bias=false";
  return s;
}

}  // namespace

// ---- Conv1d ----

Conv1d::Conv1d(const Conv1dOptions& o) : Module("Conv1d"), options_(o) {
  check_channels("Conv1d", o.in_channels_, o.out_channels_, o.kernel_size_ >= 1, std::to_string(o.kernel_size_),
                 o.conv_.groups_);
  weight = register_parameter("weight", empty({o.out_channels_, o.in_channels_ / o.conv_.groups_, o.kernel_size_}));
  if (o.bias_) bias = register_parameter("bias", empty({o.out_channels_}));
  init::default_conv_init(weight, bias);
}

Tensor Conv1d::forward(const Tensor& x) { return conv1d(x, weight, bias, options_.conv_); }

int64_t Conv1d::flops(const Shape&, const Shape& output) const {
  // Each output: (in / groups) * k multiply-adds.
  return 2 * numel_of(output) * (options_.in_channels_ / options_.conv_.groups_ * options_.kernel_size_);
}

std::string Conv1d::extra_repr() const {
  const auto& c = options_.conv_;
  const std::string padding = c.padding_left_ == c.padding_right_
                                  ? std::to_string(c.padding_left_)
                                  : fmt::format("({}, {})", c.padding_left_, c.padding_right_);
  return fmt::format("{}, {}, kernel_size={}, stride={}", options_.in_channels_, options_.out_channels_,
                     options_.kernel_size_, c.stride_) +
         options_repr(c.padding_mode_, padding, c.padding_left_ == 0 && c.padding_right_ == 0,
                      std::to_string(c.dilation_), c.dilation_ == 1, c.groups_, options_.bias_);
}

// ---- Conv3d ----

Conv3d::Conv3d(const Conv3dOptions& o) : Module("Conv3d"), options_(o) {
  const Int3& k = o.kernel_size_;
  check_channels("Conv3d", o.in_channels_, o.out_channels_, k.d >= 1 && k.h >= 1 && k.w >= 1, ember::to_string(k),
                 o.conv_.groups_);
  weight = register_parameter("weight", empty({o.out_channels_, o.in_channels_ / o.conv_.groups_, k.d, k.h, k.w}));
  if (o.bias_) bias = register_parameter("bias", empty({o.out_channels_}));
  init::default_conv_init(weight, bias);
}

Tensor Conv3d::forward(const Tensor& x) { return conv3d(x, weight, bias, options_.conv_); }

int64_t Conv3d::flops(const Shape&, const Shape& output) const {
  // Each output: (in / groups) * kd * kh * kw multiply-adds.
  const Int3& k = options_.kernel_size_;
  return 2 * numel_of(output) * (options_.in_channels_ / options_.conv_.groups_ * k.d * k.h * k.w);
}

std::string Conv3d::extra_repr() const {
  const auto& c = options_.conv_;
  return fmt::format("{}, {}, kernel_size={}, stride={}", options_.in_channels_, options_.out_channels_,
                     ember::to_string(options_.kernel_size_), ember::to_string(c.stride_)) +
         options_repr(c.padding_mode_, ember::to_string(c.padding_), c.padding_ == Padding3d(0),
                      ember::to_string(c.dilation_), c.dilation_ == Int3(1), c.groups_, options_.bias_);
}

}  // namespace ember::nn
