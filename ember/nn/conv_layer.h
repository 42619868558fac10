#pragma once
// What the convolution layers (Conv1d, Conv2d, Conv3d, ConvTranspose2d) share, over the options
// structs they share with their ops: the checks of the sizes a layer makes its parameters from,
// their parameters, FLOPs and PyTorch's extra_repr. Included by nn/conv.cpp and nn/conv_nd.cpp only.
#include <fmt/format.h>

#include <string>

#include "ember/core/error.h"
#include "ember/core/shape.h"
#include "ember/nn/init.h"
#include "ember/nn/module.h"
#include "ember/ops/conv.h"
#include "ember/ops/window.h"

namespace ember::nn::conv_layer {

inline bool at_least_one(int64_t v) { return v >= 1; }
inline bool at_least_one(const Int2& v) { return v.h >= 1 && v.w >= 1; }
inline bool at_least_one(const Int3& v) { return v.d >= 1 && v.h >= 1 && v.w >= 1; }

inline Shape kernel_dims(int64_t k) { return {k}; }
inline Shape kernel_dims(const Int2& k) { return {k.h, k.w}; }
inline Shape kernel_dims(const Int3& k) { return {k.d, k.h, k.w}; }

// [first, second, kernel...]: [out, in / groups, k...] for a convolution, [in, out / groups, k...]
// for a transposed one.
template <class Size>
Shape weight_shape(int64_t first, int64_t second, const Size& kernel) {
  Shape shape{first, second};
  for (int64_t k : kernel_dims(kernel)) shape.push_back(k);
  return shape;
}

// Multiply-adds per output of a convolution (per input element of a transposed one): channels
// (in / groups, or out / groups) times the kernel's volume.
template <class Size>
int64_t macs_per_element(int64_t channels, const Size& kernel) {
  int64_t macs = channels;
  for (int64_t k : kernel_dims(kernel)) macs *= k;
  return macs;
}

// The channels and kernel size the layer's weight is made from, and groups dividing the channels.
template <class Options>
void check_sizes(const char* layer, const Options& o) {
  const int64_t in = o.in_channels(), out = o.out_channels(), groups = o.groups();
  EMBER_CHECK(in >= 1 && out >= 1, "{}: in_channels {} and out_channels {} must be at least 1", layer, in, out);
  EMBER_CHECK(at_least_one(o.kernel_size()), "{}: kernel_size must be at least 1, got {}", layer,
              ember::to_string(o.kernel_size()));
  EMBER_CHECK(groups >= 1 && in % groups == 0 && out % groups == 0,
              "{}: groups {} must divide in_channels {} and out_channels {}", layer, groups, in, out);
}

// Checks the sizes, then registers the layer's weight, [out, in / groups, k...] (for a transposed
// convolution [in, out / groups, k...]), and its bias [out] when the options ask for one, both
// initialized as PyTorch does.
template <class Options>
void make_parameters(const char* layer, Module& module, const Options& o, bool transposed, Tensor& weight,
                     Tensor& bias) {
  check_sizes(layer, o);
  const int64_t in = o.in_channels(), out = o.out_channels(), groups = o.groups();
  weight = module.register_parameter(
      "weight", empty(transposed ? weight_shape(in, out / groups, o.kernel_size())
                                 : weight_shape(out, in / groups, o.kernel_size())));
  if (o.bias()) bias = module.register_parameter("bias", empty({out}));
  init::default_conv_init(weight, bias);  // a transposed weight's fan is its size(1) * k..., as PyTorch
}

// FLOPs (2 per multiply-add) for `elements` outputs of a convolution, or `elements` inputs of a
// transposed one (each spreads into out / groups * k... multiply-adds).
template <class Options>
int64_t flops(const Options& o, int64_t elements, bool transposed) {
  const int64_t channels = (transposed ? o.out_channels() : o.in_channels()) / o.groups();
  return 2 * elements * macs_per_element(channels, o.kernel_size());
}

// "16, 32, kernel_size=5, stride=1", then the options that differ from their defaults, as PyTorch.
template <class Options>
std::string repr(const Options& o) {
  using Size = std::decay_t<decltype(o.kernel_size())>;
  using Padding = std::decay_t<decltype(o.padding())>;
  std::string s = fmt::format("{}, {}, kernel_size={}, stride={}", o.in_channels(), o.out_channels(),
                              ember::to_string(o.kernel_size()), ember::to_string(o.stride()));
  PaddingMode mode = PaddingMode::explicit_sizes;
  if constexpr (requires { o.padding_mode(); }) mode = o.padding_mode();
  if (mode == PaddingMode::valid) s += ", padding=valid";
  if (mode == PaddingMode::same) s += ", padding=same";
  if (mode == PaddingMode::full) s += ", padding=full";
  if (mode == PaddingMode::explicit_sizes && !(o.padding() == Padding(0))) s += ", padding=" + ember::to_string(o.padding());
  if constexpr (requires { o.output_padding(); }) {
    if (!(o.output_padding() == Size(0))) s += ", output_padding=" + ember::to_string(o.output_padding());
  }
  if (!(o.dilation() == Size(1))) s += ", dilation=" + ember::to_string(o.dilation());
  if (o.groups() != 1) s += fmt::format(", groups={}", o.groups());
  if (!o.bias()) s += ", bias=false";
  return s;
}

}  // namespace ember::nn::conv_layer
