#include "ember/nn/conv.h"

#include <fmt/format.h>

#include "ember/nn/init.h"

namespace ember::nn {

namespace {

void check_channels(const char* layer, int64_t in, int64_t out, Int2 kernel, int64_t groups) {
  EMBER_CHECK(in >= 1 && out >= 1, "{}: in_channels {} and out_channels {} must be at least 1", layer, in, out);
  EMBER_CHECK(kernel.h >= 1 && kernel.w >= 1, "{}: kernel_size must be at least 1, got {}", layer, ember::to_string(kernel));
  EMBER_CHECK(groups >= 1 && in % groups == 0 && out % groups == 0,
              "{}: groups {} must divide in_channels {} and out_channels {}", layer, groups, in, out);
}

}  // namespace

Conv2d::Conv2d(const Conv2dOptions& o) : Module("Conv2d"), options_(o) {
  check_channels("Conv2d", o.in_channels_, o.out_channels_, o.kernel_size_, o.conv_.groups_);
  weight = register_parameter(
      "weight", empty({o.out_channels_, o.in_channels_ / o.conv_.groups_, o.kernel_size_.h, o.kernel_size_.w}));
  if (o.bias_) bias = register_parameter("bias", empty({o.out_channels_}));
  init::default_conv_init(weight, bias);
}

Tensor Conv2d::forward(const Tensor& x) {
  return relu_fused() ? conv2d_relu(x, weight, bias, options_.conv_) : conv2d(x, weight, bias, options_.conv_);
}

int64_t Conv2d::flops(const Shape&, const Shape& output) const {
  // Each output: (in / groups) * kh * kw multiply-adds.
  const int64_t per_output = options_.in_channels_ / options_.conv_.groups_ * options_.kernel_size_.h *
                             options_.kernel_size_.w;
  return 2 * numel_of(output) * per_output;
}

std::string Conv2d::extra_repr() const {
  const auto& c = options_.conv_;
  std::string s = fmt::format("{}, {}, kernel_size={}, stride={}", options_.in_channels_, options_.out_channels_,
                              ember::to_string(options_.kernel_size_), ember::to_string(c.stride_));
  if (c.padding_mode_ == PaddingMode::same) s += ", padding=same";
  if (c.padding_mode_ == PaddingMode::full) s += ", padding=full";
  if (c.padding_mode_ == PaddingMode::explicit_sizes && !(c.padding_ == Padding2d(0))) {
    s += ", padding=" + ember::to_string(c.padding_);
  }
  if (!(c.dilation_ == Int2(1))) s += ", dilation=" + ember::to_string(c.dilation_);
  if (c.groups_ != 1) s += fmt::format(", groups={}", c.groups_);
  if (!options_.bias_) s += ", bias=false";
  return s;
}

ConvTranspose2d::ConvTranspose2d(const ConvTranspose2dOptions& o) : Module("ConvTranspose2d"), options_(o) {
  check_channels("ConvTranspose2d", o.in_channels_, o.out_channels_, o.kernel_size_, o.conv_.groups_);
  weight = register_parameter(
      "weight", empty({o.in_channels_, o.out_channels_ / o.conv_.groups_, o.kernel_size_.h, o.kernel_size_.w}));
  if (o.bias_) bias = register_parameter("bias", empty({o.out_channels_}));
  init::default_conv_init(weight, bias);  // fan from weight.size(1) * kh * kw, as PyTorch
}

Tensor ConvTranspose2d::forward(const Tensor& x) { return conv_transpose2d(x, weight, bias, options_.conv_); }

int64_t ConvTranspose2d::flops(const Shape& input, const Shape&) const {
  // Each input element spreads into (out / groups) * kh * kw multiply-adds.
  const int64_t per_input = options_.out_channels_ / options_.conv_.groups_ * options_.kernel_size_.h *
                            options_.kernel_size_.w;
  return 2 * numel_of(input) * per_input;
}

std::string ConvTranspose2d::extra_repr() const {
  const auto& c = options_.conv_;
  std::string s = fmt::format("{}, {}, kernel_size={}, stride={}", options_.in_channels_, options_.out_channels_,
                              ember::to_string(options_.kernel_size_), ember::to_string(c.stride_));
  if (!(c.padding_ == Padding2d(0))) s += ", padding=" + ember::to_string(c.padding_);
  if (!(c.output_padding_ == Int2(0))) s += ", output_padding=" + ember::to_string(c.output_padding_);
  if (c.groups_ != 1) s += fmt::format(", groups={}", c.groups_);
  if (!options_.bias_) s += ", bias=false";
  return s;
}

}  // namespace ember::nn
