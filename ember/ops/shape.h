#pragma once
// Shape ops, differentiable. Views share storage with their input (no copy); the rest copy.
// Every dim argument may be negative (counting from the end).
#include <vector>

#include "ember/core/tensor.h"

namespace ember {

// A view with a new shape of the same numel; one size may be -1 (inferred). Throws if the
// strides do not allow a view (then use reshape).
Tensor view(const Tensor& x, const Shape& shape);
// view when possible, otherwise a contiguous copy with the new shape.
Tensor reshape(const Tensor& x, const Shape& shape);
// Merges dims [start_dim, end_dim] into one. A view when possible.
Tensor flatten(const Tensor& x, int64_t start_dim = 0, int64_t end_dim = -1);
// Reorders dims: out.shape[i] = x.shape[dims[i]]. dims must be a permutation. A view.
Tensor permute(const Tensor& x, const std::vector<int64_t>& dims);
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1);  // a view
// Elements [start, start+length) of dim; a view. Throws if the range leaves the dim.
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
// Python-style slice start:end:step along dim (negative start/end count from the end, both are
// clamped to the dim; step >= 1). A view.
Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step = 1);
// Index `index` of dim, removing the dim. A view.
Tensor select(const Tensor& x, int64_t dim, int64_t index);
// Broadcasts size-1 dims (and new leading dims) to `shape` without copying; -1 keeps a size.
Tensor expand(const Tensor& x, const Shape& shape);
Tensor squeeze(const Tensor& x);               // drops every size-1 dim
Tensor squeeze(const Tensor& x, int64_t dim);  // drops dim if its size is 1 (else no-op)
Tensor unsqueeze(const Tensor& x, int64_t dim);  // inserts a size-1 dim at dim in [0, ndim]
// x itself if already contiguous, else a contiguous copy.
Tensor contiguous(const Tensor& x);
Tensor clone(const Tensor& x);  // always a contiguous copy
// Joins tensors along an existing dim; all must have the same dtype, ndim and other sizes.
Tensor cat(const TensorList& tensors, int64_t dim = 0);
// Joins tensors of identical shape along a new dim.
Tensor stack(const TensorList& tensors, int64_t dim = 0);

}  // namespace ember
