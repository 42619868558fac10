#pragma once
// Nearest and bilinear resampling kernels on float32 planes, autograd-free (ops/upsample.cpp
// wraps them with gradients and documents the index formulas, which are PyTorch 1.13's).
//
// Layout: contiguous [..., H, W]; each leading index is one independent plane. Planes run in
// parallel, each written by one task in a fixed order, so results are bitwise identical for any
// thread count. The kernels trust their arguments: ops/upsample.cpp validates first.
#include <cstdint>
#include <optional>
#include <vector>

#include "ember/core/tensor.h"

namespace ember::kernels {

// Per output position along one axis: the two input positions it reads and their weights.
// Nearest uses i0 only (i1 == i0, w0 == 1, w1 == 0).
struct ResampleAxis {
  int64_t in = 0;
  std::vector<int64_t> i0, i1;
  std::vector<float> w0, w1;
  int64_t out() const { return static_cast<int64_t>(i0.size()); }
};

// scale: the user's scale factor, if one was given (PyTorch then uses 1 / scale, not in / out).
ResampleAxis nearest_axis(int64_t in, int64_t out, std::optional<double> scale);
ResampleAxis linear_axis(int64_t in, int64_t out, std::optional<double> scale, bool align_corners);

// [..., rows.in, cols.in] -> [..., rows.out(), cols.out()].
Tensor upsample_nearest2d(const Tensor& x, const ResampleAxis& rows, const ResampleAxis& cols);
// The adjoint: each output gradient added into the pixel it copied.
Tensor upsample_nearest2d_backward(const Tensor& grad_out, const ResampleAxis& rows, const ResampleAxis& cols);

// out = (x[r0][c0] * wc0 + x[r0][c1] * wc1) * wr0 + (x[r1][c0] * wc0 + x[r1][c1] * wc1) * wr1,
// in PyTorch's order of operations.
Tensor upsample_bilinear2d(const Tensor& x, const ResampleAxis& rows, const ResampleAxis& cols);
// The adjoint: each output gradient times wr * wc added into its four pixels (PyTorch's order).
Tensor upsample_bilinear2d_backward(const Tensor& grad_out, const ResampleAxis& rows, const ResampleAxis& cols);

}  // namespace ember::kernels
