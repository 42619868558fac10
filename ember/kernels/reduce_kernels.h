#pragma once
// Reductions on float32, deterministic for any thread count: work is split into chunks fixed by
// the sizes alone, each chunk sums in double, and partials combine in chunk order.
#include <utility>
#include <vector>

#include "ember/core/tensor.h"

namespace ember::kernels {

// Sum of n contiguous floats, in double with a fixed 8-way accumulation pattern (so the same bits
// for every vector width). Inline: inside a kernel compiled per instruction set (isa/variants.h)
// it vectorizes for that set.
inline double sum_contiguous(const float* x, int64_t n) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) acc[k] += static_cast<double>(x[i + k]);
  }
  for (; i < n; ++i) acc[i & 7] += static_cast<double>(x[i]);
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

// Sum of every element.
double sum_all(const Tensor& x);

// Sums over the dims where reduce[d] is true; the result keeps them as size 1 (keepdim shape).
Tensor sum_dims(const Tensor& x, const std::vector<bool>& reduce);

// Sums a broadcast gradient back to `shape` (the shape of the input that was broadcast).
// Throws if x's shape is not a broadcast of `shape`.
Tensor sum_to_shape(const Tensor& x, const Shape& shape);

// x with `dim` moved to the end, as a contiguous tensor; rows of it are x's lines along `dim`.
Tensor move_dim_last(const Tensor& x, int64_t dim);
// The inverse of move_dim_last for a contiguous y: a view with the last dim put back at `dim`.
Tensor restore_dim(const Tensor& y, int64_t dim);

// Max along `dim` with keepdim shape: values (float32) and the index of the first maximum
// (int64). NaN counts as the maximum, as in PyTorch.
std::pair<Tensor, Tensor> max_dim(const Tensor& x, int64_t dim);

}  // namespace ember::kernels
