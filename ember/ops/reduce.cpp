// Reductions: each forward, then its backward right below it.
#include "ember/ops/reduce.h"

#include <cmath>

#include "ember/autograd/node.h"
#include "ember/core/profiler.h"
#include "ember/ops/checks.h"
#include "ember/ops/elementwise.h"
#include "ember/kernels/elementwise_kernels.h"
#include "ember/kernels/reduce_kernels.h"
#include "ember/ops/shape.h"

namespace ember {

using autograd::GradMask;
using autograd::SavedTensor;
using ops_detail::check_float;

namespace {

// Which dims a reduction covers; an empty list means all of them.
std::vector<bool> reduce_mask(const Tensor& x, const std::vector<int64_t>& dims, const char* op) {
  // A 0-d tensor has one nameable dim (0 or -1), so the duplicate check needs one slot there.
  std::vector<bool> seen(static_cast<size_t>(std::max<int64_t>(x.dim(), 1)), false);
  for (int64_t d : dims) {
    const int64_t nd = normalize_dim(d, x.dim(), op);
    EMBER_CHECK(!seen[nd], "{}: dim {} appears more than once in the dims list", op, nd);
    seen[nd] = true;
  }
  std::vector<bool> mask(static_cast<size_t>(x.dim()), dims.empty());
  for (int64_t d = 0; d < x.dim(); ++d) mask[d] = mask[d] || seen[d];
  return mask;
}

Shape drop_reduced(const Shape& shape, const std::vector<bool>& mask) {
  Shape out;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (!mask[d]) out.push_back(shape[d]);
  }
  return out;
}

Shape keep_reduced(const Shape& shape, const std::vector<bool>& mask) {
  Shape out = shape;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (mask[d]) out[d] = 1;
  }
  return out;
}

}  // namespace

Tensor sum(const Tensor& x) {
  EMBER_PROFILE_OP("sum");
  check_float("sum", "x", x);
  Tensor out = scalar_tensor(static_cast<float>(kernels::sum_all(x)));
  if (autograd::needs_graph({x})) {
    const Shape shape = x.shape();
    autograd::attach(out, "SumBackward", {x},
                     [shape](const Tensor& g, const GradMask&) { return TensorList{g.expand(shape)}; });
  }
  return out;
}

Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  EMBER_PROFILE_OP("sum");
  check_float("sum", "x", x);
  const auto mask = reduce_mask(x, dims, "sum");
  Tensor summed = kernels::sum_dims(x, mask);  // keepdim shape
  Tensor out = keepdim ? summed : make_view(summed, drop_reduced(x.shape(), mask),
                                            contiguous_strides(drop_reduced(x.shape(), mask)), 0);
  if (autograd::needs_graph({x})) {
    const Shape shape = x.shape(), kept = keep_reduced(x.shape(), mask);
    autograd::attach(out, "SumBackward", {x}, [shape, kept](const Tensor& g, const GradMask&) {
      return TensorList{g.reshape(kept).expand(shape)};
    });
  }
  return out;
}

Tensor mean(const Tensor& x) {
  EMBER_PROFILE_OP("mean");
  check_float("mean", "x", x);
  return div(sum(x), static_cast<float>(x.numel()));
}

Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  EMBER_PROFILE_OP("mean");
  check_float("mean", "x", x);
  const auto mask = reduce_mask(x, dims, "mean");
  int64_t count = 1;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (mask[d]) count *= x.shape()[d];
  }
  return div(sum(x, dims, keepdim), static_cast<float>(count));
}

std::pair<Tensor, Tensor> max_with_indices(const Tensor& x, int64_t dim, bool keepdim) {
  check_float("max", "x", x);
  dim = normalize_dim(dim, x.dim(), "max");
  EMBER_CHECK(x.dim() == 0 || x.shape()[dim] > 0, "max: dimension {} of {} is empty; there is no maximum", dim,
              x.describe());
  auto [values, indices] = kernels::max_dim(x, dim);  // keepdim shapes
  if (!keepdim && x.dim() > 0) {
    std::vector<bool> mask(static_cast<size_t>(x.dim()), false);
    mask[dim] = true;
    const Shape squeezed = drop_reduced(x.shape(), mask);
    values = make_view(values, squeezed, contiguous_strides(squeezed), 0);
    indices = make_view(indices, squeezed, contiguous_strides(squeezed), 0);
  }
  if (autograd::needs_graph({x})) {
    const Shape shape = x.shape();
    const Shape kept = x.dim() == 0 ? Shape{} : keep_reduced(x.shape(), [&] {
      std::vector<bool> m(static_cast<size_t>(x.dim()), false);
      m[dim] = true;
      return m;
    }());
    SavedTensor saved_indices(indices);
    autograd::attach(values, "MaxBackward", {x}, [shape, kept, dim, saved_indices](const Tensor& g, const GradMask&) {
      // Scatter each gradient to the position of its maximum, in a [rows, len] layout with
      // `dim` last (the same row order as the keepdim indices).
      const int64_t len = shape.empty() ? 1 : shape[dim];
      Shape row_shape = shape;
      if (!shape.empty()) {
        row_shape.erase(row_shape.begin() + dim);
        row_shape.push_back(len);
      }
      Tensor grad_rows = zeros(row_shape);
      const Tensor g_rows = kernels::contiguous_copy(g.reshape(kept));
      const Tensor idx = kernels::contiguous_copy(saved_indices.get());
      const float* gv = g_rows.data<float>();
      const int64_t* iv = idx.data<int64_t>();
      float* out = grad_rows.data<float>();
      for (int64_t r = 0, rows = g_rows.numel(); r < rows; ++r) out[r * len + iv[r]] = gv[r];
      return TensorList{kernels::restore_dim(grad_rows, shape.empty() ? 0 : dim)};
    });
  }
  return {values, indices};
}

Tensor max(const Tensor& x, int64_t dim, bool keepdim) { return max_with_indices(x, dim, keepdim).first; }

Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) {
  EMBER_PROFILE_OP("max");
  check_float("argmax", "x", x);
  dim = normalize_dim(dim, x.dim(), "argmax");
  EMBER_CHECK(x.dim() == 0 || x.shape()[dim] > 0, "argmax: dimension {} of {} is empty", dim, x.describe());
  auto indices = kernels::max_dim(x, dim).second;
  if (keepdim || x.dim() == 0) return indices;
  Shape squeezed = x.shape();
  squeezed.erase(squeezed.begin() + dim);
  return make_view(indices, squeezed, contiguous_strides(squeezed), 0);
}

}  // namespace ember
