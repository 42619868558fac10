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
}  // namespace ember::kernels

#define EMBER_ISA_BODY "ember/kernels/im2col-inl.h"
#include "ember/kernels/isa/variants.h"

namespace ember::kernels {

void im2col(const float* x, const ConvGeometry& g, float* cols, int64_t row_stride) {
  EMBER_ISA_CALL(im2col_rows)(x, g, cols, row_stride);
}

void col2im(const float* cols, const ConvGeometry& g, float* x, int64_t row_stride) {
  EMBER_ISA_CALL(col2im_rows)(cols, g, x, row_stride);
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
