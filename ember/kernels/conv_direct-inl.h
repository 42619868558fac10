// The convolution's direct kernels, compiled once per instruction set (isa/variants.h; included
// by conv_kernels.cpp, which declares the helpers used here): depthwise forward and gradients, the
// bias (+ ReLU) epilogue and the bias gradient's channel sums. Long unit-stride loops that the
// compiler vectorizes for the variant's width.

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

