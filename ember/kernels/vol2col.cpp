#include "ember/kernels/vol2col.h"

#include <cstring>

namespace ember::kernels {

// Rows (c, a, i, j) for a fixed (c, a) are kh*kw consecutive rows of the column matrix, and the
// columns of output depth od are a contiguous out_h*out_w block of each row: exactly what im2col
// writes for one slice when given the matrix's full row stride.

void vol2col(const float* x, const VolGeometry& g, float* cols, int64_t od_begin, int64_t od_end) {
  if (od_end < 0) od_end = g.out_d;
  const ConvGeometry slice = g.slice();
  const int64_t plane = g.out_h * g.out_w, ld = (od_end - od_begin) * plane, taps = g.kernel_h * g.kernel_w;
  const int64_t in_slice = g.in_h * g.in_w;
  for (int64_t c = 0; c < g.channels; ++c) {
    for (int64_t a = 0; a < g.kernel_d; ++a) {
      float* rows = cols + (c * g.kernel_d + a) * taps * ld;
      for (int64_t od = od_begin; od < od_end; ++od) {
        const int64_t id = od * g.stride_d - g.pad_front + a * g.dilation_d;
        float* dst = rows + (od - od_begin) * plane;
        if (id < 0 || id >= g.in_d) {
          for (int64_t t = 0; t < taps; ++t) std::memset(dst + t * ld, 0, static_cast<size_t>(plane) * sizeof(float));
          continue;
        }
        im2col(x + (c * g.in_d + id) * in_slice, slice, dst, ld);
      }
    }
  }
}

void col2vol(const float* cols, const VolGeometry& g, float* x, int64_t od_begin, int64_t od_end) {
  if (od_end < 0) od_end = g.out_d;
  const ConvGeometry slice = g.slice();
  const int64_t plane = g.out_h * g.out_w, ld = (od_end - od_begin) * plane, taps = g.kernel_h * g.kernel_w;
  const int64_t in_slice = g.in_h * g.in_w;
  for (int64_t c = 0; c < g.channels; ++c) {
    for (int64_t a = 0; a < g.kernel_d; ++a) {
      const float* rows = cols + (c * g.kernel_d + a) * taps * ld;
      for (int64_t od = od_begin; od < od_end; ++od) {
        const int64_t id = od * g.stride_d - g.pad_front + a * g.dilation_d;
        if (id < 0 || id >= g.in_d) continue;
        col2im(rows + (od - od_begin) * plane, slice, x + (c * g.in_d + id) * in_slice, ld);
      }
    }
  }
}

namespace {

// Calls f(column-matrix index, input index or -1 when the tap reads padding) for every entry.
template <typename F>
void for_each_tap(const VolGeometry& g, F&& f) {
  int64_t row = 0;
  for (int64_t c = 0; c < g.channels; ++c)
    for (int64_t a = 0; a < g.kernel_d; ++a)
      for (int64_t i = 0; i < g.kernel_h; ++i)
        for (int64_t j = 0; j < g.kernel_w; ++j, ++row) {
          int64_t col = 0;
          for (int64_t od = 0; od < g.out_d; ++od)
            for (int64_t oh = 0; oh < g.out_h; ++oh)
              for (int64_t ow = 0; ow < g.out_w; ++ow, ++col) {
                const int64_t id = od * g.stride_d - g.pad_front + a * g.dilation_d;
                const int64_t ih = oh * g.stride_h - g.pad_top + i * g.dilation_h;
                const int64_t iw = ow * g.stride_w - g.pad_left + j * g.dilation_w;
                const bool inside = id >= 0 && id < g.in_d && ih >= 0 && ih < g.in_h && iw >= 0 && iw < g.in_w;
                f(row * g.col_cols() + col, inside ? ((c * g.in_d + id) * g.in_h + ih) * g.in_w + iw : -1);
              }
        }
}

}  // namespace

void vol2col_reference(const float* x, const VolGeometry& g, float* cols) {
  for_each_tap(g, [&](int64_t col, int64_t in) { cols[col] = in >= 0 ? x[in] : 0.0f; });
}

void col2vol_reference(const float* cols, const VolGeometry& g, float* x) {
  for_each_tap(g, [&](int64_t col, int64_t in) {
    if (in >= 0) x[in] += cols[col];
  });
}

}  // namespace ember::kernels
