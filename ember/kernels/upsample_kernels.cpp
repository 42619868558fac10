// Resampling kernels: the per-axis index and weight tables (PyTorch 1.13's formulas, computed in
// the same float32/double mix so the chosen pixels agree bit for bit), then each forward and its
// backward, one plane per task.
#include "ember/kernels/upsample_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "ember/core/parallel.h"
#include "ember/kernels/pool_common.h"

namespace ember::kernels {

using pool_detail::plane_count;
using pool_detail::plane_grain;
using pool_detail::with_plane;

namespace {

// PyTorch's compute_scales_value<float>: 1 / scale_factor when one was given, else in / out.
float source_scale(int64_t in, int64_t out, std::optional<double> scale) {
  return scale ? static_cast<float>(1.0 / *scale) : static_cast<float>(in) / static_cast<float>(out);
}

ResampleAxis sized(int64_t in, int64_t out) {
  ResampleAxis a;
  a.in = in;
  a.i0.resize(static_cast<size_t>(out));
  a.i1.resize(static_cast<size_t>(out));
  a.w0.assign(static_cast<size_t>(out), 1.0f);
  a.w1.assign(static_cast<size_t>(out), 0.0f);
  return a;
}

}  // namespace

ResampleAxis nearest_axis(int64_t in, int64_t out, std::optional<double> scale) {
  ResampleAxis a = sized(in, out);
  const float s = source_scale(in, out, scale);
  for (int64_t o = 0; o < out; ++o) {
    // floor(o * s) in float32, as PyTorch's NCHW kernel (compute_indices_weights_nearest).
    const int64_t i = std::min(static_cast<int64_t>(std::floor(static_cast<float>(o) * s)), in - 1);
    a.i0[o] = a.i1[o] = i;
  }
  return a;
}

ResampleAxis linear_axis(int64_t in, int64_t out, std::optional<double> scale, bool align_corners) {
  ResampleAxis a = sized(in, out);
  if (out == in) {  // PyTorch copies, whatever the scale factor said
    for (int64_t o = 0; o < out; ++o) a.i0[o] = a.i1[o] = o;
    return a;
  }
  // area_pixel_compute_scale<float>
  const float s = align_corners ? (out > 1 ? static_cast<float>(in - 1) / static_cast<float>(out - 1) : 0.0f)
                                : source_scale(in, out, scale);
  for (int64_t o = 0; o < out; ++o) {
    // area_pixel_compute_source_index: the half-pixel form is evaluated in double, then rounded.
    float src = align_corners ? s * static_cast<float>(o)
                              : static_cast<float>(static_cast<double>(s) * (static_cast<double>(o) + 0.5) - 0.5);
    if (src < 0.0f) src = 0.0f;
    const int64_t i0 = std::min(static_cast<int64_t>(std::floor(src)), in - 1);
    const float lambda1 = std::min(std::max(src - static_cast<float>(i0), 0.0f), 1.0f);
    a.i0[o] = i0;
    a.i1[o] = i0 < in - 1 ? i0 + 1 : i0;
    a.w1[o] = lambda1;
    a.w0[o] = 1.0f - lambda1;
  }
  return a;
}

Tensor upsample_nearest2d(const Tensor& x, const ResampleAxis& rows, const ResampleAxis& cols) {
  Tensor out = empty(with_plane(x.shape(), rows.out(), cols.out()));
  const int64_t in_plane = rows.in * cols.in, out_h = rows.out(), out_w = cols.out();
  const float* src = x.data<float>();
  float* dst = out.data<float>();
  parallel_for(0, plane_count(x), plane_grain(out_h * out_w), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const float* __restrict plane = src + p * in_plane;
      float* __restrict o = dst + p * out_h * out_w;
      for (int64_t oh = 0; oh < out_h; ++oh) {
        const float* row = plane + rows.i0[oh] * cols.in;
        for (int64_t ow = 0; ow < out_w; ++ow) o[oh * out_w + ow] = row[cols.i0[ow]];
      }
    }
  });
  return out;
}

Tensor upsample_nearest2d_backward(const Tensor& grad_out, const ResampleAxis& rows, const ResampleAxis& cols) {
  Tensor grad_in = empty(with_plane(grad_out.shape(), rows.in, cols.in));
  const int64_t in_plane = rows.in * cols.in, out_h = rows.out(), out_w = cols.out();
  const float* go = grad_out.data<float>();
  float* gi = grad_in.data<float>();
  parallel_for(0, plane_count(grad_out), plane_grain(in_plane + out_h * out_w), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      float* __restrict plane = gi + p * in_plane;
      const float* __restrict g = go + p * out_h * out_w;
      std::memset(plane, 0, static_cast<size_t>(in_plane) * sizeof(float));
      for (int64_t oh = 0; oh < out_h; ++oh) {
        float* row = plane + rows.i0[oh] * cols.in;
        for (int64_t ow = 0; ow < out_w; ++ow) row[cols.i0[ow]] += g[oh * out_w + ow];
      }
    }
  });
  return grad_in;
}

Tensor upsample_bilinear2d(const Tensor& x, const ResampleAxis& rows, const ResampleAxis& cols) {
  Tensor out = empty(with_plane(x.shape(), rows.out(), cols.out()));
  const int64_t in_plane = rows.in * cols.in, out_h = rows.out(), out_w = cols.out();
  const float* src = x.data<float>();
  float* dst = out.data<float>();
  parallel_for(0, plane_count(x), plane_grain(4 * out_h * out_w), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const float* __restrict plane = src + p * in_plane;
      float* __restrict o = dst + p * out_h * out_w;
      for (int64_t oh = 0; oh < out_h; ++oh) {
        const float* r0 = plane + rows.i0[oh] * cols.in;
        const float* r1 = plane + rows.i1[oh] * cols.in;
        const float wr0 = rows.w0[oh], wr1 = rows.w1[oh];
        for (int64_t ow = 0; ow < out_w; ++ow) {
          const int64_t c0 = cols.i0[ow], c1 = cols.i1[ow];
          const float wc0 = cols.w0[ow], wc1 = cols.w1[ow];
          o[oh * out_w + ow] = (r0[c0] * wc0 + r0[c1] * wc1) * wr0 + (r1[c0] * wc0 + r1[c1] * wc1) * wr1;
        }
      }
    }
  });
  return out;
}

Tensor upsample_bilinear2d_backward(const Tensor& grad_out, const ResampleAxis& rows, const ResampleAxis& cols) {
  Tensor grad_in = empty(with_plane(grad_out.shape(), rows.in, cols.in));
  const int64_t in_plane = rows.in * cols.in, out_h = rows.out(), out_w = cols.out();
  const float* go = grad_out.data<float>();
  float* gi = grad_in.data<float>();
  parallel_for(0, plane_count(grad_out), plane_grain(in_plane + 4 * out_h * out_w), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      float* __restrict plane = gi + p * in_plane;
      const float* __restrict g = go + p * out_h * out_w;
      std::memset(plane, 0, static_cast<size_t>(in_plane) * sizeof(float));
      for (int64_t oh = 0; oh < out_h; ++oh) {
        float* r0 = plane + rows.i0[oh] * cols.in;
        float* r1 = plane + rows.i1[oh] * cols.in;
        const float wr0 = rows.w0[oh], wr1 = rows.w1[oh];
        for (int64_t ow = 0; ow < out_w; ++ow) {
          const int64_t c0 = cols.i0[ow], c1 = cols.i1[ow];
          const float wc0 = cols.w0[ow], wc1 = cols.w1[ow], v = g[oh * out_w + ow];
          r0[c0] += wr0 * wc0 * v;
          r0[c1] += wr0 * wc1 * v;
          r1[c0] += wr1 * wc0 * v;
          r1[c1] += wr1 * wc1 * v;
        }
      }
    }
  });
  return grad_in;
}

}  // namespace ember::kernels
