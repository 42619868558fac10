#include "ember/kernels/elementwise_kernels.h"

#include <cstring>

namespace ember::kernels {

Strides broadcast_strides(const Tensor& t, const Shape& out_shape) {
  const size_t ndim = out_shape.size();
  const size_t offset = ndim - t.shape().size();
  Strides strides(ndim, 0);
  for (size_t d = 0; d < t.shape().size(); ++d) {
    strides[offset + d] = t.shape()[d] == 1 ? 0 : t.strides()[d];
  }
  return strides;
}

namespace {

template <typename T>
void copy_typed(const Tensor& dst, const Tensor& src) {
  const std::array<Strides, 2> strides{dst.strides(), broadcast_strides(src, dst.shape())};
  for_each_row<T, 2>(dst.shape(), strides, {dst.data<T>(), src.data<T>()},
                     [](const std::array<T*, 2>& p, const std::array<int64_t, 2>& s, int64_t n) {
                       if (s[0] == 1 && s[1] == 1) {
                         std::memcpy(p[0], p[1], static_cast<size_t>(n) * sizeof(T));
                       } else {
                         for (int64_t i = 0; i < n; ++i) p[0][i * s[0]] = p[1][i * s[1]];
                       }
                     });
}

}  // namespace

void copy_into(const Tensor& dst, const Tensor& src) {
  EMBER_CHECK(dst.dtype() == src.dtype(), "copy: source is {} but destination is {}", src.describe(), dst.describe());
  const Shape out = broadcast_shapes(dst.shape(), src.shape(), "copy");
  EMBER_CHECK(out == dst.shape(), "copy: source of shape {} cannot be broadcast to destination shape {}",
              shape_str(src.shape()), shape_str(dst.shape()));
  if (dst.dtype() == DType::f32) {
    copy_typed<float>(dst, src);
  } else {
    copy_typed<int64_t>(dst, src);
  }
}

Tensor contiguous_copy(const Tensor& t) {
  Tensor out = empty(t.shape(), t.dtype());
  copy_into(out, t);
  return out;
}

void add_inplace(const Tensor& dst, const Tensor& src, float alpha) {
  if (alpha == 1.0f) {
    update_inplace(dst, src, [](float d, float s) { return d + s; }, "add_");
  } else {
    update_inplace(dst, src, [alpha](float d, float s) { return d + alpha * s; }, "add_");
  }
}

void fill(const Tensor& dst, float value) {
  map_inplace(dst, [value](float) { return value; });
}

}  // namespace ember::kernels
