// Max pooling kernels: direct loops over one H x W plane at a time, planes in parallel (average
// and adaptive pooling are in avg_pool_kernels.cpp).
#include "ember/kernels/pool_kernels.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <tuple>
#include <utility>
#include <vector>

#include "ember/core/parallel.h"
#include "ember/kernels/pool_common.h"

namespace ember::kernels {

using namespace pool_detail;

namespace {

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }  // b > 0
int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

// ---- max pooling geometry, computed once per call ----
// The in-range rows of window row oh are row_first[oh] + r * dilation_h for r < row_count[oh]
// (PyTorch's start stepped forward by the dilation until it is >= 0), and the same for columns.
// A window with no in-range row or column lies wholly in the padding.
struct MaxTables {
  std::vector<int64_t> row_first, row_count;  // per output row
  std::vector<int64_t> col_first;             // per output column
  std::vector<uint8_t> col_live;              // per output column: has an in-range input column
  bool all_live = true;                       // no window lies wholly in the padding
};

// First in-range position and count of in-range positions of a dilated window starting at `start`.
std::pair<int64_t, int64_t> window_span(int64_t start, int64_t kernel, int64_t dilation, int64_t in) {
  const int64_t end = std::min(start + (kernel - 1) * dilation + 1, in);
  if (start < 0) start += ceil_div(-start, dilation) * dilation;
  return {start, start < end ? (end - start + dilation - 1) / dilation : 0};
}

MaxTables max_tables(const Pool2dGeometry& g) {
  MaxTables t;
  t.row_first.resize(g.out_h);
  t.row_count.resize(g.out_h);
  for (int64_t oh = 0; oh < g.out_h; ++oh) {
    std::tie(t.row_first[oh], t.row_count[oh]) = window_span(oh * g.stride_h - g.pad_top, g.kernel_h, g.dilation_h, g.in_h);
    t.all_live = t.all_live && t.row_count[oh] > 0;
  }
  t.col_first.resize(g.out_w);
  t.col_live.resize(g.out_w);
  for (int64_t ow = 0; ow < g.out_w; ++ow) {
    const auto [first, count] = window_span(ow * g.stride_w - g.pad_left, g.kernel_w, g.dilation_w, g.in_w);
    t.col_first[ow] = first;
    t.col_live[ow] = count > 0;
    t.all_live = t.all_live && count > 0;
  }
  return t;
}

// One plane from plain loops, exactly PyTorch's: the reference, and the fallback for planes whose
// window offsets do not fit the fast kernel's int32 lanes.
void max_pool_plane_naive(const float* plane, float* out, int64_t* indices, const Pool2dGeometry& g) {
  const int64_t H = g.in_h, W = g.in_w;
  for (int64_t oh = 0; oh < g.out_h; ++oh) {
    for (int64_t ow = 0; ow < g.out_w; ++ow) {
      int64_t h0 = oh * g.stride_h - g.pad_top, w0 = ow * g.stride_w - g.pad_left;
      const int64_t h1 = std::min(h0 + (g.kernel_h - 1) * g.dilation_h + 1, H);
      const int64_t w1 = std::min(w0 + (g.kernel_w - 1) * g.dilation_w + 1, W);
      while (h0 < 0) h0 += g.dilation_h;
      while (w0 < 0) w0 += g.dilation_w;
      int64_t best_index = h0 * W + w0;
      float best = kNegInf;
      for (int64_t ih = h0; ih < h1; ih += g.dilation_h) {
        for (int64_t iw = w0; iw < w1; iw += g.dilation_w) {
          const float v = plane[ih * W + iw];
          if (v > best || v != v) {
            best = v;
            best_index = ih * W + iw;
          }
        }
      }
      *out++ = best;
      if (indices) *indices++ = best_index;
    }
  }
}

// The fast forward works on a polyphase copy of each plane. Pad the plane with -inf and split it
// by stride phase: phase (ph, pw) holds padded rows ph, ph + sh, ph + 2 sh, ... and columns
// likewise, so kernel tap (kh, kw), at padded offset (dy, dx) = (kh dh, kw dw), reads for output
// (oh, ow) element (oh + dy / sh, ow + dx / sw) of phase (dy % sh, dx % sw). With the running
// maxima laid out with the phase planes' row length QW (lane j = oh * QW + ow), every tap is one
// contiguous, unit-stride sweep over the lanes: long vector loops whatever the stride and
// dilation. Lanes with ow >= OW are scratch whose results are dropped. Padding is -inf, which
// never replaces a maximum, so it changes nothing (PyTorch skips it).
constexpr int64_t kLanes = 16;  // outputs updated together, kept in registers across all taps

struct MaxPlan {
  struct Phase {
    int64_t start;       // offset of the phase plane in the scratch buffer
    int64_t ph, pw;      // row and column phase
    int64_t r_lo, r_hi;  // phase rows that hold input rows
    int64_t c_lo, c_hi;  // phase columns that hold input columns (the rest stays -inf)
    // How copy_phase_row splits [c_lo, c_hi) for stride 2: `forward` blocks of 8 reading ahead,
    // then `backward` blocks reading one element behind (at the row's end), then single elements.
    int64_t forward = 0, backward = 0;
  };
  struct Tap {
    int64_t base;  // scratch offset of lane 0's element for this tap
    int32_t off;   // the tap's flat offset from its window's origin in the input plane
  };
  int64_t qw = 0, lanes = 0, scratch = 0;  // phase row length, lanes (multiple of kLanes), buffer size
  std::vector<Phase> phases;               // only the phases some tap reads
  std::vector<Tap> taps;                   // in the window's row-major scan order
  std::vector<int32_t> origin;             // per lane: flat input position of its window's origin
  std::vector<int32_t> init_off;           // per lane: PyTorch's initial index minus the origin
  std::vector<int32_t> init_tap;           // per lane: the window's first in-range tap, or kNone
};

// Whether every position and offset the fast kernel keeps fits its int32 lanes.
bool fits_int32(const Pool2dGeometry& g) {
  const int64_t reach_h = g.in_h + g.kernel_h * g.dilation_h + g.pad_top + g.stride_h + 1;
  const int64_t reach_w = g.in_w + g.kernel_w * g.dilation_w + g.pad_left + g.stride_w + 1;
  return reach_h * reach_w < (int64_t{1} << 31);
}

MaxPlan max_plan(const Pool2dGeometry& g, const MaxTables& t) {
  const int64_t sh = g.stride_h, sw = g.stride_w;
  MaxPlan plan;
  const int64_t max_qh = (g.kernel_h - 1) * g.dilation_h / sh, max_qw = (g.kernel_w - 1) * g.dilation_w / sw;
  plan.qw = g.out_w + max_qw;
  const int64_t qh = g.out_h + max_qh + 1;           // a spare row: the last lanes overrun by < QW
  const int64_t phase_size = qh * plan.qw + kLanes;  // + the rounding of the lanes to kLanes
  plan.lanes = (g.out_h * plan.qw + kLanes - 1) / kLanes * kLanes;
  std::vector<int64_t> slot(static_cast<size_t>(sh * sw), -1);  // phase id -> index in plan.phases
  for (int64_t kh = 0; kh < g.kernel_h; ++kh) {
    for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
      const int64_t dy = kh * g.dilation_h, dx = kw * g.dilation_w;
      int64_t& s = slot[(dy % sh) * sw + dx % sw];
      if (s < 0) {
        s = static_cast<int64_t>(plan.phases.size());
        MaxPlan::Phase p;
        p.start = s * phase_size;
        p.ph = dy % sh;
        p.pw = dx % sw;
        // Phase row r is input row r * sh + ph - pad_top; keep those inside [0, in_h).
        p.r_lo = std::clamp<int64_t>(ceil_div(g.pad_top - p.ph, sh), 0, qh);
        p.r_hi = std::clamp<int64_t>(floor_div(g.in_h - 1 + g.pad_top - p.ph, sh) + 1, p.r_lo, qh);
        p.c_lo = std::clamp<int64_t>(ceil_div(g.pad_left - p.pw, sw), 0, plan.qw);
        p.c_hi = std::clamp<int64_t>(floor_div(g.in_w - 1 + g.pad_left - p.pw, sw) + 1, p.c_lo, plan.qw);
        // A block at column c reads input columns [2c + off, 2c + off + 16) forward, or
        // [2c + off - 1, 2c + off + 15) backward; both must stay inside the input row.
        const int64_t off = p.pw - g.pad_left;
        for (int64_t c = p.c_lo; sw == 2 && c + 8 <= p.c_hi; c += 8) {
          if (2 * c + off + 16 <= g.in_w && p.backward == 0) {
            ++p.forward;
          } else if (2 * c + off >= 1) {
            ++p.backward;
          } else {
            break;
          }
        }
        plan.phases.push_back(p);
      }
      plan.taps.push_back({plan.phases[s].start + (dy / sh) * plan.qw + dx / sw, static_cast<int32_t>(dy * g.in_w + dx)});
    }
  }
  plan.scratch = static_cast<int64_t>(plan.phases.size()) * phase_size;
  plan.origin.assign(static_cast<size_t>(plan.lanes), 0);
  plan.init_off.assign(static_cast<size_t>(plan.lanes), 0);
  plan.init_tap.assign(static_cast<size_t>(plan.lanes), MaxPoolTaps::kNone);
  for (int64_t oh = 0; oh < g.out_h; ++oh) {
    for (int64_t ow = 0; ow < g.out_w; ++ow) {
      const int64_t j = oh * plan.qw + ow, row0 = oh * sh - g.pad_top, col0 = ow * sw - g.pad_left;
      plan.origin[j] = static_cast<int32_t>(row0 * g.in_w + col0);
      plan.init_off[j] = static_cast<int32_t>((t.row_first[oh] - row0) * g.in_w + t.col_first[ow] - col0);
      if (t.row_count[oh] > 0 && t.col_live[ow]) {
        const int64_t kh = (t.row_first[oh] - row0) / g.dilation_h, kw = (t.col_first[ow] - col0) / g.dilation_w;
        plan.init_tap[j] = static_cast<int32_t>(kh * g.kernel_w + kw);
      }
    }
  }
  return plan;
}

// What the sweep records about each window's maximum besides its value.
enum class Argmax {
  none,   // nothing (inference)
  index,  // its flat position in the input plane (PyTorch's indices)
  tap,    // the number of the window tap holding it (MaxPoolTaps)
};

int64_t max_pool_grain(const Pool2dGeometry& g) {
  return plane_grain(g.in_h * g.in_w + g.out_h * g.out_w * g.kernel_h * g.kernel_w);
}

}  // namespace
}  // namespace ember::kernels

#define EMBER_ISA_BODY "ember/kernels/max_pool_sweep-inl.h"
#include "ember/kernels/isa/variants.h"

namespace ember::kernels {

namespace {

void max_pool_planes(const float* in, float* out, int64_t* indices, int64_t planes, const Pool2dGeometry& g) {
  const int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
  if (!fits_int32(g)) {
    parallel_for(0, planes, max_pool_grain(g), [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) {
        max_pool_plane_naive(in + p * in_plane, out + p * out_plane, indices ? indices + p * out_plane : nullptr, g);
      }
    });
  } else if (indices) {
    EMBER_ISA_CALL(max_pool_planes_fast<Argmax::index>)(in, out, indices, planes, g);
  } else {
    EMBER_ISA_CALL(max_pool_planes_fast<Argmax::none>)(in, out, nullptr, planes, g);
  }
}

}  // namespace

namespace pool_detail {

void scatter_planes(const float* grad, const int64_t* indices, float* dst, int64_t planes, int64_t in_plane,
                    int64_t out_h, int64_t out_w, const std::vector<int64_t>* row_count,
                    const std::vector<uint8_t>* col_live) {
  const int64_t out_plane = out_h * out_w;
  parallel_for(0, planes, plane_grain(in_plane + out_plane), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      float* __restrict gi = dst + p * in_plane;
      const float* __restrict go = grad + p * out_plane;
      const int64_t* __restrict ix = indices + p * out_plane;
      std::memset(gi, 0, static_cast<size_t>(in_plane) * sizeof(float));
      if (!row_count) {
        for (int64_t j = 0; j < out_plane; ++j) gi[ix[j]] += go[j];
        continue;
      }
      for (int64_t oh = 0; oh < out_h; ++oh) {
        if ((*row_count)[oh] == 0) continue;
        for (int64_t ow = 0; ow < out_w; ++ow) {
          if ((*col_live)[ow]) gi[ix[oh * out_w + ow]] += go[oh * out_w + ow];
        }
      }
    }
  });
}

}  // namespace pool_detail

std::pair<Tensor, Tensor> max_pool2d(const Tensor& x, const Pool2dGeometry& g, bool with_indices) {
  const Shape out_shape = with_plane(x.shape(), g.out_h, g.out_w);
  Tensor out = empty(out_shape);
  Tensor indices = with_indices ? empty(out_shape, DType::i64) : Tensor();
  max_pool_planes(x.data<float>(), out.data<float>(), with_indices ? indices.data<int64_t>() : nullptr,
                  plane_count(x), g);
  return {out, indices};
}

std::pair<Tensor, Tensor> max_pool2d_naive(const Tensor& x, const Pool2dGeometry& g) {
  const Shape out_shape = with_plane(x.shape(), g.out_h, g.out_w);
  Tensor out = empty(out_shape);
  Tensor indices = empty(out_shape, DType::i64);
  const int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
  for (int64_t p = 0, planes = plane_count(x); p < planes; ++p) {
    max_pool_plane_naive(x.data<float>() + p * in_plane, out.data<float>() + p * out_plane,
                         indices.data<int64_t>() + p * out_plane, g);
  }
  return {out, indices};
}

bool max_pool2d_taps_supported(const Pool2dGeometry& g) {
  return g.kernel_h * g.kernel_w < MaxPoolTaps::kNone && fits_int32(g);
}

Tensor max_pool2d(const Tensor& x, const Pool2dGeometry& g, MaxPoolTaps& taps) {
  Tensor out = empty(with_plane(x.shape(), g.out_h, g.out_w));
  taps.taps.assign(static_cast<size_t>(out.numel()), 0);
  EMBER_ISA_CALL(max_pool_planes_fast<Argmax::tap>)(x.data<float>(), out.data<float>(), taps.taps.data(), plane_count(x), g);
  return out;
}

Tensor max_pool2d_backward(const Tensor& grad_out, const MaxPoolTaps& taps, const Pool2dGeometry& g) {
  Tensor grad_in = empty(with_plane(grad_out.shape(), g.in_h, g.in_w));
  std::vector<int32_t> offset;  // tap -> flat offset from the window origin
  for (int64_t kh = 0; kh < g.kernel_h; ++kh) {
    for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
      offset.push_back(static_cast<int32_t>(kh * g.dilation_h * g.in_w + kw * g.dilation_w));
    }
  }
  const int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
  const float* go = grad_out.data<float>();
  float* gi = grad_in.data<float>();
  parallel_for(0, plane_count(grad_out), plane_grain(in_plane + out_plane), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      float* __restrict plane = gi + p * in_plane;
      const float* __restrict grad = go + p * out_plane;
      const uint8_t* __restrict tap = taps.taps.data() + p * out_plane;
      std::memset(plane, 0, static_cast<size_t>(in_plane) * sizeof(float));
      for (int64_t oh = 0; oh < g.out_h; ++oh) {
        // the flat input position of window (oh, 0)'s origin; the window origins step by stride_w
        const int64_t origin = (oh * g.stride_h - g.pad_top) * g.in_w - g.pad_left;
        for (int64_t ow = 0; ow < g.out_w; ++ow) {
          const uint8_t t = tap[oh * g.out_w + ow];
          if (t != MaxPoolTaps::kNone) plane[origin + ow * g.stride_w + offset[t]] += grad[oh * g.out_w + ow];
        }
      }
    }
  });
  return grad_in;
}

Tensor max_pool2d_backward(const Tensor& grad_out, const Tensor& indices, const Pool2dGeometry& g) {
  Tensor grad_in = empty(with_plane(grad_out.shape(), g.in_h, g.in_w));
  const MaxTables t = max_tables(g);
  scatter_planes(grad_out.data<float>(), indices.data<int64_t>(), grad_in.data<float>(), plane_count(grad_out),
                 g.in_h * g.in_w, g.out_h, g.out_w, t.all_live ? nullptr : &t.row_count,
                 t.all_live ? nullptr : &t.col_live);
  return grad_in;
}

}  // namespace ember::kernels
