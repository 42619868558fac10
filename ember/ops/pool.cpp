// Pooling: each forward, then its backward right below it.
#include "ember/ops/pool.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>

#include "ember/autograd/node.h"
#include "ember/core/profiler.h"
#include "ember/core/trace.h"
#include "ember/ops/checks.h"
#include "ember/kernels/elementwise_kernels.h"
#include "ember/kernels/pool_kernels.h"
#include "ember/ops/shape.h"

namespace ember {

using autograd::GradMask;
using autograd::SavedTensor;
using kernels::Pool2dGeometry;

namespace {

// t itself when contiguous, else a contiguous copy (no autograd: kernels want dense planes).
Tensor dense(const Tensor& t) { return t.is_contiguous() ? t : kernels::contiguous_copy(t); }

// The dtype and layout checks shared by every pooling op.
void check_input(const char* op, const Tensor& x) {
  ops_detail::check_float(op, "x", x);
  EMBER_CHECK(x.dim() == 3 || x.dim() == 4, "{}: input must be 3-D [C, H, W] or 4-D [N, C, H, W], got {}", op,
              x.describe());
  EMBER_CHECK(x.size(-3) > 0 && x.size(-2) > 0 && x.size(-1) > 0,
              "{}: input {} has an empty channel or spatial dim (only the batch dim may be 0)", op,
              shape_str(x.shape()));
}

// x checked, as a dense tensor for the kernels.
Tensor checked_input(const char* op, const Tensor& x) {
  check_input(op, x);
  return dense(x);
}

// "kernel 3, stride 2, padding 1" (+ ", dilation 2" and ", ceil_mode" when set), for errors.
std::string window_desc(Int2 kernel, Int2 stride, Padding2d padding, Int2 dilation, bool ceil_mode) {
  std::string s = fmt::format("kernel {}, stride {}, padding {}", to_string(kernel), to_string(stride), to_string(padding));
  if (dilation != Int2(1)) s += fmt::format(", dilation {}", to_string(dilation));
  if (ceil_mode) s += ", ceil_mode";
  return s;
}

// Checks the window options against PyTorch's rules and computes the output size.
Pool2dGeometry pool_geometry(const char* op, const Tensor& x, Int2 kernel, Int2 stride, Padding2d padding,
                             Int2 dilation, bool ceil_mode) {
  const std::string shape = shape_str(x.shape());
  EMBER_CHECK(kernel.h >= 1 && kernel.w >= 1, "{}: kernel size must be at least 1, got {} (input {})", op,
              to_string(kernel), shape);
  EMBER_CHECK(stride.h >= 1 && stride.w >= 1, "{}: stride must be at least 1, got {} (input {})", op,
              to_string(stride), shape);
  EMBER_CHECK(dilation.h >= 1 && dilation.w >= 1, "{}: dilation must be at least 1, got {} (input {})", op,
              to_string(dilation), shape);
  EMBER_CHECK(std::min({padding.top, padding.bottom, padding.left, padding.right}) >= 0,
              "{}: padding must be non-negative, got {} (input {})", op, to_string(padding), shape);
  EMBER_CHECK(padding.top <= kernel.h / 2 && padding.bottom <= kernel.h / 2 && padding.left <= kernel.w / 2 &&
                  padding.right <= kernel.w / 2,
              "{}: padding {} must be at most half the kernel size {} (input {})", op, to_string(padding),
              to_string(kernel), shape);
  Pool2dGeometry g;
  g.in_h = x.size(-2);
  g.in_w = x.size(-1);
  g.kernel_h = kernel.h;
  g.kernel_w = kernel.w;
  g.stride_h = stride.h;
  g.stride_w = stride.w;
  g.dilation_h = dilation.h;
  g.dilation_w = dilation.w;
  g.pad_top = padding.top;
  g.pad_bottom = padding.bottom;
  g.pad_left = padding.left;
  g.pad_right = padding.right;
  g.out_h = window_output_size(g.in_h, g.kernel_h, g.stride_h, g.pad_top, g.pad_bottom, g.dilation_h, ceil_mode);
  g.out_w = window_output_size(g.in_w, g.kernel_w, g.stride_w, g.pad_left, g.pad_right, g.dilation_w, ceil_mode);
  EMBER_CHECK(g.out_h >= 1 && g.out_w >= 1, "{}: output size would be {}x{} for input {} with {}", op, g.out_h,
              g.out_w, shape, window_desc(kernel, stride, padding, dilation, ceil_mode));
  return g;
}

// The window options as trace attributes (see ember/core/trace.h).
trace::Attributes window_attributes(Int2 kernel, Int2 stride, const Padding2d& pad, Int2 dilation, bool ceil_mode) {
  return {{"kernel_size", {double(kernel.h), double(kernel.w)}},
          {"stride", {double(stride.h), double(stride.w)}},
          {"padding", {double(pad.top), double(pad.bottom), double(pad.left), double(pad.right)}},
          {"dilation", {double(dilation.h), double(dilation.w)}},
          {"ceil_mode", {double(ceil_mode)}}};
}

void check_output_size(const char* op, const Tensor& x, Int2 output_size) {
  EMBER_CHECK(output_size.h >= 1 && output_size.w >= 1, "{}: output size must be at least 1, got {} for input {}", op,
              to_string(output_size), shape_str(x.shape()));
}

std::pair<Tensor, Tensor> max_pool(const char* op, const Tensor& x, const MaxPool2dOptions& o, bool want_indices) {
  const Tensor input = checked_input(op, x);
  const Pool2dGeometry g =
      pool_geometry(op, input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
  const bool record = autograd::needs_graph({x});
  if (record && !want_indices && kernels::max_pool2d_taps_supported(g)) {
    // Training without indices: keep the argmax as one byte per output instead of int64 indices.
    auto taps = std::make_shared<kernels::MaxPoolTaps>();
    Tensor values = kernels::max_pool2d(input, g, *taps);
    autograd::attach(values, "MaxPool2dBackward", {x}, [taps, g](const Tensor& grad, const GradMask&) {
      // Each output gradient goes to its window's argmax, saved in forward.
      return TensorList{kernels::max_pool2d_backward(dense(grad), *taps, g)};
    });
    return {values, Tensor()};
  }
  auto [values, indices] = kernels::max_pool2d(input, g, want_indices || record);
  if (record) {
    SavedTensor saved_indices(indices);
    autograd::attach(values, "MaxPool2dBackward", {x}, [saved_indices, g](const Tensor& grad, const GradMask&) {
      // Each output gradient goes to its window's argmax, saved in forward.
      return TensorList{kernels::max_pool2d_backward(dense(grad), saved_indices.get(), g)};
    });
  }
  return {values, want_indices ? indices : Tensor()};
}

}  // namespace

Tensor max_pool2d(const Tensor& x, const MaxPool2dOptions& options) {
  EMBER_PROFILE_OP("max_pool2d");
  Tensor out = max_pool("max_pool2d", x, options, /*want_indices=*/false).first;
  if (trace::Tracer* t = trace::active()) {
    t->record({"max_pool2d", {x}, out,
               window_attributes(options.kernel_size(), options.stride(), options.padding(), options.dilation(),
                                 options.ceil_mode())});
  }
  return out;
}

std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& x, const MaxPool2dOptions& options) {
  return max_pool("max_pool2d_with_indices", x, options, /*want_indices=*/true);
}

Tensor avg_pool2d(const Tensor& x, const AvgPool2dOptions& options) {
  EMBER_PROFILE_OP("avg_pool2d");
  const Tensor input = checked_input("avg_pool2d", x);
  const Pool2dGeometry g = pool_geometry("avg_pool2d", input, options.kernel_size(), options.stride(),
                                         options.padding(), Int2(1), options.ceil_mode());
  const bool count_pad = options.count_include_pad();
  Tensor out = kernels::avg_pool2d(input, g, count_pad);
  if (autograd::needs_graph({x})) {
    autograd::attach(out, "AvgPool2dBackward", {x}, [g, count_pad](const Tensor& grad, const GradMask&) {
      // Each output gradient / its divisor, added over its window.
      return TensorList{kernels::avg_pool2d_backward(dense(grad), g, count_pad)};
    });
  }
  if (trace::Tracer* t = trace::active()) {
    trace::Attributes attributes = window_attributes(options.kernel_size(), options.stride(), options.padding(),
                                                     Int2(1), options.ceil_mode());
    attributes.push_back({"count_include_pad", {double(count_pad)}});
    t->record({"avg_pool2d", {x}, out, std::move(attributes)});
  }
  return out;
}

Tensor adaptive_avg_pool2d(const Tensor& x, Int2 output_size) {
  EMBER_PROFILE_OP("adaptive_avg_pool2d");
  const Tensor input = checked_input("adaptive_avg_pool2d", x);
  check_output_size("adaptive_avg_pool2d", x, output_size);
  Tensor out = kernels::adaptive_avg_pool2d(input, output_size.h, output_size.w);
  if (autograd::needs_graph({x})) {
    const int64_t in_h = x.size(-2), in_w = x.size(-1);
    autograd::attach(out, "AdaptiveAvgPool2dBackward", {x}, [in_h, in_w](const Tensor& grad, const GradMask&) {
      // Each output gradient / its bin size, added over its bin.
      return TensorList{kernels::adaptive_avg_pool2d_backward(dense(grad), in_h, in_w)};
    });
  }
  if (trace::Tracer* t = trace::active()) {
    t->record({"adaptive_avg_pool2d", {x}, out, {{"output_size", {double(output_size.h), double(output_size.w)}}}});
  }
  return out;
}

namespace {

// adaptive_max_pool2d and its _with_indices twin; `op` is the one the caller called, for errors.
std::pair<Tensor, Tensor> adaptive_max_pool(const char* op, const Tensor& x, Int2 output_size) {
  const Tensor input = checked_input(op, x);
  check_output_size(op, x, output_size);
  auto [values, indices] = kernels::adaptive_max_pool2d(input, output_size.h, output_size.w);
  if (autograd::needs_graph({x})) {
    const int64_t in_h = x.size(-2), in_w = x.size(-1);
    SavedTensor saved_indices(indices);
    autograd::attach(values, "AdaptiveMaxPool2dBackward", {x},
                     [saved_indices, in_h, in_w](const Tensor& grad, const GradMask&) {
                       // Each output gradient goes to its bin's argmax, saved in forward.
                       return TensorList{
                           kernels::adaptive_max_pool2d_backward(dense(grad), saved_indices.get(), in_h, in_w)};
                     });
  }
  return {values, indices};
}

}  // namespace

std::pair<Tensor, Tensor> adaptive_max_pool2d_with_indices(const Tensor& x, Int2 output_size) {
  return adaptive_max_pool("adaptive_max_pool2d_with_indices", x, output_size);
}

Tensor adaptive_max_pool2d(const Tensor& x, Int2 output_size) {
  EMBER_PROFILE_OP("adaptive_max_pool2d");
  Tensor out = adaptive_max_pool("adaptive_max_pool2d", x, output_size).first;
  if (trace::Tracer* t = trace::active()) {
    t->record({"adaptive_max_pool2d", {x}, out, {{"output_size", {double(output_size.h), double(output_size.w)}}}});
  }
  return out;
}

Tensor spatial_pyramid_pool(const Tensor& x, const std::vector<int64_t>& levels, PoolMode mode) {
  EMBER_PROFILE_OP("spatial_pyramid_pool");
  check_input("spatial_pyramid_pool", x);
  EMBER_CHECK(!levels.empty(), "spatial_pyramid_pool: levels must not be empty (input {})", shape_str(x.shape()));
  for (int64_t level : levels) {
    EMBER_CHECK(level >= 1, "spatial_pyramid_pool: every level must be at least 1, got {} in levels {} (input {})",
                level, shape_str(levels), shape_str(x.shape()));
  }
  // Composed: per level [.., C, l, l] -> [.., C*l*l], then concatenated along that dim.
  const int64_t channel_dim = x.dim() - 3;
  TensorList parts;
  for (int64_t level : levels) {
    const Tensor pooled = mode == PoolMode::max ? adaptive_max_pool2d(x, level) : adaptive_avg_pool2d(x, level);
    parts.push_back(flatten(pooled, channel_dim));
  }
  return parts.size() == 1 ? parts[0] : cat(parts, channel_dim);
}

}  // namespace ember
