#pragma once
// Elementwise kernels on float32: unary maps, broadcasting binary maps, in-place updates, copies.
// Autograd-free: ops/ wraps them with gradients. Every output is a new contiguous tensor unless
// the name ends in _inplace.
#include <array>

#include "ember/kernels/strided_loop.h"

namespace ember::kernels {

// A contiguous copy of any tensor (any dtype, any strides).
Tensor contiguous_copy(const Tensor& t);
// dst[...] = src broadcast to dst's shape; dst may be a strided view. Same dtype required.
void copy_into(const Tensor& dst, const Tensor& src);
// dst += src (src broadcast to dst's shape).
void add_inplace(const Tensor& dst, const Tensor& src, float alpha = 1.0f);
// dst = 0 where it is a view of anything.
void fill(const Tensor& dst, float value);

// out = f(a), elementwise.
template <typename F>
Tensor map_unary(const Tensor& a, F f) {
  Tensor out = empty(a.shape());
  const std::array<Strides, 2> strides{out.strides(), a.strides()};
  for_each_row<float, 2>(out.shape(), strides, {out.data<float>(), a.data<float>()},
                         [&](const std::array<float*, 2>& p, const std::array<int64_t, 2>& s, int64_t n) {
                           float* __restrict o = p[0];
                           const float* __restrict x = p[1];
                           if (s[1] == 1) {
                             for (int64_t i = 0; i < n; ++i) o[i] = f(x[i]);
                           } else {
                             for (int64_t i = 0; i < n; ++i) o[i] = f(x[i * s[1]]);
                           }
                         });
  return out;
}

// out = f(a, b) with NumPy broadcasting; out has the broadcast shape.
template <typename F>
Tensor map_binary(const Tensor& a, const Tensor& b, F f, const char* op) {
  Tensor out = empty(broadcast_shapes(a.shape(), b.shape(), op));
  const std::array<Strides, 3> strides{out.strides(), broadcast_strides(a, out.shape()),
                                       broadcast_strides(b, out.shape())};
  for_each_row<float, 3>(out.shape(), strides, {out.data<float>(), a.data<float>(), b.data<float>()},
                         [&](const std::array<float*, 3>& p, const std::array<int64_t, 3>& s, int64_t n) {
                           float* __restrict o = p[0];
                           const float* __restrict x = p[1];
                           const float* __restrict y = p[2];
                           // Separate branches for the common stride patterns so each vectorizes.
                           if (s[1] == 1 && s[2] == 1) {
                             for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
                           } else if (s[1] == 1 && s[2] == 0) {
                             const float yv = *y;
                             for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], yv);
                           } else if (s[1] == 0 && s[2] == 1) {
                             const float xv = *x;
                             for (int64_t i = 0; i < n; ++i) o[i] = f(xv, y[i]);
                           } else {
                             for (int64_t i = 0; i < n; ++i) o[i] = f(x[i * s[1]], y[i * s[2]]);
                           }
                         });
  return out;
}

// out = f(a, b, c) with broadcasting of b and c to a's shape (used by fused backward formulas).
template <typename F>
Tensor map_ternary(const Tensor& a, const Tensor& b, const Tensor& c, F f) {
  Tensor out = empty(a.shape());
  const std::array<Strides, 4> strides{out.strides(), a.strides(), broadcast_strides(b, out.shape()),
                                       broadcast_strides(c, out.shape())};
  for_each_row<float, 4>(out.shape(), strides, {out.data<float>(), a.data<float>(), b.data<float>(), c.data<float>()},
                         [&](const std::array<float*, 4>& p, const std::array<int64_t, 4>& s, int64_t n) {
                           float* __restrict o = p[0];
                           if (s[1] == 1 && s[2] == 1 && s[3] == 1) {
                             for (int64_t i = 0; i < n; ++i) o[i] = f(p[1][i], p[2][i], p[3][i]);
                           } else {
                             for (int64_t i = 0; i < n; ++i) o[i] = f(p[1][i * s[1]], p[2][i * s[2]], p[3][i * s[3]]);
                           }
                         });
  return out;
}

// dst = f(dst, src) in place, src broadcast to dst's shape; dst may be strided.
template <typename F>
void update_inplace(const Tensor& dst, const Tensor& src, F f, const char* op) {
  const Shape out = broadcast_shapes(dst.shape(), src.shape(), op);
  EMBER_CHECK(out == dst.shape(), "{}: the in-place result would have shape {} but the tensor has shape {}", op,
              shape_str(out), shape_str(dst.shape()));
  const std::array<Strides, 2> strides{dst.strides(), broadcast_strides(src, dst.shape())};
  for_each_row<float, 2>(dst.shape(), strides, {dst.data<float>(), src.data<float>()},
                         [&](const std::array<float*, 2>& p, const std::array<int64_t, 2>& s, int64_t n) {
                           float* o = p[0];
                           const float* x = p[1];
                           if (s[0] == 1 && s[1] == 1) {
                             for (int64_t i = 0; i < n; ++i) o[i] = f(o[i], x[i]);
                           } else {
                             for (int64_t i = 0; i < n; ++i) o[i * s[0]] = f(o[i * s[0]], x[i * s[1]]);
                           }
                         });
}

// dst = f(dst) in place.
template <typename F>
void map_inplace(const Tensor& dst, F f) {
  const std::array<Strides, 1> strides{dst.strides()};
  for_each_row<float, 1>(dst.shape(), strides, {dst.data<float>()},
                         [&](const std::array<float*, 1>& p, const std::array<int64_t, 1>& s, int64_t n) {
                           float* o = p[0];
                           if (s[0] == 1) {
                             for (int64_t i = 0; i < n; ++i) o[i] = f(o[i]);
                           } else {
                             for (int64_t i = 0; i < n; ++i) o[i * s[0]] = f(o[i * s[0]]);
                           }
                         });
}

}  // namespace ember::kernels
