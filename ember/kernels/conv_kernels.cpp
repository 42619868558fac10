#include "ember/kernels/conv_kernels.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "ember/core/parallel.h"
#include "ember/kernels/conv_parallel.h"
#include "ember/kernels/direct_conv.h"
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

// ---- depthwise, stride 1: tap sums over a zero-padded plane ----
//
// With stride 1, output pixel (oh, ow) reads padded input pixel (oh + i*dh, ow + j*dw): each
// output is the sum over taps of weight * padded[oh * pitch + ow + offset(tap)], kept in a vector
// register per run of outputs (conv_direct-inl.h). The input gradient is the same sum over dy
// padded by the kernel's reach minus the padding, with the kernel flipped.

// A zero-padded plane that `out_h x out_w` windows of the kernel read, and each tap's offset in it.
struct PaddedPlane {
  int64_t h, w;
  PaddedPlane(int64_t out_h, int64_t out_w, const ConvGeometry& g)
      : h(out_h + g.dilation_h * (g.kernel_h - 1)), w(out_w + g.dilation_w * (g.kernel_w - 1)) {}
  std::vector<int64_t> tap_offsets(const ConvGeometry& g) const {
    std::vector<int64_t> offsets;
    for (int64_t i = 0; i < g.kernel_h; ++i) {
      for (int64_t j = 0; j < g.kernel_w; ++j) offsets.push_back(i * g.dilation_h * w + j * g.dilation_w);
    }
    return offsets;
  }
};

// padded = the rows x cols plane placed at (top, left) (either may be negative: cropped), zeros
// around it; only the zeros are written besides the copy.
void place_plane(const float* plane, int64_t rows, int64_t cols, int64_t top, int64_t left, const PaddedPlane& pp,
                 float* padded) {
  const int64_t r0 = std::max<int64_t>(0, -top), r1 = std::min(rows, pp.h - top);
  const int64_t c0 = std::max<int64_t>(0, -left), c1 = std::min(cols, pp.w - left);
  for (int64_t row = 0; row < pp.h; ++row) {
    float* dst = padded + row * pp.w;
    const int64_t r = row - top;
    if (r < r0 || r >= r1 || c0 >= c1) {
      std::fill(dst, dst + pp.w, 0.0f);
      continue;
    }
    std::fill(dst, dst + c0 + left, 0.0f);
    std::memcpy(dst + c0 + left, plane + r * cols + c0, static_cast<size_t>(c1 - c0) * sizeof(float));
    std::fill(dst + c1 + left, dst + pp.w, 0.0f);
  }
}

}  // namespace
}  // namespace ember::kernels

#define EMBER_ISA_BODY "ember/kernels/conv_direct-inl.h"
#include "ember/kernels/isa/variants.h"

namespace ember::kernels {

namespace {

// The direct kernels for the instruction set in use.
// Returns whether it applied the bias and ReLU itself (stride 1: on the store).
bool depthwise_forward(const ConvPlan& p, const float* x, const float* w, const float* bias, bool relu, float* y) {
  if (p.group.stride_h == 1 && p.group.stride_w == 1) {
    EMBER_ISA_CALL(depthwise_forward_s1)(p, x, w, bias, relu, y);
    return true;
  }
  EMBER_ISA_CALL(depthwise_forward)(p, x, w, y);
  return false;
}
void depthwise_backward_input(const ConvPlan& p, const float* dy, const float* w, float* dx) {
  if (p.group.stride_h == 1 && p.group.stride_w == 1) {
    EMBER_ISA_CALL(depthwise_backward_s1)(p, nullptr, dy, w, dx, nullptr, nullptr);
  } else {
    EMBER_ISA_CALL(depthwise_backward_input)(p, dy, w, dx);
  }
}
void depthwise_backward_weight(const ConvPlan& p, const float* x, const float* dy, float* dw) {
  if (p.group.stride_h == 1 && p.group.stride_w == 1) {
    EMBER_ISA_CALL(depthwise_backward_s1)(p, x, dy, nullptr, nullptr, dw, nullptr);
  } else {
    EMBER_ISA_CALL(depthwise_backward_weight)(p, x, dy, dw);
  }
}

}  // namespace

void conv_forward(const ConvPlan& p, const float* x, const float* w, const float* bias, float* y, bool relu) {
  const ConvGeometry& g = p.group;
  if (uses_batched_im2col(p)) {
    conv_forward_batched(p, x, w, bias, relu, y);
    return;
  }
  if (p.path == ConvPath::direct) {
    direct_conv_forward(direct_conv_shape(p), x, w, bias, relu, y);
    return;
  }
  if (p.path == ConvPath::depthwise) {
    if (depthwise_forward(p, x, w, bias, relu, y)) return;
  } else if (p.path == ConvPath::winograd) {
    winograd_forward(winograd_shape(p), x, w, y);
  } else if (p.path == ConvPath::winograd_row) {
    winograd_row_forward(winograd_row_shape(p), x, w, y);
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

namespace {

// The plan with `path` as its path for every pass.
ConvPlan with_path(const ConvPlan& p, ConvPath path) {
  ConvPlan q = p;
  q.path = q.input_grad_path = path;
  return q;
}

}  // namespace

void conv_backward_input(const ConvPlan& p, const float* dy, const float* w, float* dx) {
  if (p.input_grad_path != p.path) {
    conv_backward_input(with_path(p, p.input_grad_path), dy, w, dx);
    return;
  }
  if (uses_batched_im2col(p)) {
    conv_backward_input_batched(p, dy, w, dx);
    return;
  }
  if (p.path == ConvPath::direct) {
    direct_conv_backward_input(direct_conv_shape(p), dy, w, dx);
    return;
  }
  if (p.path == ConvPath::depthwise) {
    depthwise_backward_input(p, dy, w, dx);
    return;
  }
  const ConvGeometry& g = p.group;
  if (p.path == ConvPath::winograd) {
    winograd_backward_input(winograd_shape(p), dy, w, dx);
    return;
  }
  if (p.path == ConvPath::winograd_row) {
    winograd_row_backward_input(winograd_row_shape(p), dy, w, dx);
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
  if (p.path == ConvPath::direct) {
    direct_conv_backward_weight(direct_conv_shape(p), x, dy, dw);
    return;
  }
  if (p.path == ConvPath::depthwise) {
    depthwise_backward_weight(p, x, dy, dw);
    return;
  }
  if (p.path == ConvPath::winograd) {
    winograd_backward_weight(winograd_shape(p), x, dy, dw);
    return;
  }
  if (p.path == ConvPath::winograd_row) {
    winograd_row_backward_weight(winograd_row_shape(p), x, dy, dw);
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
    for (int64_t n = first; n < last; ++n) {
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

void conv_backward(const ConvPlan& p, const float* x, const float* dy, const float* w, float* dx, float* dw,
                   float* db) {
  if (p.path == ConvPath::depthwise && p.group.stride_h == 1 && p.group.stride_w == 1 && !uses_batched_im2col(p)) {
    EMBER_ISA_CALL(depthwise_backward_s1)(p, x, dy, w, dx, dw, db);
    return;
  }
  if (dx) conv_backward_input(p, dy, w, dx);
  if (dw) conv_backward_weight(p, x, dy, dw);
  if (db) channel_sums(dy, p.batch, p.out_channels, p.out_plane(), db);
}

void add_channel_bias(float* t, int64_t batch, int64_t channels, int64_t plane, const float* bias, bool relu) {
  EMBER_ISA_CALL(add_channel_bias)(t, batch, channels, plane, bias, relu);
}

void channel_sums(const float* t, int64_t batch, int64_t channels, int64_t plane, float* sums) {
  EMBER_ISA_CALL(channel_sums)(t, batch, channels, plane, sums);
}

void relu_grad_channel_sums(const float* g, const float* y, float* gd, int64_t batch, int64_t channels, int64_t plane,
                            float* sums) {
  EMBER_ISA_CALL(relu_grad_channel_sums)(g, y, gd, batch, channels, plane, sums);
}

}  // namespace ember::kernels
