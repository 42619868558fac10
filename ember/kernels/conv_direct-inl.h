// The convolution's direct kernels, compiled once per instruction set (isa/variants.h; included
// by conv_kernels.cpp, which declares the helpers used here): depthwise forward and gradients, the
// bias (+ ReLU) epilogue and the bias gradient's channel sums. Long unit-stride loops that the
// compiler vectorizes for the variant's width.

#include "ember/kernels/isa/lanes-inl.h"

// ---- depthwise: each output a register sum of taps over a zero-padded, phase-split plane ----

// out[r * out_w + c] (+)= sum over taps t of weight[t] * padded[r * row_step + c + offset[t]]; the
// sum starts from `start` (a bias) unless it accumulates, and with relu is stored as relu_value's.
void tap_sum_rows(const float* padded, int64_t row_step, int64_t out_h, int64_t out_w, const int64_t* offset,
                  const float* weight, int64_t taps, bool accumulate, float* out, float start = 0.0f,
                  bool relu = false) {
  for (int64_t r = 0; r < out_h; ++r) {
    const float* row = padded + r * row_step;
    float* dst = out + r * out_w;
    over_lanes(out_w, [&](auto lanes, int64_t c) {
      constexpr int L = decltype(lanes)::value;
      typedef typename Lanes<L>::type vec;
      vec acc = accumulate ? load_lanes<L>(dst + c) : vec{} + start;
      for (int64_t t = 0; t < taps; ++t) acc += weight[t] * load_lanes<L>(row + c + offset[t]);
      if (relu) acc = ((acc > 0.0f) | (acc != acc)) ? acc : vec{};  // relu_value, lane by lane
      store_lanes<L>(dst + c, acc);
    });
  }
}

// padded[r * row_step + c + offset[t]] += weight[t] * src[r * out_w + c] for every tap in order:
// tap_sum_rows' adjoint, for strided input gradients.
void tap_scatter_rows(const float* src, int64_t out_h, int64_t out_w, const int64_t* offset, const float* weight,
                      int64_t taps, int64_t row_step, float* padded) {
  for (int64_t t = 0; t < taps; ++t) {
    for (int64_t r = 0; r < out_h; ++r) {
      float* row = padded + r * row_step + offset[t];
      const float* in = src + r * out_w;
      over_lanes(out_w, [&](auto lanes, int64_t c) {
        constexpr int L = decltype(lanes)::value;
        store_lanes<L>(row + c, load_lanes<L>(row + c) + weight[t] * load_lanes<L>(in + c));
      });
    }
  }
}

// sum over (r, c) of a[r * a_pitch + c] * b[r * b_pitch + c] for an rows x cols window: vector
// lanes, then their sum, in a fixed order.
double window_dot(const float* a, int64_t a_pitch, const float* b, int64_t b_pitch, int64_t rows, int64_t cols) {
  constexpr int L = kIsaVectorFloats;
  typename Lanes<L>::type acc{};
  float tail = 0.0f;
  const int64_t whole = cols / L * L;
  for (int64_t r = 0; r < rows; ++r) {
    const float* ar = a + r * a_pitch;
    const float* br = b + r * b_pitch;
    for (int64_t c = 0; c < whole; c += L) acc += load_lanes<L>(ar + c) * load_lanes<L>(br + c);
    for (int64_t c = whole; c < cols; ++c) tail += ar[c] * br[c];
  }
  return static_cast<double>(lane_sum<L>(acc)) + tail;
}

void depthwise_forward(const ConvPlan& p, const float* x, const float* w, const float* bias, bool relu, float* y) {
  const ConvGeometry& g = p.group;
  const int64_t m = p.out_channels / p.in_channels, taps = g.kernel_h * g.kernel_w;
  const PaddedPlane in(g.out_h, g.out_w, g, g.stride_h, g.stride_w);
  const std::vector<int64_t> offsets = in.tap_offsets(g);
  for_each_plane(p.batch * p.out_channels, p.out_plane(), [&](int64_t plane) {
    const int64_t n = plane / p.out_channels, k = plane % p.out_channels;
    float* padded = scratch(in.floats());
    place_plane(x + (n * p.in_channels + k / m) * g.in_h * g.in_w, g.in_h, g.in_w, g.pad_top, g.pad_left, in,
                padded);
    tap_sum_rows(padded, in.row_step(), g.out_h, g.out_w, offsets.data(), w + k * taps, taps, false,
                 y + plane * p.out_plane(), bias ? bias[k] : 0.0f, relu);
  });
}

// The depthwise gradients the caller wants (null: not wanted), one pass per input channel over
// every image. dw: per tap, dy against the shifted padded input, lanes summed per image and
// images in double. db: dy's sums. dx with stride 1: dy placed in a plane padded by the kernel's
// reach minus the padding, then the flipped kernel's tap sums (a gather: no scattered writes);
// with a larger stride: dy times each tap added into a zeroed padded plane, then cropped. Channels
// run in parallel; each sum has a fixed order, so no result depends on the thread count.
void depthwise_backward(const ConvPlan& p, const float* x, const float* dy, const float* w, float* dx, float* dw,
                        float* db) {
  const ConvGeometry& g = p.group;
  const int64_t m = p.out_channels / p.in_channels, taps = g.kernel_h * g.kernel_w;
  const int64_t reach_h = g.dilation_h * (g.kernel_h - 1), reach_w = g.dilation_w * (g.kernel_w - 1);
  const bool unit_stride = g.stride_h == 1 && g.stride_w == 1;
  const PaddedPlane in(g.out_h, g.out_w, g, g.stride_h, g.stride_w), grad(g.in_h, g.in_w, g);
  const std::vector<int64_t> in_offsets = in.tap_offsets(g), grad_offsets = grad.tap_offsets(g);
  const int64_t in_plane = g.in_h * g.in_w, out_plane = p.out_plane();
  parallel_for(0, p.in_channels, 1, [&](int64_t c0, int64_t c1) {
    std::vector<double> weight_sums(static_cast<size_t>(m * taps)), bias_sums(static_cast<size_t>(m));
    std::vector<float> flipped(static_cast<size_t>(m * taps));
    float* padded = scratch(in.floats() + std::max(grad.floats(), in.floats()));
    float* padded_grad = padded + in.floats();
    for (int64_t c = c0; c < c1; ++c) {
      std::fill(weight_sums.begin(), weight_sums.end(), 0.0);
      std::fill(bias_sums.begin(), bias_sums.end(), 0.0);
      for (int64_t r = 0; dx && unit_stride && r < m; ++r) {
        for (int64_t t = 0; t < taps; ++t) flipped[r * taps + t] = w[(c * m + r) * taps + taps - 1 - t];
      }
      for (int64_t n = 0; n < p.batch; ++n) {
        float* dxp = dx ? dx + (n * p.in_channels + c) * in_plane : nullptr;
        if (dw) place_plane(x + (n * p.in_channels + c) * in_plane, g.in_h, g.in_w, g.pad_top, g.pad_left, in, padded);
        if (dx && !unit_stride) std::fill(padded_grad, padded_grad + in.floats(), 0.0f);
        for (int64_t r = 0; r < m; ++r) {
          const float* dyp = dy + (n * p.out_channels + c * m + r) * out_plane;
          if (dw) {
            for (int64_t t = 0; t < taps; ++t) {
              weight_sums[r * taps + t] +=
                  window_dot(dyp, g.out_w, padded + in_offsets[t], in.row_step(), g.out_h, g.out_w);
            }
          }
          if (db) bias_sums[r] += sum_contiguous(dyp, out_plane);
          if (dx && unit_stride) {
            place_plane(dyp, g.out_h, g.out_w, reach_h - g.pad_top, reach_w - g.pad_left, grad, padded_grad);
            tap_sum_rows(padded_grad, grad.row_step(), g.in_h, g.in_w, grad_offsets.data(), flipped.data() + r * taps,
                         taps, r > 0, dxp);
          } else if (dx) {
            tap_scatter_rows(dyp, g.out_h, g.out_w, in_offsets.data(), w + (c * m + r) * taps, taps, in.row_step(),
                             padded_grad);
          }
        }
        if (dx && !unit_stride) take_plane(padded_grad, in, g.pad_top, g.pad_left, g.in_h, g.in_w, dxp);
      }
      for (int64_t r = 0; r < m; ++r) {
        const int64_t k = c * m + r;
        if (dw) {
          for (int64_t t = 0; t < taps; ++t) dw[k * taps + t] = static_cast<float>(weight_sums[r * taps + t]);
        }
        if (db) db[k] = static_cast<float>(bias_sums[r]);
      }
    }
  });
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

void relu_grad_channel_sums(const float* g, const float* y, float* gd, int64_t batch, int64_t channels, int64_t plane,
                            float* sums) {
  parallel_for(0, channels, 1, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      double total = 0;
      for (int64_t n = 0; n < batch; ++n) {
        const int64_t row = (n * channels + c) * plane;
        const float* __restrict gr = g + row;
        const float* __restrict yr = y + row;
        float* __restrict out = gd + row;
        for (int64_t i = 0; i < plane; ++i) out[i] = relu_grad(gr[i], yr[i]);
        if (sums) total += sum_contiguous(out, plane);  // the row still in L1
      }
      if (sums) sums[c] = static_cast<float>(total);
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

