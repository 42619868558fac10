// conv1d: checked in its own terms, then run as conv2d on an [N, C, 1, L] view with a [K, C/g, 1, k]
// kernel. The views are differentiable, so the backward is conv2d's (input, weight and bias
// gradients, only those needed), and every conv2d kernel path (im2col with several images per
// GEMM, pointwise, depthwise) serves 1-D too.
#include <utility>

#include "ember/core/trace.h"
#include "ember/ops/checks.h"
#include "ember/ops/conv_common.h"
#include "ember/ops/conv1d.h"
#include "ember/ops/shape.h"

namespace ember {

using ops_detail::check_float;

namespace {

// Explicit (left, right) padding for the options' mode and this kernel.
Padding1d resolve_padding(const Conv1dOptions& o, int64_t kernel) {
  const int64_t total = o.dilation() * (kernel - 1);
  switch (o.padding_mode()) {
    case PaddingMode::explicit_sizes:
      return o.padding();
    case PaddingMode::valid:
      return 0;
    case PaddingMode::same:
      EMBER_CHECK(o.stride() == 1, "conv1d: padding \"same\" needs stride 1, got stride {}", o.stride());
      return {total / 2, total - total / 2};
    case PaddingMode::full:
      return total;
  }
  return o.padding();
}

}  // namespace

Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv1dOptions& o) {
  check_float("conv1d", "input", x);
  check_float("conv1d", "weight", weight);
  if (x.dim() == 2) return squeeze(conv1d(unsqueeze(x, 0), weight, bias, o), 0);
  EMBER_CHECK(x.dim() == 3, "conv1d: input must be [N, C, L] or [C, L], got {}", x.describe());
  EMBER_CHECK(weight.dim() == 3, "conv1d: weight must be [out_channels, in_channels / groups, k], got {}",
              weight.describe());
  EMBER_CHECK(o.stride() >= 1, "conv1d: stride must be at least 1, got {}", o.stride());
  EMBER_CHECK(o.dilation() >= 1, "conv1d: dilation must be at least 1, got {}", o.dilation());
  EMBER_CHECK(o.padding().left >= 0 && o.padding().right >= 0, "conv1d: padding must be non-negative, got {}",
              to_string(o.padding()));
  EMBER_CHECK(o.groups() >= 1, "conv1d: groups must be at least 1, got {}", o.groups());
  const int64_t c = x.size(1), length = x.size(2), k = weight.size(0), kernel = weight.size(2), groups = o.groups();
  conv_detail::check_channels("conv1d", x, weight, bias, groups);
  EMBER_CHECK(kernel >= 1, "conv1d: kernel must be at least 1 long, got weight {}", shape_str(weight.shape()));
  conv_detail::check_declared_sizes("conv1d", o, c, k, kernel);
  const auto [left, right] = resolve_padding(o, kernel);  // NOLINT: names for the formula
  const int64_t span = o.dilation() * (kernel - 1) + 1;
  EMBER_CHECK(length + left + right >= span,
              "conv1d: the kernel ({}, spanning {} with dilation {}) is longer than the padded input ({}) (input {}, "
              "padding ({}, {}))",
              kernel, span, o.dilation(), length + left + right, shape_str(x.shape()), left, right);

  const Conv2dOptions as_2d = Conv2dOptions()
                                  .stride({1, o.stride()})
                                  .padding(0, 0, left, right)
                                  .dilation({1, o.dilation()})
                                  .groups(groups)
                                  .algorithm(o.algorithm());
  Tensor out = squeeze(
      conv_detail::conv2d_named("conv1d", "Conv1dBackward", unsqueeze(x, 2), unsqueeze(weight, 2), bias, as_2d), 2);
  // Reported as itself (the conv2d it ran as is recorded too, and pruned by the exporter).
  if (trace::Tracer* t = trace::active()) {
    t->record({"conv1d", {x, weight, bias}, out,
               {{"stride", {double(o.stride())}},
                {"pads", {double(left), double(right)}},
                {"dilation", {double(o.dilation())}},
                {"groups", {double(groups)}}}});
  }
  return out;
}

}  // namespace ember
