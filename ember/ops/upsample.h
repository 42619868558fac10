#pragma once
// Upsampling (and downsampling) of NCHW images by nearest neighbour or bilinear interpolation,
// differentiable in the input. Each matches PyTorch 1.13's F.interpolate on the CPU: the same
// output size, the same source pixels and the same weights, so results agree to float rounding.
//
//   x:   [N, C, H, W] float32, any strides (non-contiguous inputs are copied). C, H, W >= 1; N may be 0.
//   out: [N, C, OH, OW], with OH, OW given (UpsampleSize::to) or from scale factors
//        (UpsampleSize::scale): OH = floor(H * scale_h), OW = floor(W * scale_w), in double.
//
// Which input pixels an output pixel reads, per axis (in = input length, out = output length):
//   the scale    s = 1 / scale_factor when a scale factor was given (PyTorch's default,
//                recompute_scale_factor=None), else in / out; in float32 as PyTorch.
//   nearest:     src = min(floor(dst * s), in - 1) ("legacy" nearest: floor, not round), as
//                PyTorch's NCHW kernel. (PyTorch's channels-last kernel, which 1.13 also picks for
//                single-channel inputs, special-cases out == in and out == 2 * in; that differs
//                only for a scale factor whose 1 / scale is not in / out, e.g. 3 * 1.25 -> 3.)
//   bilinear:    align_corners = false: src = max(s * (dst + 0.5) - 0.5, 0) (half-pixel centres);
//                align_corners = true:  src = dst * (in - 1) / (out - 1) (0 when out == 1), the
//                scale factor is then ignored for the positions, as in PyTorch.
//                i0 = floor(src), i1 = min(i0 + 1, in - 1), weights 1 - (src - i0) and src - i0;
//                out == in copies.
// For ONNX Resize: nearest is coordinate_transformation_mode "asymmetric" with nearest_mode
// "floor"; bilinear is "pytorch_half_pixel" (align_corners false) or "align_corners", mode "linear".
//
// Backward adds each output gradient, times its weight, into the input pixels it read. Planes run
// in parallel, each plane's sums in a fixed order, so results do not depend on the thread count.
// Throws ember::Error naming the op when x is not a 4-D float32 tensor with C, H, W >= 1, a size
// is < 1, a scale factor is not a finite number > 0, or the output would be empty or too large.
#include <cstdint>
#include <optional>
#include <string>

#include "ember/core/tensor.h"
#include "ember/ops/window.h"

namespace ember {

// The output size of an upsampling: given directly, or as scale factors of the input size.
//   UpsampleSize::to({14, 14}), UpsampleSize::scale(2), UpsampleSize::scale(1.5, 2)
struct UpsampleSize {
  std::optional<Int2> size;                       // (OH, OW) when given directly
  std::optional<double> scale_h, scale_w;         // else the scale factors

  static UpsampleSize to(Int2 output_size) { return {output_size, std::nullopt, std::nullopt}; }
  static UpsampleSize scale(double factor) { return scale(factor, factor); }
  static UpsampleSize scale(double height, double width) { return {std::nullopt, height, width}; }
};

// "size=(14, 14)" or "scale_factor=2.0" / "scale_factor=(1.5, 2.0)", for extra_repr and errors.
std::string to_string(const UpsampleSize& size);

// F.interpolate(x, ..., mode="nearest").
Tensor upsample_nearest2d(const Tensor& x, const UpsampleSize& size);

// F.interpolate(x, ..., mode="bilinear", align_corners=align_corners).
Tensor upsample_bilinear2d(const Tensor& x, const UpsampleSize& size, bool align_corners = false);

}  // namespace ember
