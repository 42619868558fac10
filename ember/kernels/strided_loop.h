#pragma once
// The loop machinery under every elementwise kernel: N operands (operand 0 is the output) walked
// together over one shape, each with its own strides (0 where it is broadcast).
//
// Dimensions are coalesced first ([N,C,H,W] + [1,C,1,1] becomes a 3-d loop over [N, C, H*W]),
// then the outer dimensions are split across threads by rows and the innermost dimension is
// handed to the op's inner loop as (pointers, strides, count), so the op can take a vectorizable
// branch when its strides are 1 or 0.
#include <array>
#include <cstdint>

#include "ember/core/parallel.h"
#include "ember/core/tensor.h"

namespace ember::kernels {

// Elements below which an elementwise kernel runs on one thread: splitting costs more than it saves.
inline constexpr int64_t kElementwiseGrain = 32768;

// The strides of `t` seen from a broadcast output of shape `out_shape` (0 on broadcast dims).
Strides broadcast_strides(const Tensor& t, const Shape& out_shape);

template <int N>
struct LoopPlan {
  Shape shape;
  std::array<Strides, N> strides;
};

// Merges dimensions that are contiguous in every operand and drops size-1 dimensions.
template <int N>
LoopPlan<N> coalesce(const Shape& shape, const std::array<Strides, N>& strides) {
  LoopPlan<N> plan;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    bool mergeable = !plan.shape.empty();
    for (int k = 0; k < N && mergeable; ++k) {
      mergeable = plan.strides[k].back() == strides[k][d] * shape[d];
    }
    if (mergeable) {
      plan.shape.back() *= shape[d];
      for (int k = 0; k < N; ++k) plan.strides[k].back() = strides[k][d];
    } else {
      plan.shape.push_back(shape[d]);
      for (int k = 0; k < N; ++k) plan.strides[k].push_back(strides[k][d]);
    }
  }
  if (plan.shape.empty()) {  // a scalar, or all sizes 1
    plan.shape.push_back(1);
    for (int k = 0; k < N; ++k) plan.strides[k].push_back(0);
  }
  return plan;
}

// Runs inner(ptrs, inner_strides, count) over every innermost row of the loop, rows in parallel.
template <typename T, int N, typename Inner>
void for_each_row(const Shape& shape, const std::array<Strides, N>& strides, const std::array<T*, N>& base,
                  Inner&& inner) {
  if (numel_of(shape) == 0) return;
  const LoopPlan<N> plan = coalesce<N>(shape, strides);
  const int64_t ndim = static_cast<int64_t>(plan.shape.size());
  const int64_t row_len = plan.shape.back();
  const int64_t rows = numel_of(plan.shape) / row_len;
  std::array<int64_t, N> inner_strides;
  for (int k = 0; k < N; ++k) inner_strides[k] = plan.strides[k].back();
  const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(row_len, 1));

  parallel_for(0, rows, grain, [&](int64_t row_begin, int64_t row_end) {
    // Unravel the first row's index into per-operand pointers, then advance an odometer.
    std::vector<int64_t> counter(static_cast<size_t>(std::max<int64_t>(ndim - 1, 0)), 0);
    std::array<T*, N> ptr = base;
    int64_t rest = row_begin;
    for (int64_t d = ndim - 2; d >= 0; --d) {
      counter[d] = rest % plan.shape[d];
      rest /= plan.shape[d];
      for (int k = 0; k < N; ++k) ptr[k] += counter[d] * plan.strides[k][d];
    }
    for (int64_t row = row_begin; row < row_end; ++row) {
      inner(ptr, inner_strides, row_len);
      for (int64_t d = ndim - 2; d >= 0; --d) {
        for (int k = 0; k < N; ++k) ptr[k] += plan.strides[k][d];
        if (++counter[d] < plan.shape[d]) break;
        for (int k = 0; k < N; ++k) ptr[k] -= plan.strides[k][d] * plan.shape[d];
        counter[d] = 0;
      }
    }
  });
}

}  // namespace ember::kernels
