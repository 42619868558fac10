// Shape ops: each forward, then its backward right below it.
#include "ember/ops/shape.h"

#include <algorithm>
#include <optional>

#include "ember/autograd/node.h"
#include "ember/core/profiler.h"
#include "ember/core/trace.h"
#include "ember/ops/checks.h"
#include "ember/kernels/elementwise_kernels.h"

namespace ember {

using autograd::GradMask;
using ops_detail::check_defined;

namespace {

// Resolves a -1 in a requested shape against numel; checks the element count matches.
Shape infer_shape(const Shape& requested, int64_t numel, const char* op, const Shape& from) {
  Shape shape = requested;
  int64_t known = 1;
  int infer_at = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      EMBER_CHECK(infer_at < 0, "{}: only one dimension can be -1, got {}", op, shape_str(requested));
      infer_at = static_cast<int>(i);
    } else {
      EMBER_CHECK(shape[i] >= 0, "{}: invalid size {} in shape {}", op, shape[i], shape_str(requested));
      known *= shape[i];
    }
  }
  if (infer_at >= 0) {
    EMBER_CHECK(known != 0 && numel % known == 0, "{}: cannot reshape {} ({} elements) into {}", op, shape_str(from),
                numel, shape_str(requested));
    shape[infer_at] = numel / known;
  }
  EMBER_CHECK(numel_of(shape) == numel, "{}: cannot reshape {} ({} elements) into {} ({} elements)", op,
              shape_str(from), numel, shape_str(shape), numel_of(shape));
  return shape;
}

// Strides that let a tensor of (shape, strides) be seen with new_shape without copying, if any.
// Old dims are grouped into runs that are contiguous with each other; each run must be covered
// exactly by consecutive new dims.
std::optional<Strides> view_strides(const Shape& shape, const Strides& strides, const Shape& new_shape) {
  if (numel_of(shape) <= 1 || shape.empty()) return contiguous_strides(new_shape);
  Strides out(new_shape.size(), 0);
  int64_t view_d = static_cast<int64_t>(new_shape.size()) - 1;
  int64_t chunk_base = strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    tensor_numel *= shape[d];
    const bool run_ends = d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensor_numel * chunk_base);
    if (!run_ends) continue;
    while (view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d] == 1)) {
      out[view_d] = view_numel * chunk_base;
      view_numel *= new_shape[view_d];
      --view_d;
    }
    if (view_numel != tensor_numel) return std::nullopt;
    if (d > 0) {
      chunk_base = strides[d - 1];
      tensor_numel = 1;
      view_numel = 1;
    }
  }
  if (view_d != -1) return std::nullopt;
  return out;
}

// Records a view op whose backward reshapes the gradient back to the input's shape.
Tensor record_reshape_like(const Tensor& out, const Tensor& x, const char* name) {
  if (autograd::needs_graph({x})) {
    const Shape shape = x.shape();
    autograd::attach(out, name, {x}, [shape](const Tensor& g, const GradMask&) { return TensorList{g.reshape(shape)}; });
  }
  // view, reshape, squeeze and unsqueeze all only give x a new shape: out's shape says which.
  if (trace::Tracer* t = trace::active()) t->record({"reshape", {x}, out});
  return out;
}

// Gradient of a view selecting part of x: zeros of x's shape with g written into the same part.
template <typename MakeView>
TensorList scatter_into_zeros(const Shape& shape, const Tensor& g, MakeView make) {
  Tensor grad = zeros(shape);
  kernels::copy_into(make(grad), g);
  return TensorList{grad};
}

}  // namespace

Tensor view(const Tensor& x, const Shape& shape) {
  EMBER_PROFILE_OP("view");
  check_defined("view", "x", x);
  const Shape target = infer_shape(shape, x.numel(), "view", x.shape());
  const auto strides = view_strides(x.shape(), x.strides(), target);
  EMBER_CHECK(strides.has_value(),
              "view: a tensor of shape {} with strides {} cannot be viewed as {} without copying; use reshape()",
              shape_str(x.shape()), shape_str(x.strides()), shape_str(target));
  return record_reshape_like(make_view(x, target, *strides, x.offset()), x, "ViewBackward");
}

Tensor reshape(const Tensor& x, const Shape& shape) {
  EMBER_PROFILE_OP("reshape");
  check_defined("reshape", "x", x);
  const Shape target = infer_shape(shape, x.numel(), "reshape", x.shape());
  if (auto strides = view_strides(x.shape(), x.strides(), target)) {
    return record_reshape_like(make_view(x, target, *strides, x.offset()), x, "ReshapeBackward");
  }
  const Tensor copy = kernels::contiguous_copy(x);
  return record_reshape_like(make_view(copy, target, contiguous_strides(target), 0), x, "ReshapeBackward");
}

Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
  EMBER_PROFILE_OP("flatten");
  check_defined("flatten", "x", x);
  if (x.dim() == 0) return reshape(x, {1});
  start_dim = normalize_dim(start_dim, x.dim(), "flatten");
  end_dim = normalize_dim(end_dim, x.dim(), "flatten");
  EMBER_CHECK(start_dim <= end_dim, "flatten: start_dim {} comes after end_dim {}", start_dim, end_dim);
  Shape shape(x.shape().begin(), x.shape().begin() + start_dim);
  int64_t merged = 1;
  for (int64_t d = start_dim; d <= end_dim; ++d) merged *= x.shape()[d];
  shape.push_back(merged);
  shape.insert(shape.end(), x.shape().begin() + end_dim + 1, x.shape().end());
  Tensor out = reshape(x, shape);
  if (trace::Tracer* t = trace::active()) {
    t->record({"flatten", {x}, out, {{"start_dim", {double(start_dim)}}, {"end_dim", {double(end_dim)}}}});
  }
  return out;
}

Tensor permute(const Tensor& x, const std::vector<int64_t>& dims) {
  EMBER_PROFILE_OP("permute");
  check_defined("permute", "x", x);
  EMBER_CHECK(static_cast<int64_t>(dims.size()) == x.dim(), "permute: got {} dims for a tensor with {} dimensions ({})",
              dims.size(), x.dim(), shape_str(x.shape()));
  std::vector<int64_t> inverse(dims.size(), -1);
  Shape shape(dims.size());
  Strides strides(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = normalize_dim(dims[i], x.dim(), "permute");
    EMBER_CHECK(inverse[d] < 0, "permute: dim {} appears twice in {}", d, shape_str(dims));
    inverse[d] = static_cast<int64_t>(i);
    shape[i] = x.shape()[d];
    strides[i] = x.strides()[d];
  }
  Tensor out = make_view(x, shape, strides, x.offset());
  if (autograd::needs_graph({x})) {
    autograd::attach(out, "PermuteBackward", {x},
                     [inverse](const Tensor& g, const GradMask&) { return TensorList{g.permute(inverse)}; });
  }
  if (trace::Tracer* t = trace::active()) {
    std::vector<double> perm;
    for (int64_t d : dims) perm.push_back(double(normalize_dim(d, x.dim(), "permute")));
    t->record({"permute", {x}, out, {{"dims", perm}}});
  }
  return out;
}

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
  EMBER_PROFILE_OP("transpose");
  check_defined("transpose", "x", x);
  if (x.dim() == 0) return permute(x, {});
  std::vector<int64_t> dims(static_cast<size_t>(x.dim()));
  for (int64_t d = 0; d < x.dim(); ++d) dims[d] = d;
  std::swap(dims[normalize_dim(dim0, x.dim(), "transpose")], dims[normalize_dim(dim1, x.dim(), "transpose")]);
  return permute(x, dims);
}

Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  EMBER_PROFILE_OP("slice");
  check_defined("slice", "x", x);
  EMBER_CHECK(x.dim() > 0, "slice: cannot slice a 0-d tensor");
  dim = normalize_dim(dim, x.dim(), "slice");
  EMBER_CHECK(step >= 1, "slice: step must be at least 1, got {}", step);
  const int64_t size = x.shape()[dim];
  auto clamp_index = [size](int64_t i) { return std::clamp<int64_t>(i < 0 ? i + size : i, 0, size); };
  start = clamp_index(start);
  end = std::max(start, clamp_index(end));
  Shape shape = x.shape();
  Strides strides = x.strides();
  shape[dim] = (end - start + step - 1) / step;
  strides[dim] *= step;
  Tensor out = make_view(x, shape, strides, x.offset() + start * x.strides()[dim]);
  if (autograd::needs_graph({x})) {
    const Shape in_shape = x.shape();
    autograd::attach(out, "SliceBackward", {x}, [in_shape, dim, start, end, step](const Tensor& g, const GradMask&) {
      return scatter_into_zeros(in_shape, g, [&](const Tensor& z) { return z.slice(dim, start, end, step); });
    });
  }
  return out;
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  EMBER_PROFILE_OP("narrow");
  check_defined("narrow", "x", x);
  EMBER_CHECK(x.dim() > 0, "narrow: cannot narrow a 0-d tensor");
  dim = normalize_dim(dim, x.dim(), "narrow");
  const int64_t size = x.shape()[dim];
  if (start < 0) start += size;
  EMBER_CHECK(start >= 0 && length >= 0 && start + length <= size,
              "narrow: range [{}, {}) is outside dimension {} of size {} (shape {})", start, start + length, dim, size,
              shape_str(x.shape()));
  return slice(x, dim, start, start + length);
}

Tensor select(const Tensor& x, int64_t dim, int64_t index) {
  EMBER_PROFILE_OP("select");
  check_defined("select", "x", x);
  EMBER_CHECK(x.dim() > 0, "select: cannot select from a 0-d tensor");
  dim = normalize_dim(dim, x.dim(), "select");
  const int64_t size = x.shape()[dim];
  EMBER_CHECK(index >= -size && index < size, "select: index {} is out of range for dimension {} of size {} (shape {})",
              index, dim, size, shape_str(x.shape()));
  if (index < 0) index += size;
  Shape shape = x.shape();
  Strides strides = x.strides();
  shape.erase(shape.begin() + dim);
  strides.erase(strides.begin() + dim);
  Tensor out = make_view(x, shape, strides, x.offset() + index * x.strides()[dim]);
  if (autograd::needs_graph({x})) {
    const Shape in_shape = x.shape();
    autograd::attach(out, "SelectBackward", {x}, [in_shape, dim, index](const Tensor& g, const GradMask&) {
      return scatter_into_zeros(in_shape, g, [&](const Tensor& z) { return z.select(dim, index); });
    });
  }
  return out;
}

Tensor expand(const Tensor& x, const Shape& shape) {
  EMBER_PROFILE_OP("expand");
  check_defined("expand", "x", x);
  const int64_t ndim = static_cast<int64_t>(shape.size());
  EMBER_CHECK(ndim >= x.dim(), "expand: the target {} has fewer dimensions than the tensor {}", shape_str(shape),
              shape_str(x.shape()));
  const int64_t lead = ndim - x.dim();
  Shape out_shape(shape.size());
  Strides out_strides(shape.size(), 0);
  for (int64_t d = 0; d < ndim; ++d) {
    if (d < lead) {
      EMBER_CHECK(shape[d] >= 0, "expand: a new leading dimension cannot be {} (in {})", shape[d], shape_str(shape));
      out_shape[d] = shape[d];
      continue;
    }
    const int64_t have = x.shape()[d - lead];
    const int64_t want = shape[d] == -1 ? have : shape[d];
    EMBER_CHECK(want == have || have == 1,
                "expand: dimension {} has size {}, which cannot be expanded to {} (only size-1 dims expand; tensor {}, "
                "target {})",
                d - lead, have, want, shape_str(x.shape()), shape_str(shape));
    EMBER_CHECK(want >= 0, "expand: invalid size {} in {}", want, shape_str(shape));
    out_shape[d] = want;
    out_strides[d] = want == have ? x.strides()[d - lead] : 0;
  }
  Tensor out = make_view(x, out_shape, out_strides, x.offset());
  if (autograd::needs_graph({x})) {
    // The gradient has the expanded shape; the engine sums it back to x's shape.
    autograd::attach(out, "ExpandBackward", {x}, [](const Tensor& g, const GradMask&) { return TensorList{g}; });
  }
  return out;
}

Tensor squeeze(const Tensor& x) {
  EMBER_PROFILE_OP("squeeze");
  check_defined("squeeze", "x", x);
  Shape shape;
  Strides strides;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (x.shape()[d] == 1) continue;
    shape.push_back(x.shape()[d]);
    strides.push_back(x.strides()[d]);
  }
  return record_reshape_like(make_view(x, shape, strides, x.offset()), x, "SqueezeBackward");
}

Tensor squeeze(const Tensor& x, int64_t dim) {
  EMBER_PROFILE_OP("squeeze");
  check_defined("squeeze", "x", x);
  if (x.dim() == 0) return record_reshape_like(make_view(x, {}, {}, x.offset()), x, "SqueezeBackward");
  dim = normalize_dim(dim, x.dim(), "squeeze");
  Shape shape = x.shape();
  Strides strides = x.strides();
  if (shape[dim] == 1) {
    shape.erase(shape.begin() + dim);
    strides.erase(strides.begin() + dim);
  }
  return record_reshape_like(make_view(x, shape, strides, x.offset()), x, "SqueezeBackward");
}

Tensor unsqueeze(const Tensor& x, int64_t dim) {
  EMBER_PROFILE_OP("unsqueeze");
  check_defined("unsqueeze", "x", x);
  dim = normalize_dim(dim, x.dim() + 1, "unsqueeze");
  Shape shape = x.shape();
  Strides strides = x.strides();
  const int64_t stride = dim < x.dim() ? x.strides()[dim] * x.shape()[dim] : 1;
  shape.insert(shape.begin() + dim, 1);
  strides.insert(strides.begin() + dim, stride);
  return record_reshape_like(make_view(x, shape, strides, x.offset()), x, "UnsqueezeBackward");
}

Tensor contiguous(const Tensor& x) {
  EMBER_PROFILE_OP("contiguous");
  check_defined("contiguous", "x", x);
  return x.is_contiguous() ? x : clone(x);
}

Tensor clone(const Tensor& x) {
  EMBER_PROFILE_OP("clone");
  check_defined("clone", "x", x);
  Tensor out = kernels::contiguous_copy(x);
  if (autograd::needs_graph({x})) {
    autograd::attach(out, "CloneBackward", {x}, [](const Tensor& g, const GradMask&) { return TensorList{g}; });
  }
  if (trace::Tracer* t = trace::active()) t->record({"clone", {x}, out});
  return out;
}

Tensor cat(const TensorList& tensors, int64_t dim) {
  EMBER_PROFILE_OP("cat");
  EMBER_CHECK(!tensors.empty(), "cat: needs at least one tensor");
  for (size_t i = 0; i < tensors.size(); ++i) {
    EMBER_CHECK(tensors[i].defined(), "cat: tensor {} is undefined", i);
  }
  const Tensor& first = tensors[0];
  EMBER_CHECK(first.dim() > 0, "cat: cannot concatenate 0-d tensors (use stack)");
  dim = normalize_dim(dim, first.dim(), "cat");
  Shape shape = first.shape();
  shape[dim] = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    EMBER_CHECK(t.dtype() == first.dtype(), "cat: tensor {} is {} but tensor 0 is {}", i, t.describe(),
                first.describe());
    bool same = t.dim() == first.dim();
    for (int64_t d = 0; same && d < first.dim(); ++d) same = d == dim || t.shape()[d] == first.shape()[d];
    EMBER_CHECK(same, "cat: tensor {} has shape {} but tensor 0 has shape {}; all sizes except dim {} must match", i,
                shape_str(t.shape()), shape_str(first.shape()), dim);
    shape[dim] += t.shape()[dim];
  }
  Tensor out = empty(shape, first.dtype());
  std::vector<int64_t> offsets;
  int64_t offset = 0;
  for (const Tensor& t : tensors) {
    offsets.push_back(offset);
    kernels::copy_into(make_view(out, t.shape(), out.strides(), offset * out.strides()[dim]), t);
    offset += t.shape()[dim];
  }
  if (autograd::needs_graph(tensors)) {
    std::vector<int64_t> sizes;
    for (const Tensor& t : tensors) sizes.push_back(t.shape()[dim]);
    autograd::attach(out, "CatBackward", tensors, [dim, offsets, sizes](const Tensor& g, const GradMask& needs) {
      TensorList grads(needs.size());
      for (size_t i = 0; i < needs.size(); ++i) {
        if (needs[i]) grads[i] = g.narrow(dim, offsets[i], sizes[i]);
      }
      return grads;
    });
  }
  if (trace::Tracer* t = trace::active()) t->record({"cat", tensors, out, {{"dim", {double(dim)}}}});
  return out;
}

Tensor stack(const TensorList& tensors, int64_t dim) {
  EMBER_PROFILE_OP("stack");
  EMBER_CHECK(!tensors.empty(), "stack: needs at least one tensor");
  TensorList expanded;
  for (size_t i = 0; i < tensors.size(); ++i) {
    EMBER_CHECK(tensors[i].defined(), "stack: tensor {} is undefined", i);
    EMBER_CHECK(tensors[i].shape() == tensors[0].shape(), "stack: tensor {} has shape {} but tensor 0 has shape {}", i,
                shape_str(tensors[i].shape()), shape_str(tensors[0].shape()));
  }
  const int64_t d = normalize_dim(dim, tensors[0].dim() + 1, "stack");
  for (const Tensor& t : tensors) expanded.push_back(unsqueeze(t, d));
  return cat(expanded, d);
}

}  // namespace ember
