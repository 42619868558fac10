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

// ---- depthwise: tap sums over a zero-padded plane split into column phases ----
//
// Output pixel (oh, ow) reads padded input pixel (oh*sh + i*dh, ow*sw + j*dw). Each padded row is
// stored as sw column phases side by side (phase p holds columns p, p + sw, p + 2sw, ...), so the
// pixels one tap reads for a run of outputs are consecutive: each output is the sum over taps of
// weight * padded[oh * row_step + ow + offset(tap)], kept in a vector register per run of outputs
// (conv_direct-inl.h). With stride 1 there is one phase: the plain padded plane. The input
// gradient with stride 1 is the same sum over dy padded by the kernel's reach minus the padding,
// with the kernel flipped; with a larger stride it adds dy times each tap into such a plane.

// A zero-padded, phase-split plane that `out_h x out_w` windows of the kernel read (stride
// `stride_h x stride_w`), and each tap's offset in it.
struct PaddedPlane {
  int64_t h, w;              // padded rows and columns
  int64_t stride_h, stride_w, phase_w, pitch;  // a row: stride_w phases of phase_w columns
  PaddedPlane(int64_t out_h, int64_t out_w, const ConvGeometry& g, int64_t sh = 1, int64_t sw = 1)
      : h((out_h - 1) * sh + g.dilation_h * (g.kernel_h - 1) + 1),
        w((out_w - 1) * sw + g.dilation_w * (g.kernel_w - 1) + 1),
        stride_h(sh),
        stride_w(sw),
        phase_w((w + sw - 1) / sw),
        pitch(sw * phase_w) {}
  // Floats from one output row's first read to the next one's.
  int64_t row_step() const { return stride_h * pitch; }
  int64_t floats() const { return h * pitch; }
  // Where padded column `col` of a row is stored.
  int64_t column(int64_t col) const { return col % stride_w * phase_w + col / stride_w; }
  // f(first column, where it is stored, count) for each phase's columns in [begin, end): the
  // columns first, first + stride_w, ... stored consecutively (no division per column).
  template <typename F>
  void for_each_phase(int64_t begin, int64_t end, F&& f) const {
    for (int64_t first = begin; first < std::min(end, begin + stride_w); ++first) {
      f(first, column(first), (end - first + stride_w - 1) / stride_w);
    }
  }
  std::vector<int64_t> tap_offsets(const ConvGeometry& g) const {
    std::vector<int64_t> offsets;
    for (int64_t i = 0; i < g.kernel_h; ++i) {
      for (int64_t j = 0; j < g.kernel_w; ++j) offsets.push_back(i * g.dilation_h * pitch + column(j * g.dilation_w));
    }
    return offsets;
  }
};

// padded = the rows x cols plane placed at (top, left) (either may be negative: cropped), zeros
// around it, columns split into the plane's phases.
void place_plane(const float* plane, int64_t rows, int64_t cols, int64_t top, int64_t left, const PaddedPlane& pp,
                 float* padded) {
  const int64_t r0 = std::max<int64_t>(0, -top), r1 = std::min(rows, pp.h - top);
  const int64_t c0 = std::max<int64_t>(0, -left), c1 = std::min(cols, pp.w - left);
  if (pp.stride_w > 1) std::fill(padded, padded + pp.floats(), 0.0f);
  for (int64_t row = 0; row < pp.h; ++row) {
    float* dst = padded + row * pp.pitch;
    const int64_t r = row - top;
    if (pp.stride_w > 1) {
      if (r < r0 || r >= r1) continue;
      const float* src = plane + r * cols;
      pp.for_each_phase(c0 + left, c1 + left, [&](int64_t col, int64_t stored, int64_t count) {
        for (int64_t i = 0; i < count; ++i) dst[stored + i] = src[col - left + i * pp.stride_w];
      });
      continue;
    }
    if (r < r0 || r >= r1 || c0 >= c1) {
      std::fill(dst, dst + pp.w, 0.0f);
      continue;
    }
    std::fill(dst, dst + c0 + left, 0.0f);
    std::memcpy(dst + c0 + left, plane + r * cols + c0, static_cast<size_t>(c1 - c0) * sizeof(float));
    std::fill(dst + c1 + left, dst + pp.w, 0.0f);
  }
}

// plane[r][c] = padded at padded pixel (r + top, c + left) (0 where that lies outside), for the
// rows x cols plane: place_plane's inverse.
void take_plane(const float* padded, const PaddedPlane& pp, int64_t top, int64_t left, int64_t rows, int64_t cols,
                float* plane) {
  for (int64_t r = 0; r < rows; ++r) {
    float* dst = plane + r * cols;
    const int64_t row = r + top;
    if (row < 0 || row >= pp.h) {
      std::fill(dst, dst + cols, 0.0f);
      continue;
    }
    // Columns inside the padded plane from it, the rest zero.
    const int64_t c0 = std::clamp<int64_t>(-left, 0, cols), c1 = std::clamp<int64_t>(pp.w - left, c0, cols);
    std::fill(dst, dst + c0, 0.0f);
    std::fill(dst + c1, dst + cols, 0.0f);
    const float* src = padded + row * pp.pitch;
    pp.for_each_phase(c0 + left, c1 + left, [&](int64_t col, int64_t stored, int64_t count) {
      for (int64_t i = 0; i < count; ++i) dst[col - left + i * pp.stride_w] = src[stored + i];
    });
  }
}

}  // namespace
}  // namespace ember::kernels

#define EMBER_ISA_BODY "ember/kernels/conv_direct-inl.h"
#include "ember/kernels/isa/variants.h"

namespace ember::kernels {

namespace {

// The direct kernels for the instruction set in use.
void depthwise_backward_input(const ConvPlan& p, const float* dy, const float* w, float* dx) {
  EMBER_ISA_CALL(depthwise_backward)(p, nullptr, dy, w, dx, nullptr, nullptr);
}
void depthwise_backward_weight(const ConvPlan& p, const float* x, const float* dy, float* dw) {
  EMBER_ISA_CALL(depthwise_backward)(p, x, dy, nullptr, nullptr, dw, nullptr);
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
    EMBER_ISA_CALL(depthwise_forward)(p, x, w, bias, relu, y);
    return;
  }
  if (p.path == ConvPath::winograd) {
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
  if (p.path == ConvPath::depthwise) {
    EMBER_ISA_CALL(depthwise_backward)(p, x, dy, w, dx, dw, db);
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
