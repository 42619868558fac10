#include "ember/kernels/conv_kernels.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "ember/core/parallel.h"
#include "ember/kernels/conv_parallel.h"
#include "ember/kernels/gemm.h"
#include "ember/kernels/reduce_kernels.h"
#include "ember/kernels/relu_value.h"
#include "ember/kernels/scratch.h"
#include "ember/kernels/winograd.h"

namespace ember::kernels {

namespace {

using conv_parallel::for_each_image;
using conv_parallel::gemm_on;
using conv_parallel::kMaxWeightChunks;

// Planes of fewer elements than this are grouped so a task is worth scheduling.
constexpr int64_t kPlaneGrainElements = 4096;

float* scratch(int64_t floats) { return thread_scratch(floats); }

// Calls plane(p) for every output-sized plane index p in [0, count), grouped to a useful grain.
template <typename F>
void for_each_plane(int64_t count, int64_t plane_elements, F&& plane) {
  const int64_t grain = std::max<int64_t>(1, kPlaneGrainElements / std::max<int64_t>(plane_elements, 1));
  parallel_for(0, count, grain, [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) plane(p);
  });
}

// Output columns [lo, hi) whose input column start + ow * stride lies in [0, width).
inline void valid_columns(int64_t out_w, int64_t width, int64_t stride, int64_t start, int64_t& lo, int64_t& hi) {
  lo = start >= 0 ? 0 : (-start + stride - 1) / stride;
  hi = start >= width ? 0 : (width - start + stride - 1) / stride;
  lo = std::min(lo, out_w);
  hi = std::clamp(hi, lo, out_w);
}

// Per kernel column j: where its input column starts (j*dilation - pad) and the output columns
// [lo, hi) that read inside the input. Computed once per call: they do not depend on the row.
struct TapColumns {
  std::vector<int64_t> start, lo, hi;
  explicit TapColumns(const ConvGeometry& g) {
    for (int64_t j = 0; j < g.kernel_w; ++j) {
      int64_t l, h;
      const int64_t st = j * g.dilation_w - g.pad_left;
      valid_columns(g.out_w, g.in_w, g.stride_w, st, l, h);
      start.push_back(st);
      lo.push_back(l);
      hi.push_back(h);
    }
  }
};

// ---- depthwise, stride 1: whole-plane loops on a padded copy ----
//
// With stride 1, output pixel (oh, ow) reads padded input pixel (oh + i*dh, ow + j*dw). Laying
// the padded input and the output out with the same row stride (the padded width wp) turns every
// kernel tap into ONE long loop over the plane, out[q] += w * in[q + i*dh*wp + j*dw], instead of
// one 32-wide loop per row and tap. Columns past out_w in that layout are scratch.
struct PaddedPlane {
  int64_t hp, wp;  // padded input size
  int64_t span;    // loop length: (out_h - 1) * wp + out_w
  explicit PaddedPlane(const ConvGeometry& g)
      : hp(g.out_h + g.dilation_h * (g.kernel_h - 1)),
        wp(g.out_w + g.dilation_w * (g.kernel_w - 1)),
        span((g.out_h - 1) * (g.out_w + g.dilation_w * (g.kernel_w - 1)) + g.out_w) {}
  int64_t tap_offset(const ConvGeometry& g, int64_t i, int64_t j) const { return i * g.dilation_h * wp + j * g.dilation_w; }
};

// padded[hp x wp] = plane placed at (pad_top, pad_left), zeros around (cropped if padding is negative
// on the far side, which "same" with an even kernel never makes).
void pad_plane(const float* plane, const ConvGeometry& g, const PaddedPlane& pp, float* padded) {
  std::memset(padded, 0, static_cast<size_t>(pp.hp * pp.wp) * sizeof(float));
  const int64_t rows = std::min(g.in_h, pp.hp - g.pad_top), cols = std::min(g.in_w, pp.wp - g.pad_left);
  for (int64_t r = 0; r < rows; ++r) {
    std::memcpy(padded + (r + g.pad_top) * pp.wp + g.pad_left, plane + r * g.in_w, static_cast<size_t>(cols) * sizeof(float));
  }
}

void depthwise_forward_s1(const ConvPlan& p, const float* x, const float* w, float* y) {
  const ConvGeometry& g = p.group;
  const int64_t m = p.out_channels / p.in_channels, taps = g.kernel_h * g.kernel_w;
  const PaddedPlane pp(g);
  for_each_plane(p.batch * p.out_channels, p.out_plane(), [&](int64_t plane) {
    const int64_t n = plane / p.out_channels, k = plane % p.out_channels;
    float* padded = scratch(pp.hp * pp.wp + pp.span);
    float* __restrict acc = padded + pp.hp * pp.wp;
    pad_plane(x + (n * p.in_channels + k / m) * g.in_h * g.in_w, g, pp, padded);
    std::memset(acc, 0, static_cast<size_t>(pp.span) * sizeof(float));
    for (int64_t i = 0; i < g.kernel_h; ++i) {
      for (int64_t j = 0; j < g.kernel_w; ++j) {
        const float wv = w[k * taps + i * g.kernel_w + j];
        const float* __restrict src = padded + pp.tap_offset(g, i, j);
        for (int64_t q = 0; q < pp.span; ++q) acc[q] += wv * src[q];
      }
    }
    float* yp = y + plane * p.out_plane();
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      std::memcpy(yp + oh * g.out_w, acc + oh * pp.wp, static_cast<size_t>(g.out_w) * sizeof(float));
    }
  });
}

void depthwise_backward_input_s1(const ConvPlan& p, const float* dy, const float* w, float* dx) {
  const ConvGeometry& g = p.group;
  const int64_t m = p.out_channels / p.in_channels, taps = g.kernel_h * g.kernel_w;
  const PaddedPlane pp(g);
  const int64_t in_plane = g.in_h * g.in_w;
  for_each_plane(p.batch * p.in_channels, in_plane, [&](int64_t plane) {
    const int64_t n = plane / p.in_channels, c = plane % p.in_channels;
    float* grad_padded = scratch(pp.hp * pp.wp + pp.span);  // gradient w.r.t. the padded input
    float* __restrict spread = grad_padded + pp.hp * pp.wp;  // dy in the row-stride-wp layout
    std::memset(grad_padded, 0, static_cast<size_t>(pp.hp * pp.wp) * sizeof(float));
    for (int64_t r = 0; r < m; ++r) {
      const int64_t k = c * m + r;
      const float* dyp = dy + (n * p.out_channels + k) * p.out_plane();
      std::memset(spread, 0, static_cast<size_t>(pp.span) * sizeof(float));
      for (int64_t oh = 0; oh < g.out_h; ++oh) {
        std::memcpy(spread + oh * pp.wp, dyp + oh * g.out_w, static_cast<size_t>(g.out_w) * sizeof(float));
      }
      for (int64_t i = 0; i < g.kernel_h; ++i) {
        for (int64_t j = 0; j < g.kernel_w; ++j) {
          const float wv = w[k * taps + i * g.kernel_w + j];
          float* __restrict dst = grad_padded + pp.tap_offset(g, i, j);
          for (int64_t q = 0; q < pp.span; ++q) dst[q] += wv * spread[q];
        }
      }
    }
    float* dxp = dx + plane * in_plane;
    const int64_t rows = std::min(g.in_h, pp.hp - g.pad_top), cols = std::min(g.in_w, pp.wp - g.pad_left);
    if (rows < g.in_h || cols < g.in_w) std::memset(dxp, 0, static_cast<size_t>(in_plane) * sizeof(float));
    for (int64_t row = 0; row < rows; ++row) {
      std::memcpy(dxp + row * g.in_w, grad_padded + (row + g.pad_top) * pp.wp + g.pad_left,
                  static_cast<size_t>(cols) * sizeof(float));
    }
  });
}

void depthwise_backward_weight_s1(const ConvPlan& p, const float* x, const float* dy, float* dw) {
  const ConvGeometry& g = p.group;
  const int64_t m = p.out_channels / p.in_channels, taps = g.kernel_h * g.kernel_w;
  const PaddedPlane pp(g);
  parallel_for(0, p.out_channels, 1, [&](int64_t k0, int64_t k1) {
    // Per tap, one accumulator per position of the long loop; summed once per channel at the end
    // in a fixed order, so the result does not depend on how channels are split across threads.
    std::vector<float> buffers(static_cast<size_t>(pp.hp * pp.wp + pp.span + taps * pp.span));
    float* padded = buffers.data();
    float* __restrict spread = padded + pp.hp * pp.wp;
    float* lanes = spread + pp.span;
    for (int64_t k = k0; k < k1; ++k) {
      std::fill(lanes, lanes + taps * pp.span, 0.0f);
      for (int64_t n = 0; n < p.batch; ++n) {
        pad_plane(x + (n * p.in_channels + k / m) * g.in_h * g.in_w, g, pp, padded);
        const float* dyp = dy + (n * p.out_channels + k) * p.out_plane();
        std::memset(spread, 0, static_cast<size_t>(pp.span) * sizeof(float));
        for (int64_t oh = 0; oh < g.out_h; ++oh) {
          std::memcpy(spread + oh * pp.wp, dyp + oh * g.out_w, static_cast<size_t>(g.out_w) * sizeof(float));
        }
        for (int64_t i = 0; i < g.kernel_h; ++i) {
          for (int64_t j = 0; j < g.kernel_w; ++j) {
            float* __restrict lane = lanes + (i * g.kernel_w + j) * pp.span;
            const float* __restrict src = padded + pp.tap_offset(g, i, j);
            for (int64_t q = 0; q < pp.span; ++q) lane[q] += spread[q] * src[q];
          }
        }
      }
      for (int64_t t = 0; t < taps; ++t) dw[k * taps + t] = static_cast<float>(sum_contiguous(lanes + t * pp.span, pp.span));
    }
  });
}

// ---- depthwise (groups == in_channels): direct loops, multiplier m = out/in ----

void depthwise_forward(const ConvPlan& p, const float* x, const float* w, float* y) {
  const ConvGeometry& g = p.group;
  const int64_t m = p.out_channels / p.in_channels, taps = g.kernel_h * g.kernel_w;
  const TapColumns cols(g);
  for_each_plane(p.batch * p.out_channels, p.out_plane(), [&](int64_t plane) {
    const int64_t n = plane / p.out_channels, k = plane % p.out_channels;
    const float* xp = x + (n * p.in_channels + k / m) * g.in_h * g.in_w;
    const float* wk = w + k * taps;
    float* yp = y + plane * p.out_plane();
    std::memset(yp, 0, static_cast<size_t>(p.out_plane()) * sizeof(float));
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      float* __restrict yrow = yp + oh * g.out_w;
      for (int64_t i = 0; i < g.kernel_h; ++i) {
        const int64_t ih = oh * g.stride_h - g.pad_top + i * g.dilation_h;
        if (ih < 0 || ih >= g.in_h) continue;
        const float* xrow = xp + ih * g.in_w;
        for (int64_t j = 0; j < g.kernel_w; ++j) {
          const float wv = wk[i * g.kernel_w + j];
          const int64_t start = cols.start[j], lo = cols.lo[j], hi = cols.hi[j];
          const float* __restrict src = xrow + start;
          if (g.stride_w == 1) {
            for (int64_t ow = lo; ow < hi; ++ow) yrow[ow] += wv * src[ow];
          } else {
            for (int64_t ow = lo; ow < hi; ++ow) yrow[ow] += wv * src[ow * g.stride_w];
          }
        }
      }
    }
  });
}

void depthwise_backward_input(const ConvPlan& p, const float* dy, const float* w, float* dx) {
  const ConvGeometry& g = p.group;
  const int64_t m = p.out_channels / p.in_channels, taps = g.kernel_h * g.kernel_w;
  const int64_t in_plane = g.in_h * g.in_w;
  const TapColumns cols(g);
  for_each_plane(p.batch * p.in_channels, in_plane, [&](int64_t plane) {
    const int64_t n = plane / p.in_channels, c = plane % p.in_channels;
    float* dxp = dx + plane * in_plane;
    std::memset(dxp, 0, static_cast<size_t>(in_plane) * sizeof(float));
    for (int64_t r = 0; r < m; ++r) {
      const int64_t k = c * m + r;
      const float* dyp = dy + (n * p.out_channels + k) * p.out_plane();
      const float* wk = w + k * taps;
      for (int64_t oh = 0; oh < g.out_h; ++oh) {
        const float* __restrict dyrow = dyp + oh * g.out_w;
        for (int64_t i = 0; i < g.kernel_h; ++i) {
          const int64_t ih = oh * g.stride_h - g.pad_top + i * g.dilation_h;
          if (ih < 0 || ih >= g.in_h) continue;
          float* dxrow = dxp + ih * g.in_w;
          for (int64_t j = 0; j < g.kernel_w; ++j) {
            const float wv = wk[i * g.kernel_w + j];
            const int64_t start = cols.start[j], lo = cols.lo[j], hi = cols.hi[j];
            float* __restrict dst = dxrow + start;
            if (g.stride_w == 1) {
              for (int64_t ow = lo; ow < hi; ++ow) dst[ow] += wv * dyrow[ow];
            } else {
              for (int64_t ow = lo; ow < hi; ++ow) dst[ow * g.stride_w] += wv * dyrow[ow];
            }
          }
        }
      }
    }
  });
}

void depthwise_backward_weight(const ConvPlan& p, const float* x, const float* dy, float* dw) {
  const ConvGeometry& g = p.group;
  const int64_t m = p.out_channels / p.in_channels, taps = g.kernel_h * g.kernel_w;
  const TapColumns cols(g);
  parallel_for(0, p.out_channels, 1, [&](int64_t k0, int64_t k1) {
    // One accumulator per output column and tap: the products add elementwise (vectorized), and
    // each tap's lanes are summed once at the end, in a fixed order.
    std::vector<float> lanes(static_cast<size_t>(taps * g.out_w));
    for (int64_t k = k0; k < k1; ++k) {
      std::fill(lanes.begin(), lanes.end(), 0.0f);
      for (int64_t n = 0; n < p.batch; ++n) {
        const float* xp = x + (n * p.in_channels + k / m) * g.in_h * g.in_w;
        const float* dyp = dy + (n * p.out_channels + k) * p.out_plane();
        for (int64_t oh = 0; oh < g.out_h; ++oh) {
          const float* __restrict dyrow = dyp + oh * g.out_w;
          for (int64_t i = 0; i < g.kernel_h; ++i) {
            const int64_t ih = oh * g.stride_h - g.pad_top + i * g.dilation_h;
            if (ih < 0 || ih >= g.in_h) continue;
            for (int64_t j = 0; j < g.kernel_w; ++j) {
              const int64_t start = cols.start[j], lo = cols.lo[j], hi = cols.hi[j];
              const float* __restrict src = xp + ih * g.in_w + start;
              float* __restrict lane = lanes.data() + (i * g.kernel_w + j) * g.out_w;
              if (g.stride_w == 1) {
                for (int64_t ow = lo; ow < hi; ++ow) lane[ow] += dyrow[ow] * src[ow];
              } else {
                for (int64_t ow = lo; ow < hi; ++ow) lane[ow] += dyrow[ow] * src[ow * g.stride_w];
              }
            }
          }
        }
      }
      for (int64_t t = 0; t < taps; ++t) {
        double total = 0;
        for (int64_t ow = 0; ow < g.out_w; ++ow) total += lanes[t * g.out_w + ow];
        dw[k * taps + t] = static_cast<float>(total);
      }
    }
  });
}

}  // namespace

void conv_forward(const ConvPlan& p, const float* x, const float* w, const float* bias, float* y, bool relu) {
  const ConvGeometry& g = p.group;
  if (uses_batched_im2col(p)) {
    conv_forward_batched(p, x, w, bias, relu, y);
    return;
  }
  if (p.path == ConvPath::depthwise) {
    if (p.group.stride_h == 1 && p.group.stride_w == 1) {
      depthwise_forward_s1(p, x, w, y);
    } else {
      depthwise_forward(p, x, w, y);
    }
  } else if (p.path == ConvPath::winograd) {
    if (g.dilation_h == 1) {
      winograd_conv3x3(p.batch, p.in_channels, g.in_h, g.in_w, p.out_channels, g.pad_top, g.pad_left, g.out_h,
                       g.out_w, x, w, y);
    } else {
      winograd_conv3x3_dilated(p.batch, p.in_channels, g.in_h, g.in_w, p.out_channels, g.pad_top, g.pad_left,
                               g.dilation_h, g.out_h, g.out_w, x, w, y);
    }
  } else {
    const int64_t rows = g.col_rows(), cols = p.out_plane(), kg = p.out_per_group();
    for_each_image(p.batch, [&](int64_t n, bool parallel_gemm) {
      float* buffer = p.path == ConvPath::pointwise ? nullptr : scratch(rows * cols);
      for (int64_t grp = 0; grp < p.groups; ++grp) {
        const float* xg = x + n * p.in_image() + grp * p.in_per_group() * g.in_h * g.in_w;
        const float* columns = xg;
        if (p.path == ConvPath::im2col) {
          im2col(xg, g, buffer);
          columns = buffer;
        }
        gemm_on(parallel_gemm, false, false, kg, cols, rows, w + grp * p.weight_per_group(), rows, columns, cols, 0.0f,
                y + n * p.out_image() + grp * kg * cols, cols);
      }
    });
  }
  if (bias || relu) add_channel_bias(y, p.batch, p.out_channels, p.out_plane(), bias, relu);
}

void conv_backward_input(const ConvPlan& p, const float* dy, const float* w, float* dx) {
  if (uses_batched_im2col(p)) {
    conv_backward_input_batched(p, dy, w, dx);
    return;
  }
  if (p.path == ConvPath::depthwise) {
    if (p.group.stride_h == 1 && p.group.stride_w == 1) {
      depthwise_backward_input_s1(p, dy, w, dx);
    } else {
      depthwise_backward_input(p, dy, w, dx);
    }
    return;
  }
  const ConvGeometry& g = p.group;
  if (p.path == ConvPath::winograd) {
    // dx is the stride-1 3x3 convolution of dy with the kernel flipped and in/out swapped,
    // padded by 2 * dilation - pad: w'[c][k][i][j] = w[k][c][2-i][2-j].
    std::vector<float> flipped(static_cast<size_t>(p.out_channels * p.in_channels * 9));
    for (int64_t k = 0; k < p.out_channels; ++k)
      for (int64_t c = 0; c < p.in_channels; ++c)
        for (int64_t t = 0; t < 9; ++t) flipped[(c * p.out_channels + k) * 9 + t] = w[(k * p.in_channels + c) * 9 + 8 - t];
    const int64_t d = g.dilation_h;
    if (d == 1) {
      winograd_conv3x3(p.batch, p.out_channels, g.out_h, g.out_w, p.in_channels, 2 - g.pad_top, 2 - g.pad_left,
                       g.in_h, g.in_w, dy, flipped.data(), dx);
    } else {
      winograd_conv3x3_dilated(p.batch, p.out_channels, g.out_h, g.out_w, p.in_channels, 2 * d - g.pad_top,
                               2 * d - g.pad_left, d, g.in_h, g.in_w, dy, flipped.data(), dx);
    }
    return;
  }
  const int64_t rows = g.col_rows(), cols = p.out_plane(), kg = p.out_per_group();
  const int64_t group_in = p.in_per_group() * g.in_h * g.in_w;
  for_each_image(p.batch, [&](int64_t n, bool parallel_gemm) {
    float* dxn = dx + n * p.in_image();
    float* buffer = p.path == ConvPath::pointwise ? nullptr : scratch(rows * cols);
    if (p.path == ConvPath::im2col) std::memset(dxn, 0, static_cast<size_t>(p.in_image()) * sizeof(float));
    for (int64_t grp = 0; grp < p.groups; ++grp) {
      const float* dyg = dy + n * p.out_image() + grp * kg * cols;
      const float* wg = w + grp * p.weight_per_group();
      if (p.path == ConvPath::pointwise) {  // dx_g [C/g, HW] = W_g^T [C/g, K/g] @ dy_g [K/g, HW]
        gemm_on(parallel_gemm, true, false, rows, cols, kg, wg, rows, dyg, cols, 0.0f, dxn + grp * group_in, cols);
      } else {  // columns = W_g^T @ dy_g, then scattered back onto the image
        gemm_on(parallel_gemm, true, false, rows, cols, kg, wg, rows, dyg, cols, 0.0f, buffer, cols);
        col2im(buffer, g, dxn + grp * group_in);
      }
    }
  });
}

void conv_backward_weight(const ConvPlan& p, const float* x, const float* dy, float* dw) {
  if (uses_batched_im2col(p)) {
    conv_backward_weight_batched(p, x, dy, dw);
    return;
  }
  if (p.path == ConvPath::depthwise) {
    if (p.group.stride_h == 1 && p.group.stride_w == 1) {
      depthwise_backward_weight_s1(p, x, dy, dw);
    } else {
      depthwise_backward_weight(p, x, dy, dw);
    }
    return;
  }
  const ConvGeometry& g = p.group;
  const int64_t rows = g.col_rows(), cols = p.out_plane(), kg = p.out_per_group();
  const int64_t weight_size = p.groups * p.weight_per_group();
  // Images are split into fixed chunks; chunk 0 accumulates straight into dw, the others into
  // partial buffers that are added afterwards in chunk order.
  const int64_t chunks = std::clamp<int64_t>(p.batch, 1, kMaxWeightChunks);
  std::vector<float> partial(static_cast<size_t>((chunks - 1) * weight_size));
  auto run_chunk = [&](int64_t chunk, bool parallel_gemm) {
    float* target = chunk == 0 ? dw : partial.data() + (chunk - 1) * weight_size;
    const int64_t first = chunk * p.batch / chunks, last = (chunk + 1) * p.batch / chunks;
    float* buffer = p.path == ConvPath::pointwise ? nullptr : scratch(rows * cols);
    for (int64_t n = first; n < last; ++n) {  // the winograd path's weight gradient uses im2col
      for (int64_t grp = 0; grp < p.groups; ++grp) {
        const float* xg = x + n * p.in_image() + grp * p.in_per_group() * g.in_h * g.in_w;
        const float* columns = xg;
        if (p.path != ConvPath::pointwise) {
          im2col(xg, g, buffer);
          columns = buffer;
        }
        // dw_g [K/g, rows] (+)= dy_g [K/g, cols] @ columns^T [cols, rows]
        gemm_on(parallel_gemm, false, true, kg, rows, cols, dy + n * p.out_image() + grp * kg * cols, cols, columns,
                cols, n == first ? 0.0f : 1.0f, target + grp * p.weight_per_group(), rows);
      }
    }
    if (first == last) std::memset(target, 0, static_cast<size_t>(weight_size) * sizeof(float));
  };
  conv_parallel::run_weight_chunks(chunks, weight_size, dw, partial.data(), run_chunk);
}

void add_channel_bias(float* t, int64_t batch, int64_t channels, int64_t plane, const float* bias, bool relu) {
  for_each_plane(batch * channels, plane, [&](int64_t index) {
    const float b = bias ? bias[index % channels] : 0.0f;
    float* tp = t + index * plane;
    if (relu) {
      for (int64_t i = 0; i < plane; ++i) tp[i] = relu_value(tp[i] + b);
    } else {
      for (int64_t i = 0; i < plane; ++i) tp[i] += b;
    }
  });
}

void channel_sums(const float* t, int64_t batch, int64_t channels, int64_t plane, float* sums) {
  parallel_for(0, channels, 1, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      double total = 0;
      for (int64_t n = 0; n < batch; ++n) total += sum_contiguous(t + (n * channels + c) * plane, plane);
      sums[c] = static_cast<float>(total);
    }
  });
}

}  // namespace ember::kernels
