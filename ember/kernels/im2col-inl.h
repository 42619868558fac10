// im2col and col2im's loops, compiled once per instruction set (isa/variants.h; included by
// im2col.cpp, which declares valid_range). Row copies with unit stride vectorize for the
// variant's width; strided ones gather.

void im2col_rows(const float* x, const ConvGeometry& g, float* cols, int64_t row_stride) {
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

void col2im_rows(const float* cols, const ConvGeometry& g, float* x, int64_t row_stride) {
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
