#include "ember/kernels/reduce_kernels.h"

#include <cmath>
#include <numeric>

#include "ember/core/parallel.h"
#include "ember/kernels/elementwise_kernels.h"

namespace ember::kernels {

namespace {
constexpr int64_t kSumChunk = 1 << 16;       // elements per partial sum in sum_all
constexpr int64_t kColumnChunk = 1024;       // output columns per task in column sums
constexpr int64_t kRowGrainElements = 1 << 15;
}  // namespace

double sum_all(const Tensor& x) {
  const Tensor c = x.is_contiguous() ? x : contiguous_copy(x);
  const float* p = c.data<float>();
  const int64_t n = c.numel();
  const int64_t chunks = chunk_count(n, kSumChunk);
  std::vector<double> partial(static_cast<size_t>(chunks), 0.0);
  parallel_for(0, chunks, 1, [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k) {
      const int64_t start = k * kSumChunk;
      partial[k] = sum_contiguous(p + start, std::min(kSumChunk, n - start));
    }
  });
  double total = 0;
  for (double v : partial) total += v;
  return total;
}

Tensor move_dim_last(const Tensor& x, int64_t dim) {
  const int64_t ndim = x.dim();
  if (dim == ndim - 1 || ndim == 0) return x.is_contiguous() ? x : contiguous_copy(x);
  Shape shape;
  Strides strides;
  for (int64_t d = 0; d < ndim; ++d) {
    if (d == dim) continue;
    shape.push_back(x.shape()[d]);
    strides.push_back(x.strides()[d]);
  }
  shape.push_back(x.shape()[dim]);
  strides.push_back(x.strides()[dim]);
  return contiguous_copy(make_view(x, shape, strides, x.offset()));
}

Tensor restore_dim(const Tensor& y, int64_t dim) {
  const int64_t ndim = y.dim();
  if (dim == ndim - 1 || ndim == 0) return y;
  Shape shape;
  Strides strides;
  for (int64_t d = 0; d < ndim - 1; ++d) {
    if (d == dim) {
      shape.push_back(y.shape()[ndim - 1]);
      strides.push_back(y.strides()[ndim - 1]);
    }
    shape.push_back(y.shape()[d]);
    strides.push_back(y.strides()[d]);
  }
  return make_view(y, shape, strides, y.offset());
}

Tensor sum_dims(const Tensor& x, const std::vector<bool>& reduce) {
  const int64_t ndim = x.dim();
  Shape out_shape = x.shape();
  Shape kept_shape, reduced_shape;
  Strides kept_strides, reduced_strides;
  bool reduced_are_leading = true;
  bool seen_kept = false;
  for (int64_t d = 0; d < ndim; ++d) {
    if (reduce[d]) {
      out_shape[d] = 1;
      reduced_shape.push_back(x.shape()[d]);
      reduced_strides.push_back(x.strides()[d]);
      if (seen_kept && x.shape()[d] != 1) reduced_are_leading = false;
    } else {
      kept_shape.push_back(x.shape()[d]);
      kept_strides.push_back(x.strides()[d]);
      if (x.shape()[d] != 1) seen_kept = true;
    }
  }
  Tensor out = empty(out_shape);
  float* o = out.data<float>();
  const int64_t kept = numel_of(kept_shape);
  const int64_t len = numel_of(reduced_shape);

  if (reduced_are_leading && x.is_contiguous()) {
    // x is [len, kept] in memory: sum down the columns, vectorizing across them.
    const float* p = x.data<float>();
    parallel_for(0, kept, kColumnChunk, [&](int64_t b, int64_t e) {
      std::vector<double> acc(static_cast<size_t>(e - b), 0.0);
      for (int64_t r = 0; r < len; ++r) {
        const float* row = p + r * kept;
        for (int64_t c = b; c < e; ++c) acc[c - b] += static_cast<double>(row[c]);
      }
      for (int64_t c = b; c < e; ++c) o[c] = static_cast<float>(acc[c - b]);
    });
    return out;
  }
  // General case: lay x out as [kept, len] so each output sums one contiguous row.
  Shape perm_shape = kept_shape;
  Strides perm_strides = kept_strides;
  perm_shape.insert(perm_shape.end(), reduced_shape.begin(), reduced_shape.end());
  perm_strides.insert(perm_strides.end(), reduced_strides.begin(), reduced_strides.end());
  const Tensor rows = contiguous_copy(make_view(x, perm_shape, perm_strides, x.offset()));
  const float* p = rows.data<float>();
  const int64_t grain = std::max<int64_t>(1, kRowGrainElements / std::max<int64_t>(len, 1));
  parallel_for(0, kept, grain, [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k) o[k] = static_cast<float>(sum_contiguous(p + k * len, len));
  });
  return out;
}

Tensor sum_to_shape(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  EMBER_CHECK(broadcast_shapes(x.shape(), shape, "sum_to_shape") == x.shape(),
              "sum_to_shape: a gradient of shape {} is not a broadcast of shape {}", shape_str(x.shape()),
              shape_str(shape));
  const int64_t lead = x.dim() - static_cast<int64_t>(shape.size());
  std::vector<bool> reduce(static_cast<size_t>(x.dim()), false);
  for (int64_t d = 0; d < x.dim(); ++d) {
    reduce[d] = d < lead || (shape[d - lead] == 1 && x.shape()[d] != 1);
  }
  Tensor summed = sum_dims(x, reduce);
  return make_view(summed, shape, contiguous_strides(shape), 0);
}

std::pair<Tensor, Tensor> max_dim(const Tensor& x, int64_t dim) {
  const Tensor rows = move_dim_last(x, dim);
  const int64_t len = x.dim() == 0 ? 1 : x.shape()[dim];
  Shape out_shape = x.shape();
  if (x.dim() > 0) out_shape[dim] = 1;
  Tensor values = empty(out_shape);
  Tensor indices = empty(out_shape, DType::i64);
  const int64_t n_rows = values.numel();
  const float* p = rows.data<float>();
  float* v = values.data<float>();
  int64_t* idx = indices.data<int64_t>();
  const int64_t grain = std::max<int64_t>(1, kRowGrainElements / std::max<int64_t>(len, 1));
  parallel_for(0, n_rows, grain, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* row = p + r * len;
      int64_t best = 0;
      for (int64_t i = 1; i < len; ++i) {
        if (std::isnan(row[best])) break;
        if (row[i] > row[best] || std::isnan(row[i])) best = i;
      }
      v[r] = row[best];
      idx[r] = best;
    }
  });
  return {values, indices};
}

}  // namespace ember::kernels
