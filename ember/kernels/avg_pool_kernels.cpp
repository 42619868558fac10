// Average and adaptive pooling kernels (max pooling is in pool_kernels.cpp).
#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "ember/core/parallel.h"
#include "ember/kernels/pool_common.h"
#include "ember/kernels/pool_kernels.h"

namespace ember::kernels {

using namespace pool_detail;

// ---- average pooling ----

namespace {

// Per output row (or column): the clipped input range [lo, hi) and PyTorch's divisor factor.
struct AvgSpans {
  std::vector<int64_t> lo, hi, factor;
};

AvgSpans avg_spans(int64_t out, int64_t in, int64_t kernel, int64_t stride, int64_t pad_before, int64_t pad_after,
                   bool count_include_pad) {
  AvgSpans s;
  s.lo.resize(out);
  s.hi.resize(out);
  s.factor.resize(out);
  for (int64_t o = 0; o < out; ++o) {
    const int64_t start = o * stride - pad_before;
    const int64_t end = std::min(start + kernel, in + pad_after);  // clipped to the padded input
    s.lo[o] = std::max<int64_t>(start, 0);
    s.hi[o] = std::min(end, in);
    s.factor[o] = count_include_pad ? end - start : std::max<int64_t>(s.hi[o] - s.lo[o], 0);
  }
  return s;
}

}  // namespace

Tensor avg_pool2d(const Tensor& x, const Pool2dGeometry& g, bool count_include_pad) {
  Tensor out = empty(with_plane(x.shape(), g.out_h, g.out_w));
  const AvgSpans rows = avg_spans(g.out_h, g.in_h, g.kernel_h, g.stride_h, g.pad_top, g.pad_bottom, count_include_pad);
  const AvgSpans cols = avg_spans(g.out_w, g.in_w, g.kernel_w, g.stride_w, g.pad_left, g.pad_right, count_include_pad);
  const int64_t W = g.in_w, OW = g.out_w, in_plane = g.in_h * W, out_plane = g.out_h * OW;
  const float* in = x.data<float>();
  float* o = out.data<float>();
  parallel_for(0, plane_count(x), plane_grain(in_plane + out_plane * g.kernel_h * g.kernel_w), [&](int64_t b, int64_t e) {
    std::vector<float> sums(static_cast<size_t>(OW));
    for (int64_t p = b; p < e; ++p) {
      const float* plane = in + p * in_plane;
      for (int64_t oh = 0; oh < g.out_h; ++oh) {
        // Each window sums its rows top to bottom, each row left to right (PyTorch's order).
        std::fill(sums.begin(), sums.end(), 0.0f);
        for (int64_t ih = rows.lo[oh]; ih < rows.hi[oh]; ++ih) {
          const float* row = plane + ih * W;
          for (int64_t ow = 0; ow < OW; ++ow) {
            float acc = sums[ow];
            for (int64_t iw = cols.lo[ow]; iw < cols.hi[ow]; ++iw) acc += row[iw];
            sums[ow] = acc;
          }
        }
        float* orow = o + p * out_plane + oh * OW;
        for (int64_t ow = 0; ow < OW; ++ow) {
          const int64_t divisor = rows.factor[oh] * cols.factor[ow];
          const bool empty_window = rows.lo[oh] >= rows.hi[oh] || cols.lo[ow] >= cols.hi[ow];
          orow[ow] = empty_window ? 0.0f : sums[ow] / static_cast<float>(divisor);
        }
      }
    }
  });
  return out;
}

Tensor avg_pool2d_backward(const Tensor& grad_out, const Pool2dGeometry& g, bool count_include_pad) {
  Tensor grad_in = empty(with_plane(grad_out.shape(), g.in_h, g.in_w));
  const AvgSpans rows = avg_spans(g.out_h, g.in_h, g.kernel_h, g.stride_h, g.pad_top, g.pad_bottom, count_include_pad);
  const AvgSpans cols = avg_spans(g.out_w, g.in_w, g.kernel_w, g.stride_w, g.pad_left, g.pad_right, count_include_pad);
  const int64_t W = g.in_w, OW = g.out_w, in_plane = g.in_h * W, out_plane = g.out_h * OW;
  const float* go = grad_out.data<float>();
  float* gi = grad_in.data<float>();
  parallel_for(0, plane_count(grad_out), plane_grain(in_plane + out_plane * g.kernel_h * g.kernel_w),
               [&](int64_t b, int64_t e) {
                 for (int64_t p = b; p < e; ++p) {
                   float* plane = gi + p * in_plane;
                   std::memset(plane, 0, static_cast<size_t>(in_plane) * sizeof(float));
                   for (int64_t oh = 0; oh < g.out_h; ++oh) {
                     const float* grow = go + p * out_plane + oh * OW;
                     for (int64_t ow = 0; ow < OW; ++ow) {
                       if (cols.lo[ow] >= cols.hi[ow]) continue;
                       const float delta = grow[ow] / static_cast<float>(rows.factor[oh] * cols.factor[ow]);
                       for (int64_t ih = rows.lo[oh]; ih < rows.hi[oh]; ++ih) {
                         float* row = plane + ih * W;
                         for (int64_t iw = cols.lo[ow]; iw < cols.hi[ow]; ++iw) row[iw] += delta;
                       }
                     }
                   }
                 }
               });
  return grad_in;
}

// ---- adaptive pooling ----

int64_t adaptive_bin_start(int64_t i, int64_t in, int64_t out) { return (i / out) * in + ((i % out) * in) / out; }
int64_t adaptive_bin_end(int64_t i, int64_t in, int64_t out) { return 1 + ((i + 1) * in - 1) / out; }

namespace {

struct Bins {
  std::vector<int64_t> lo, hi;
};

Bins adaptive_bins(int64_t in, int64_t out) {
  Bins b;
  for (int64_t i = 0; i < out; ++i) {
    b.lo.push_back(adaptive_bin_start(i, in, out));
    b.hi.push_back(adaptive_bin_end(i, in, out));
  }
  return b;
}

// Work per plane of an adaptive sweep: every input element is visited about once per bin covering it.
int64_t adaptive_work(int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w) {
  return (in_h + out_h) * (in_w + out_w);
}

}  // namespace

Tensor adaptive_avg_pool2d(const Tensor& x, int64_t out_h, int64_t out_w) {
  const int64_t H = x.size(-2), W = x.size(-1);
  Tensor out = empty(with_plane(x.shape(), out_h, out_w));
  const Bins rows = adaptive_bins(H, out_h), cols = adaptive_bins(W, out_w);
  const float* in = x.data<float>();
  float* o = out.data<float>();
  parallel_for(0, plane_count(x), plane_grain(adaptive_work(H, W, out_h, out_w)), [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) {
      const float* plane = in + p * H * W;
      float* dst = o + p * out_h * out_w;
      for (int64_t oh = 0; oh < out_h; ++oh) {
        for (int64_t ow = 0; ow < out_w; ++ow) {
          float sum = 0.0f;
          for (int64_t ih = rows.lo[oh]; ih < rows.hi[oh]; ++ih) {
            for (int64_t iw = cols.lo[ow]; iw < cols.hi[ow]; ++iw) sum += plane[ih * W + iw];
          }
          // sum / kh / kw, as PyTorch rounds it.
          dst[oh * out_w + ow] = sum / static_cast<float>(rows.hi[oh] - rows.lo[oh]) /
                                 static_cast<float>(cols.hi[ow] - cols.lo[ow]);
        }
      }
    }
  });
  return out;
}

Tensor adaptive_avg_pool2d_backward(const Tensor& grad_out, int64_t in_h, int64_t in_w) {
  const int64_t out_h = grad_out.size(-2), out_w = grad_out.size(-1);
  Tensor grad_in = empty(with_plane(grad_out.shape(), in_h, in_w));
  const Bins rows = adaptive_bins(in_h, out_h), cols = adaptive_bins(in_w, out_w);
  const float* go = grad_out.data<float>();
  float* gi = grad_in.data<float>();
  parallel_for(0, plane_count(grad_out), plane_grain(adaptive_work(in_h, in_w, out_h, out_w)), [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) {
      float* plane = gi + p * in_h * in_w;
      const float* grad = go + p * out_h * out_w;
      std::memset(plane, 0, static_cast<size_t>(in_h * in_w) * sizeof(float));
      for (int64_t oh = 0; oh < out_h; ++oh) {
        for (int64_t ow = 0; ow < out_w; ++ow) {
          const float delta = grad[oh * out_w + ow] / static_cast<float>(rows.hi[oh] - rows.lo[oh]) /
                              static_cast<float>(cols.hi[ow] - cols.lo[ow]);
          for (int64_t ih = rows.lo[oh]; ih < rows.hi[oh]; ++ih) {
            for (int64_t iw = cols.lo[ow]; iw < cols.hi[ow]; ++iw) plane[ih * in_w + iw] += delta;
          }
        }
      }
    }
  });
  return grad_in;
}

std::pair<Tensor, Tensor> adaptive_max_pool2d(const Tensor& x, int64_t out_h, int64_t out_w) {
  const int64_t H = x.size(-2), W = x.size(-1);
  const Shape out_shape = with_plane(x.shape(), out_h, out_w);
  Tensor out = empty(out_shape);
  Tensor indices = empty(out_shape, DType::i64);
  const Bins rows = adaptive_bins(H, out_h), cols = adaptive_bins(W, out_w);
  const float* in = x.data<float>();
  float* o = out.data<float>();
  int64_t* ix = indices.data<int64_t>();
  parallel_for(0, plane_count(x), plane_grain(adaptive_work(H, W, out_h, out_w)), [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) {
      const float* plane = in + p * H * W;
      for (int64_t oh = 0; oh < out_h; ++oh) {
        for (int64_t ow = 0; ow < out_w; ++ow) {
          int64_t best_index = rows.lo[oh] * W + cols.lo[ow];
          float best = kNegInf;
          for (int64_t ih = rows.lo[oh]; ih < rows.hi[oh]; ++ih) {
            for (int64_t iw = cols.lo[ow]; iw < cols.hi[ow]; ++iw) {
              const float v = plane[ih * W + iw];
              if (v > best || v != v) {
                best = v;
                best_index = ih * W + iw;
              }
            }
          }
          const int64_t j = p * out_h * out_w + oh * out_w + ow;
          o[j] = best;
          ix[j] = best_index;
        }
      }
    }
  });
  return {out, indices};
}

Tensor adaptive_max_pool2d_backward(const Tensor& grad_out, const Tensor& indices, int64_t in_h, int64_t in_w) {
  Tensor grad_in = empty(with_plane(grad_out.shape(), in_h, in_w));
  scatter_planes(grad_out.data<float>(), indices.data<int64_t>(), grad_in.data<float>(), plane_count(grad_out),
                 in_h * in_w, grad_out.size(-2), grad_out.size(-1), nullptr, nullptr);
  return grad_in;
}

}  // namespace ember::kernels
