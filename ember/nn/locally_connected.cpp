#include "ember/nn/locally_connected.h"

#include <fmt/format.h>

#include <cmath>

#include "ember/nn/init.h"

namespace ember::nn {

LocallyConnected2d::LocallyConnected2d(const LocallyConnected2dOptions& o)
    : Module("LocallyConnected2d"), options_(o) {
  const Int2 k = o.kernel_size(), in = o.input_size(), s = o.stride();
  const Padding2d p = o.padding();
  EMBER_CHECK(o.in_channels() >= 1 && o.out_channels() >= 1,
              "LocallyConnected2d: in_channels {} and out_channels {} must be at least 1", o.in_channels(),
              o.out_channels());
  EMBER_CHECK(k.h >= 1 && k.w >= 1, "LocallyConnected2d: kernel_size must be at least 1, got {}", ember::to_string(k));
  EMBER_CHECK(s.h >= 1 && s.w >= 1, "LocallyConnected2d: stride must be at least 1, got {}", ember::to_string(s));
  EMBER_CHECK(p.top >= 0 && p.bottom >= 0 && p.left >= 0 && p.right >= 0,
              "LocallyConnected2d: padding must be non-negative, got {}", ember::to_string(p));
  EMBER_CHECK(in.h >= 1 && in.w >= 1 && in.h + p.top + p.bottom >= k.h && in.w + p.left + p.right >= k.w,
              "LocallyConnected2d: input_size {} with padding {} must hold the {} kernel", ember::to_string(in),
              ember::to_string(p), ember::to_string(k));
  const int64_t oh = window_output_size(in.h, k.h, s.h, p.top, p.bottom, 1);
  const int64_t ow = window_output_size(in.w, k.w, s.w, p.left, p.right, 1);
  weight = register_parameter("weight", empty({oh, ow, o.out_channels(), o.in_channels(), k.h, k.w}));
  if (o.bias()) bias = register_parameter("bias", empty({o.out_channels(), oh, ow}));
  // Conv2d's default: kaiming_uniform_(a = sqrt(5)) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in being
  // one filter's inputs (in * kh * kw), not the 6-D tensor's dims 1.., then the bias from the same bound.
  const double bound = 1.0 / std::sqrt(static_cast<double>(o.in_channels() * k.h * k.w));
  init::uniform_(weight, -bound, bound);
  if (bias.defined()) init::uniform_(bias, -bound, bound);
}

Tensor LocallyConnected2d::forward(const Tensor& x) { return locally_connected2d(x, weight, bias, options_); }

int64_t LocallyConnected2d::flops(const Shape&, const Shape& output) const {
  // Each output: in * kh * kw multiply-adds, as a convolution (only the weights differ by position).
  return 2 * numel_of(output) * options_.in_channels() * options_.kernel_size().h * options_.kernel_size().w;
}

std::string LocallyConnected2d::extra_repr() const {
  std::string s = fmt::format("{}, {}, kernel_size={}, input_size={}, output_size={}, stride={}",
                              options_.in_channels(), options_.out_channels(), ember::to_string(options_.kernel_size()),
                              ember::to_string(options_.input_size()), ember::to_string(output_size()),
                              ember::to_string(options_.stride()));
  if (!(options_.padding() == Padding2d(0))) s += ", padding=" + ember::to_string(options_.padding());
  if (!options_.bias()) s += ", bias=false";
  return s;
}

}  // namespace ember::nn
