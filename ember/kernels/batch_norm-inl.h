// Batch normalization (+ ReLU) forward and backward over NCHW buffers, one channel per task,
// compiled once per instruction set (isa/variants.h; included by batch_norm_kernels.cpp).

// Channel-parallel loop: about kBatchNormGrain elements per task, at least one channel.
template <typename F>
void for_each_channel(int64_t c, int64_t m, F&& fn) {
  parallel_for(0, c, std::max<int64_t>(1, kBatchNormGrain / std::max<int64_t>(1, m)), [&](int64_t b, int64_t e) {
    for (int64_t ch = b; ch < e; ++ch) fn(ch);
  });
}

#include "ember/kernels/isa/lanes-inl.h"

// Sums of NS per-element terms over [0, n): term(lanes, i, acc) adds the terms of elements
// [i, i + L) into acc[0..NS) (vectors of L floats). Float vector lanes within blocks of
// kSumBlock elements, each block's lanes then added into double, in a fixed order: the
// statistics pass runs at the speed of the data instead of double conversions, and a float lane
// sums at most kSumBlock / L terms. (The sums differ in the last bits between vector widths.)
constexpr int64_t kSumBlock = 512;

template <int NS, typename Term>
void block_sums(int64_t n, double (&out)[NS], Term&& term) {
  constexpr int L = kIsaVectorFloats;
  for (int64_t begin = 0; begin < n; begin += kSumBlock) {
    const int64_t end = std::min(n, begin + kSumBlock);
    typename Lanes<L>::type acc[NS] = {};
    typename Lanes<1>::type tail[NS] = {};
    int64_t i = begin;
    for (; i + L <= end; i += L) term(std::integral_constant<int, L>{}, i, acc);
    for (; i < end; ++i) term(std::integral_constant<int, 1>{}, i, tail);
    for (int k = 0; k < NS; ++k) out[k] += static_cast<double>(lane_sum<L>(acc[k])) + static_cast<double>(tail[k][0]);
  }
}

// The gradient rows as the sums and dx see them: g, or with a fused ReLU g where its output y > 0
// (relu_grad's rule, NaN outputs passing), computed on the fly.
template <int L>
inline typename Lanes<L>::type grad_lanes(const float* g, const float* y, int64_t i) {
  const auto gv = load_lanes<L>(g + i);
  if (!y) return gv;
  return load_lanes<L>(y + i) <= 0.0f ? typename Lanes<L>::type{} : gv;
}

// out = (x - mean) * a + b over the channel's rows (then max(out, 0) when relu).
void apply_channel(const float* x, float* out, int64_t n, int64_t C, int64_t P, int64_t ch, float mean, float a,
                   float b, bool relu) {
  for (int64_t image = 0; image < n; ++image) {
    const float* __restrict xr = x + (image * C + ch) * P;
    float* __restrict o = out + (image * C + ch) * P;
    if (relu) {
      for (int64_t i = 0; i < P; ++i) o[i] = relu_value((xr[i] - mean) * a + b);
    } else {
      for (int64_t i = 0; i < P; ++i) o[i] = (xr[i] - mean) * a + b;
    }
  }
}

void batch_norm_forward_train(const float* x, float* out, const float* weight, const float* bias, int64_t n, int64_t C,
                              int64_t P, double eps, double* mean, double* var, float* invstd, bool relu) {
  const int64_t m = n * P;
  for_each_channel(C, m, [&](int64_t ch) {
    // Two passes over the channel (it is in cache for the second): the mean, then the squared
    // deviations from it, so a large mean costs no precision.
    double total[1] = {0.0};
    for (int64_t image = 0; image < n; ++image) {
      const float* xr = x + (image * C + ch) * P;
      block_sums(P, total, [&](auto lanes, int64_t i, auto& acc) { acc[0] += load_lanes<decltype(lanes)::value>(xr + i); });
    }
    const double mu = m > 0 ? total[0] / static_cast<double>(m) : 0.0;
    const float mu_f = static_cast<float>(mu);
    double dev[1] = {0.0};
    for (int64_t image = 0; image < n; ++image) {
      const float* xr = x + (image * C + ch) * P;
      block_sums(P, dev, [&](auto lanes, int64_t i, auto& acc) {
        const auto d = load_lanes<decltype(lanes)::value>(xr + i) - mu_f;
        acc[0] += d * d;
      });
    }
    const double v = m > 0 ? dev[0] / static_cast<double>(m) : 0.0;
    const float is = static_cast<float>(1.0 / std::sqrt(v + eps));
    mean[ch] = mu;
    var[ch] = v;
    invstd[ch] = is;
    const float a = weight ? weight[ch] * is : is;
    apply_channel(x, out, n, C, P, ch, static_cast<float>(mu), a, bias ? bias[ch] : 0.0f, relu);
  });
}

void batch_norm_forward_apply(const float* x, float* out, const float* mean, const float* invstd, const float* weight,
                              const float* bias, int64_t n, int64_t C, int64_t P, bool relu) {
  for_each_channel(C, n * P, [&](int64_t ch) {
    const float a = weight ? weight[ch] * invstd[ch] : invstd[ch];
    apply_channel(x, out, n, C, P, ch, mean[ch], a, bias ? bias[ch] : 0.0f, relu);
  });
}

void batch_norm_backward(const float* g, const float* x, const float* mean, const float* invstd, const float* weight,
                         float* dx, float* dweight, float* dbias, int64_t n, int64_t C, int64_t P, bool training,
                         const float* relu_out) {
  const int64_t m = n * P;
  const bool need_sums = dweight || dbias || (dx && training);
  for_each_channel(C, m, [&](int64_t ch) {
    const float mu = mean[ch], is = invstd[ch];
    double sums[2] = {0.0, 0.0};  // sum g, sum g * (x - mean)
    if (need_sums) {
      for (int64_t image = 0; image < n; ++image) {
        const int64_t at = (image * C + ch) * P;
        const float *gr = g + at, *xr = x + at, *yr = relu_out ? relu_out + at : nullptr;
        block_sums(P, sums, [&](auto lanes, int64_t i, auto& acc) {
          constexpr int L = decltype(lanes)::value;
          const auto gv = grad_lanes<L>(gr, yr, i);
          acc[0] += gv;
          acc[1] += gv * (load_lanes<L>(xr + i) - mu);
        });
      }
    }
    const double sum_g = sums[0], sum_gx = sums[1];
    if (dbias) dbias[ch] = static_cast<float>(sum_g);
    if (dweight) dweight[ch] = static_cast<float>(sum_gx * is);
    if (!dx) return;
    const float k = weight ? weight[ch] * is : is;  // weight * invstd
    // training: dx = k * (g - sum_g / M - (x - mean) * invstd^2 * sum_gx / M)
    const float shift = training && m > 0 ? static_cast<float>(sum_g / static_cast<double>(m)) : 0.0f;
    const float slope = training && m > 0 ? static_cast<float>(sum_gx * is * is / static_cast<double>(m)) : 0.0f;
    for (int64_t image = 0; image < n; ++image) {
      const int64_t at = (image * C + ch) * P;
      const float *gr = g + at, *xr = x + at, *yr = relu_out ? relu_out + at : nullptr;
      float* o = dx + at;
      over_lanes(P, [&](auto lanes, int64_t i) {
        constexpr int L = decltype(lanes)::value;
        const auto gv = grad_lanes<L>(gr, yr, i);
        store_lanes<L>(o + i, training ? (gv - shift - (load_lanes<L>(xr + i) - mu) * slope) * k : gv * k);
      });
    }
  });
}

