#include "ember/kernels/im2col.h"

#include <algorithm>
#include <cstring>

namespace ember::kernels {

namespace {

// The output columns [lo, hi) whose input column ow*stride - pad + offset falls inside [0, in_w).
inline void valid_range(int64_t out_w, int64_t in_w, int64_t stride, int64_t start, int64_t& lo, int64_t& hi) {
  // start + ow * stride >= 0  and  start + ow * stride < in_w
  lo = start >= 0 ? 0 : (-start + stride - 1) / stride;
  hi = start >= in_w ? 0 : (in_w - start + stride - 1) / stride;
  lo = std::min(lo, out_w);
  hi = std::clamp(hi, lo, out_w);
}

}  // namespace

void im2col(const float* x, const ConvGeometry& g, float* cols, int64_t row_stride) {
  const int64_t ld = row_stride > 0 ? row_stride : g.out_h * g.out_w;
  for (int64_t c = 0; c < g.channels; ++c) {
    const float* plane = x + c * g.in_h * g.in_w;
    for (int64_t i = 0; i < g.kernel_h; ++i) {
      for (int64_t j = 0; j < g.kernel_w; ++j) {
        float* row = cols + ((c * g.kernel_h + i) * g.kernel_w + j) * ld;
        const int64_t col_start = j * g.dilation_w - g.pad_left;
        int64_t lo, hi;
        valid_range(g.out_w, g.in_w, g.stride_w, col_start, lo, hi);
        for (int64_t oh = 0; oh < g.out_h; ++oh) {
          float* dst = row + oh * g.out_w;
          const int64_t ih = oh * g.stride_h - g.pad_top + i * g.dilation_h;
          if (ih < 0 || ih >= g.in_h) {
            std::memset(dst, 0, static_cast<size_t>(g.out_w) * sizeof(float));
            continue;
          }
          const float* src = plane + ih * g.in_w + col_start;
          for (int64_t ow = 0; ow < lo; ++ow) dst[ow] = 0.0f;
          if (g.stride_w == 1) {
            std::memcpy(dst + lo, src + lo, static_cast<size_t>(hi - lo) * sizeof(float));
          } else {
            for (int64_t ow = lo; ow < hi; ++ow) dst[ow] = src[ow * g.stride_w];
          }
          for (int64_t ow = hi; ow < g.out_w; ++ow) dst[ow] = 0.0f;
        }
      }
    }
  }
}

void col2im(const float* cols, const ConvGeometry& g, float* x, int64_t row_stride) {
  const int64_t ld = row_stride > 0 ? row_stride : g.out_h * g.out_w;
  for (int64_t c = 0; c < g.channels; ++c) {
    float* plane = x + c * g.in_h * g.in_w;
    for (int64_t i = 0; i < g.kernel_h; ++i) {
      for (int64_t j = 0; j < g.kernel_w; ++j) {
        const float* row = cols + ((c * g.kernel_h + i) * g.kernel_w + j) * ld;
        const int64_t col_start = j * g.dilation_w - g.pad_left;
        int64_t lo, hi;
        valid_range(g.out_w, g.in_w, g.stride_w, col_start, lo, hi);
        for (int64_t oh = 0; oh < g.out_h; ++oh) {
          const int64_t ih = oh * g.stride_h - g.pad_top + i * g.dilation_h;
          if (ih < 0 || ih >= g.in_h) continue;
          const float* src = row + oh * g.out_w;
          float* dst = plane + ih * g.in_w + col_start;
          if (g.stride_w == 1) {
            for (int64_t ow = lo; ow < hi; ++ow) dst[ow] += src[ow];
          } else {
            for (int64_t ow = lo; ow < hi; ++ow) dst[ow * g.stride_w] += src[ow];
          }
        }
      }
    }
  }
}

void im2col_reference(const float* x, const ConvGeometry& g, float* cols) {
  for (int64_t c = 0; c < g.channels; ++c)
    for (int64_t i = 0; i < g.kernel_h; ++i)
      for (int64_t j = 0; j < g.kernel_w; ++j)
        for (int64_t oh = 0; oh < g.out_h; ++oh)
          for (int64_t ow = 0; ow < g.out_w; ++ow) {
            const int64_t ih = oh * g.stride_h - g.pad_top + i * g.dilation_h;
            const int64_t iw = ow * g.stride_w - g.pad_left + j * g.dilation_w;
            const bool inside = ih >= 0 && ih < g.in_h && iw >= 0 && iw < g.in_w;
            cols[(((c * g.kernel_h + i) * g.kernel_w + j) * g.out_h + oh) * g.out_w + ow] =
                inside ? x[(c * g.in_h + ih) * g.in_w + iw] : 0.0f;
          }
}

void col2im_reference(const float* cols, const ConvGeometry& g, float* x) {
  for (int64_t c = 0; c < g.channels; ++c)
    for (int64_t i = 0; i < g.kernel_h; ++i)
      for (int64_t j = 0; j < g.kernel_w; ++j)
        for (int64_t oh = 0; oh < g.out_h; ++oh)
          for (int64_t ow = 0; ow < g.out_w; ++ow) {
            const int64_t ih = oh * g.stride_h - g.pad_top + i * g.dilation_h;
            const int64_t iw = ow * g.stride_w - g.pad_left + j * g.dilation_w;
            if (ih >= 0 && ih < g.in_h && iw >= 0 && iw < g.in_w) {
              x[(c * g.in_h + ih) * g.in_w + iw] += cols[(((c * g.kernel_h + i) * g.kernel_w + j) * g.out_h + oh) * g.out_w + ow];
            }
          }
}

}  // namespace ember::kernels
