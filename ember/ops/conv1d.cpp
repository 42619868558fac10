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

Conv1dOptions& Conv1dOptions::padding(std::string_view mode) {
  padding_mode_ = conv_detail::parse_padding_mode("conv1d", mode);
  padding_left_ = padding_right_ = 0;
  return *this;
}

namespace {

// Explicit (left, right) padding for the options' mode and this kernel.
std::pair<int64_t, int64_t> resolve_padding(const Conv1dOptions& o, int64_t kernel) {
  const int64_t total = o.dilation_ * (kernel - 1);
  switch (o.padding_mode_) {
    case PaddingMode::explicit_sizes:
      return {o.padding_left_, o.padding_right_};
    case PaddingMode::valid:
      return {0, 0};
    case PaddingMode::same:
      EMBER_CHECK(o.stride_ == 1, "conv1d: padding \"same\" needs stride 1, got stride {}", o.stride_);
      return {total / 2, total - total / 2};
    case PaddingMode::full:
      return {total, total};
  }
  return {o.padding_left_, o.padding_right_};
}

}  // namespace

Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv1dOptions& o) {
  check_float("conv1d", "input", x);
  check_float("conv1d", "weight", weight);
  if (x.dim() == 2) return squeeze(conv1d(unsqueeze(x, 0), weight, bias, o), 0);
  EMBER_CHECK(x.dim() == 3, "conv1d: input must be [N, C, L] or [C, L], got {}", x.describe());
  EMBER_CHECK(weight.dim() == 3, "conv1d: weight must be [out_channels, in_channels / groups, k], got {}",
              weight.describe());
  EMBER_CHECK(o.stride_ >= 1, "conv1d: stride must be at least 1, got {}", o.stride_);
  EMBER_CHECK(o.dilation_ >= 1, "conv1d: dilation must be at least 1, got {}", o.dilation_);
  EMBER_CHECK(o.padding_left_ >= 0 && o.padding_right_ >= 0, "conv1d: padding must be non-negative, got ({}, {})",
              o.padding_left_, o.padding_right_);
  EMBER_CHECK(o.groups_ >= 1, "conv1d: groups must be at least 1, got {}", o.groups_);
  const int64_t c = x.size(1), length = x.size(2), k = weight.size(0), kernel = weight.size(2), groups = o.groups_;
  EMBER_CHECK(c % groups == 0 && k % groups == 0,
              "conv1d: groups {} must divide both the input channels ({}) and the output channels ({}) (input {}, "
              "weight {})",
              groups, c, k, shape_str(x.shape()), shape_str(weight.shape()));
  EMBER_CHECK(weight.size(1) * groups == c,
              "conv1d: input has {} channels but weight expects {} ({} per group x {} groups) (input {}, weight {})", c,
              weight.size(1) * groups, weight.size(1), groups, shape_str(x.shape()), shape_str(weight.shape()));
  EMBER_CHECK(kernel >= 1, "conv1d: kernel must be at least 1 long, got weight {}", shape_str(weight.shape()));
  if (bias.defined()) {
    check_float("conv1d", "bias", bias);
    EMBER_CHECK(bias.shape() == Shape{k}, "conv1d: bias must be [{}] (one per output channel), got {}", k,
                shape_str(bias.shape()));
  }
  const auto [left, right] = resolve_padding(o, kernel);
  const int64_t span = o.dilation_ * (kernel - 1) + 1;
  EMBER_CHECK(length + left + right >= span,
              "conv1d: the kernel ({}, spanning {} with dilation {}) is longer than the padded input ({}) (input {}, "
              "padding ({}, {}))",
              kernel, span, o.dilation_, length + left + right, shape_str(x.shape()), left, right);

  const Conv2dOptions as_2d = Conv2dOptions()
                                  .stride({1, o.stride_})
                                  .padding(0, 0, left, right)
                                  .dilation({1, o.dilation_})
                                  .groups(groups)
                                  .algorithm(o.algorithm_);
  Tensor out = squeeze(
      conv_detail::conv2d_named("conv1d", "Conv1dBackward", unsqueeze(x, 2), unsqueeze(weight, 2), bias, as_2d), 2);
  // Reported as itself (the conv2d it ran as is recorded too, and pruned by the exporter).
  if (trace::Tracer* t = trace::active()) {
    t->record({"conv1d", {x, weight, bias}, out,
               {{"stride", {double(o.stride_)}},
                {"pads", {double(left), double(right)}},
                {"dilation", {double(o.dilation_)}},
                {"groups", {double(groups)}}}});
  }
  return out;
}

}  // namespace ember
