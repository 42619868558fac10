#include "ember/nn/separable.h"

#include <fmt/format.h>

namespace ember::nn {

SpatiallySeparableConv2d::SpatiallySeparableConv2d(const SpatiallySeparableConv2dOptions& o)
    : Module("SpatiallySeparableConv2d"), options_(o) {
  EMBER_CHECK(o.in_channels_ >= 1 && o.out_channels_ >= 1 && o.mid_channels_ >= 0,
              "SpatiallySeparableConv2d: in_channels {}, out_channels {} must be at least 1 and mid_channels {} "
              "at least 0 (0 = out_channels)",
              o.in_channels_, o.out_channels_, o.mid_channels_);
  EMBER_CHECK(o.kernel_size_ >= 1 && o.stride_ >= 1 && o.dilation_ >= 1 && o.padding_ >= 0,
              "SpatiallySeparableConv2d: kernel_size {}, stride {} and dilation {} must be at least 1 and padding {} "
              "at least 0",
              o.kernel_size_, o.stride_, o.dilation_, o.padding_);
  const int64_t k = o.kernel_size_, s = o.stride_, p = o.padding_, d = o.dilation_;
  vertical = register_module("vertical", std::make_shared<Conv2d>(Conv2dOptions(o.in_channels_, o.mid(), {k, 1})
                                                                      .stride({s, 1})
                                                                      .padding(p, 0)
                                                                      .dilation({d, 1})
                                                                      .bias(o.bias_)));
  horizontal = register_module("horizontal", std::make_shared<Conv2d>(Conv2dOptions(o.mid(), o.out_channels_, {1, k})
                                                                          .stride({1, s})
                                                                          .padding(0, p)
                                                                          .dilation({1, d})
                                                                          .bias(o.bias_)));
}

Tensor SpatiallySeparableConv2d::forward(const Tensor& x) { return (*horizontal)((*vertical)(x)); }

int64_t SpatiallySeparableConv2d::parameter_count(const SpatiallySeparableConv2dOptions& o) {
  const int64_t k = o.kernel_size_, mid = o.mid();
  return k * o.in_channels_ * mid + k * mid * o.out_channels_ + (o.bias_ ? mid + o.out_channels_ : 0);
}

int64_t SpatiallySeparableConv2d::full_conv_parameter_count(const SpatiallySeparableConv2dOptions& o) {
  return o.kernel_size_ * o.kernel_size_ * o.in_channels_ * o.out_channels_ + (o.bias_ ? o.out_channels_ : 0);
}

std::string SpatiallySeparableConv2d::extra_repr() const {
  const auto& o = options_;
  std::string s = fmt::format("{}, {}, kernel_size={}, mid_channels={}", o.in_channels_, o.out_channels_,
                              o.kernel_size_, o.mid());
  if (o.stride_ != 1) s += fmt::format(", stride={}", o.stride_);
  if (o.padding_ != 0) s += fmt::format(", padding={}", o.padding_);
  if (o.dilation_ != 1) s += fmt::format(", dilation={}", o.dilation_);
  if (!o.bias_) s += ", bias=false";
  return s;
}

}  // namespace ember::nn
