// Upsampling: the argument checks and output size, then each forward with its backward right
// below it. The index and weight tables and the loops are in kernels/upsample_kernels.cpp.
#include "ember/ops/upsample.h"

#include <fmt/format.h>

#include <cmath>
#include <memory>

#include "ember/autograd/node.h"
#include "ember/core/profiler.h"
#include "ember/core/trace.h"
#include "ember/ops/checks.h"
#include "ember/kernels/elementwise_kernels.h"
#include "ember/kernels/upsample_kernels.h"

namespace ember {

using autograd::GradMask;
using kernels::ResampleAxis;

namespace {

// An output side this long or longer is refused: it is a mistake, not an image.
constexpr double kMaxSide = double(1 << 30);

std::string python_float(double v) {
  std::string s = fmt::format("{}", v);
  return s.find_first_of(".eEn") == std::string::npos ? s + ".0" : s;  // 2 -> 2.0, as Python prints it
}

Tensor dense(const Tensor& t) { return t.is_contiguous() ? t : kernels::contiguous_copy(t); }

// The row and column tables of one call, shared by its forward and backward.
struct Axes {
  ResampleAxis rows, cols;
};

// Checks x and the requested size; returns the output size (OH, OW).
Int2 output_size(const char* op, const Tensor& x, const UpsampleSize& size) {
  ops_detail::check_float(op, "x", x);
  EMBER_CHECK(x.dim() == 4, "{}: input must be 4-D [N, C, H, W], got {}", op, x.describe());
  EMBER_CHECK(x.size(1) > 0 && x.size(2) > 0 && x.size(3) > 0,
              "{}: input {} has an empty channel or spatial dim (only the batch dim may be 0)", op,
              shape_str(x.shape()));
  EMBER_CHECK(size.size.has_value() != (size.scale_h.has_value() || size.scale_w.has_value()),
              "{}: give either an output size or scale factors, got {}", op,
              size.size ? "both" : "neither");
  if (size.size) {
    EMBER_CHECK(size.size->h >= 1 && size.size->w >= 1 && size.size->h < kMaxSide && size.size->w < kMaxSide,
                "{}: output size must be at least 1 (and below 2^30), got {} for input {}", op,
                to_string(*size.size), shape_str(x.shape()));
    return *size.size;
  }
  EMBER_CHECK(size.scale_h && size.scale_w, "{}: give scale factors for both height and width", op);
  const double sh = *size.scale_h, sw = *size.scale_w;
  EMBER_CHECK(std::isfinite(sh) && std::isfinite(sw) && sh > 0 && sw > 0,
              "{}: scale factors must be finite and > 0, got {} for input {}", op, to_string(size),
              shape_str(x.shape()));
  // PyTorch's compute_output_size: the product in double, truncated.
  const double oh = std::floor(static_cast<double>(x.size(2)) * sh);
  const double ow = std::floor(static_cast<double>(x.size(3)) * sw);
  EMBER_CHECK(oh >= 1 && ow >= 1 && oh < kMaxSide && ow < kMaxSide,
              "{}: output size would be {}x{} for input {} with {} (expected at least 1 and below 2^30)", op, oh, ow,
              shape_str(x.shape()), to_string(size));
  return {static_cast<int64_t>(oh), static_cast<int64_t>(ow)};
}

}  // namespace

std::string to_string(const UpsampleSize& size) {
  if (size.size) return "size=" + to_string(*size.size);
  const double h = size.scale_h.value_or(NAN), w = size.scale_w.value_or(NAN);
  if (h == w) return "scale_factor=" + python_float(h);
  return fmt::format("scale_factor=({}, {})", python_float(h), python_float(w));
}

Tensor upsample_nearest2d(const Tensor& x, const UpsampleSize& size) {
  EMBER_PROFILE_OP("upsample_nearest2d");
  const Int2 out = output_size("upsample_nearest2d", x, size);
  const auto axes = std::make_shared<const Axes>(Axes{kernels::nearest_axis(x.size(2), out.h, size.scale_h),
                                                      kernels::nearest_axis(x.size(3), out.w, size.scale_w)});
  Tensor y = kernels::upsample_nearest2d(dense(x), axes->rows, axes->cols);
  if (autograd::needs_graph({x})) {
    autograd::attach(y, "UpsampleNearest2dBackward", {x}, [axes](const Tensor& g, const GradMask&) {
      // Each output gradient goes back to the one pixel it copied.
      return TensorList{kernels::upsample_nearest2d_backward(dense(g), axes->rows, axes->cols)};
    });
  }
  if (trace::Tracer* t = trace::active()) {
    t->record({"upsample_nearest2d", {x}, y, {{"scale", {size.scale_h.value_or(0.0), size.scale_w.value_or(0.0)}}}});
  }
  return y;
}

Tensor upsample_bilinear2d(const Tensor& x, const UpsampleSize& size, bool align_corners) {
  EMBER_PROFILE_OP("upsample_bilinear2d");
  const Int2 out = output_size("upsample_bilinear2d", x, size);
  const auto axes =
      std::make_shared<const Axes>(Axes{kernels::linear_axis(x.size(2), out.h, size.scale_h, align_corners),
                                        kernels::linear_axis(x.size(3), out.w, size.scale_w, align_corners)});
  Tensor y = kernels::upsample_bilinear2d(dense(x), axes->rows, axes->cols);
  if (autograd::needs_graph({x})) {
    autograd::attach(y, "UpsampleBilinear2dBackward", {x}, [axes](const Tensor& g, const GradMask&) {
      // Each output gradient, split by its four weights, goes back to the pixels it mixed.
      return TensorList{kernels::upsample_bilinear2d_backward(dense(g), axes->rows, axes->cols)};
    });
  }
  if (trace::Tracer* t = trace::active()) {
    t->record({"upsample_bilinear2d", {x}, y,
               {{"scale", {size.scale_h.value_or(0.0), size.scale_w.value_or(0.0)}},
                {"align_corners", {double(align_corners)}}}});
  }
  return y;
}

}  // namespace ember
