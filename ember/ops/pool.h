#pragma once
// Pooling ops, differentiable in their input.
//
// Layout: x is float32 NCHW [N, C, H, W], or unbatched [C, H, W] (then the output has no batch
// dim either, as in PyTorch). Any strides are accepted (non-contiguous inputs are copied). C, H and
// W must be non-zero; N may be 0. Every op throws ember::Error naming the op, the input shape and
// the offending option: for a non-float32 x, a wrong ndim, options out of range, or an output
// that would be empty.
//
// Window geometry (per spatial dim, see ember/ops/window.h):
//   out = floor_or_ceil((in + pad_before + pad_after - dilation * (kernel - 1) - 1) / stride) + 1
// With ceil_mode the output rounds up, but the last window must start inside the input or the
// left/top padding (PyTorch's rule); what it covers past the padded input is ignored. As in
// PyTorch, ceil_mode also gives one window when the window is longer than the padded input by
// less than a stride (kernel 3, stride 2 on 2 pixels -> 1 output).
#include <cstdint>
#include <utility>
#include <vector>

#include "ember/core/options.h"
#include "ember/core/tensor.h"
#include "ember/ops/window.h"

namespace ember {

// Options for max_pool2d, fluent: MaxPool2dOptions(3).stride(2).padding(1).
//   kernel_size >= 1; stride >= 1 (defaults to kernel_size); dilation >= 1 (default 1);
//   padding per side in [0, kernel / 2] (PyTorch's rule, with the undilated kernel; default 0);
//   ceil_mode rounds the output size up (default false).
struct MaxPool2dOptions {
  explicit MaxPool2dOptions(Int2 kernel_size) : kernel_size_(kernel_size), stride_(kernel_size) {}
  EMBER_ARG(Int2, kernel_size, 0);
  EMBER_ARG(Int2, stride, 0);
  EMBER_ARG(Padding2d, padding, 0);
  EMBER_ARG(Int2, dilation, 1);
  EMBER_ARG(bool, ceil_mode, false);
};

// Max over each window; padding counts as -inf.
//   x [N, C, H, W] -> [N, C, OH, OW] with OH, OW from the formula above (dilation included).
// A window's elements are scanned row by row; ties keep the first maximum, NaN propagates. A
// window lying wholly in the padding (only possible with dilation) yields -inf and no gradient.
// Backward adds each output gradient at its argmax (overlapping windows accumulate); forward keeps
// the argmax as one byte per output (the window tap), not as int64 indices, when it can.
Tensor max_pool2d(const Tensor& x, const MaxPool2dOptions& options);
// The same values plus int64 indices of the same shape: for each output, the flat position
// ih * W + iw of its maximum inside its H x W input plane (PyTorch's convention; for the NaN case
// the last NaN in scan order). Only the values are differentiable.
std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& x, const MaxPool2dOptions& options);

// Options for avg_pool2d, fluent: AvgPool2dOptions(3).stride(2).padding(1).count_include_pad(false).
//   kernel_size >= 1; stride >= 1 (defaults to kernel_size); padding per side in [0, kernel / 2];
//   ceil_mode (default false); count_include_pad (default true). No dilation, as in PyTorch.
struct AvgPool2dOptions {
  explicit AvgPool2dOptions(Int2 kernel_size) : kernel_size_(kernel_size), stride_(kernel_size) {}
  EMBER_ARG(Int2, kernel_size, 0);
  EMBER_ARG(Int2, stride, 0);
  EMBER_ARG(Padding2d, padding, 0);
  EMBER_ARG(bool, ceil_mode, false);
  EMBER_ARG(bool, count_include_pad, true);
};

// Mean over each window: x [N, C, H, W] -> [N, C, OH, OW] (dilation 1 in the formula).
// The divisor is PyTorch's: with count_include_pad, the window's size after clipping it to the
// padded input [-pad_before, in + pad_after) (a ceil-mode window hanging past the padding counts
// only up to it); without, the number of real input elements in the window.
// Backward spreads each output gradient / divisor over its window's input elements.
Tensor avg_pool2d(const Tensor& x, const AvgPool2dOptions& options);

// Adaptive pooling: x [N, C, H, W] -> [N, C, out.h, out.w] for any input size, out.h, out.w >= 1
// (an output larger than the input repeats elements). Output row i pools input rows
// [floor(i * H / out.h), ceil((i + 1) * H / out.h)), and the same for columns (PyTorch's bins,
// which overlap when out does not divide the input). Output 1 is global pooling.
Tensor adaptive_avg_pool2d(const Tensor& x, Int2 output_size);
Tensor adaptive_max_pool2d(const Tensor& x, Int2 output_size);
// Values and int64 indices (flat position in the H x W plane, as max_pool2d_with_indices).
std::pair<Tensor, Tensor> adaptive_max_pool2d_with_indices(const Tensor& x, Int2 output_size);

enum class PoolMode { max, avg };

// Spatial pyramid pooling (He et al. 2014): a fixed-length vector from any input size.
//   x [N, C, H, W] -> [N, C * sum(l * l for l in levels)]   (unbatched [C, H, W] -> [C * sum])
// For each level l in order, adaptive pooling to l x l, flattened channel-major ([C, l, l] ->
// C*l*l), then all levels concatenated. Built by composing adaptive pooling, flatten and cat, so
// its gradient comes from theirs. levels must be non-empty and each >= 1.
Tensor spatial_pyramid_pool(const Tensor& x, const std::vector<int64_t>& levels = {1, 2, 4},
                            PoolMode mode = PoolMode::max);

}  // namespace ember
