#include "ember/nn/separable.h"

#include <fmt/format.h>

namespace ember::nn {

SpatiallySeparableConv2d::SpatiallySeparableConv2d(const SpatiallySeparableConv2dOptions& o)
    : Module("SpatiallySeparableConv2d"), options_(o) {
  EMBER_CHECK(o.in_channels() >= 1 && o.out_channels() >= 1 && o.mid_channels() >= 0,
              "SpatiallySeparableConv2d: in_channels {}, out_channels {} must be at least 1 and mid_channels {} "
              "at least 0 (0 = out_channels)",
              o.in_channels(), o.out_channels(), o.mid_channels());
  EMBER_CHECK(o.kernel_size() >= 1 && o.stride() >= 1 && o.dilation() >= 1 && o.padding() >= 0,
              "SpatiallySeparableConv2d: kernel_size {}, stride {} and dilation {} must be at least 1 and padding {} "
              "at least 0",
              o.kernel_size(), o.stride(), o.dilation(), o.padding());
  const int64_t k = o.kernel_size(), s = o.stride(), p = o.padding(), d = o.dilation();
  vertical = register_module("vertical", std::make_shared<Conv2d>(Conv2dOptions(o.in_channels(), o.mid(), {k, 1})
                                                                      .stride({s, 1})
                                                                      .padding(p, 0)
                                                                      .dilation({d, 1})
                                                                      .bias(o.bias())));
  horizontal = register_module("horizontal", std::make_shared<Conv2d>(Conv2dOptions(o.mid(), o.out_channels(), {1, k})
                                                                          .stride({1, s})
                                                                          .padding(0, p)
                                                                          .dilation({1, d})
                                                                          .bias(o.bias())));
}

Tensor SpatiallySeparableConv2d::forward(const Tensor& x) { return (*horizontal)((*vertical)(x)); }

int64_t SpatiallySeparableConv2d::parameter_count(const SpatiallySeparableConv2dOptions& o) {
  const int64_t k = o.kernel_size(), mid = o.mid();
  return k * o.in_channels() * mid + k * mid * o.out_channels() + (o.bias() ? mid + o.out_channels() : 0);
}

int64_t SpatiallySeparableConv2d::full_conv_parameter_count(const SpatiallySeparableConv2dOptions& o) {
  return o.kernel_size() * o.kernel_size() * o.in_channels() * o.out_channels() + (o.bias() ? o.out_channels() : 0);
}

std::string SpatiallySeparableConv2d::extra_repr() const {
  const auto& o = options_;
  std::string s = fmt::format("{}, {}, kernel_size={}, mid_channels={}", o.in_channels(), o.out_channels(),
                              o.kernel_size(), o.mid());
  if (o.stride() != 1) s += fmt::format(", stride={}", o.stride());
  if (o.padding() != 0) s += fmt::format(", padding={}", o.padding());
  if (o.dilation() != 1) s += fmt::format(", dilation={}", o.dilation());
  if (!o.bias()) s += ", bias=false";
  return s;
}

}  // namespace ember::nn
