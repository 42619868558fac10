#include "ember/kernels/norm_kernels.h"

#include "ember/kernels/eigen.h"
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ember/core/parallel.h"
#include "ember/kernels/reduce_kernels.h"
#include "ember/kernels/relu_value.h"
#include "ember/kernels/scratch.h"

namespace ember::kernels {

namespace {

// ---------------------------------------------------------------------------------------------
// Local response normalization

constexpr int64_t kLrnPixels = 256;          // pixels per chunk: a chunk's rows stay in L1/L2
constexpr int64_t kGrainElements = 1 << 15;  // elements per parallel task, about

// out[i] = d[i]^beta. For beta = 0.75 (AlexNet's, PyTorch's default), 0.5 and 1, square roots:
// correctly rounded, vectorized, and about twice as fast as exp/log. Otherwise Eigen's
// vectorized exp(beta * log(d)) when every d is a normal positive float or +inf (the usual case:
// d >= k > 0), and std::pow for the rest, which is exact about zeros, subnormals, negative d with
// an integer beta, NaN and beta = 0.
void pow_row(const float* d, float* out, int64_t len, float beta) {
  Eigen::Map<const Eigen::ArrayXf> dv(d, len);
  Eigen::Map<Eigen::ArrayXf> ov(out, len);
  if (beta == 0.75f) {
    ov = dv.sqrt() * dv.sqrt().sqrt();
  } else if (beta == 0.5f) {
    ov = dv.sqrt();
  } else if (beta == 1.0f) {
    ov = dv;
  } else if (beta != 0.0f && len > 0 && dv.minCoeff() >= std::numeric_limits<float>::min()) {
    ov = (dv.log() * beta).exp();
  } else {
    for (int64_t i = 0; i < len; ++i) out[i] = std::pow(d[i], beta);
  }
}

struct Window {
  int64_t lo, hi;  // window(c) = c - lo .. c + hi
  explicit Window(int64_t size) : lo(size / 2), hi((size - 1) / 2) {}
};

// One pixel (column `pix` of an image [C, P]) with direct window sums: the naive kernel and the
// fallback for non-finite running sums.
void lrn_forward_pixel(const float* x, float* out, float* scaled, float* d_pow, int64_t C, int64_t P, int64_t pix,
                       const LrnParams& prm) {
  const Window w(prm.size);
  const double inv_size = 1.0 / static_cast<double>(prm.size);
  for (int64_t c = 0; c < C; ++c) {
    double s = 0;
    for (int64_t j = std::max<int64_t>(0, c - w.lo); j <= std::min(C - 1, c + w.hi); ++j) {
      const double v = x[j * P + pix];
      s += v * v;
    }
    const float d = static_cast<float>(s * inv_size) * prm.alpha + prm.k;
    const float dp = std::pow(d, prm.beta);
    const float o = x[c * P + pix] / dp;
    out[c * P + pix] = o;
    if (scaled) scaled[c * P + pix] = o / d;
    if (d_pow) d_pow[c * P + pix] = dp;
  }
}

void lrn_backward_pixel(const float* g, const float* x, const float* scaled, const float* d_pow, float* dx, int64_t C,
                        int64_t P, int64_t pix, const LrnParams& prm) {
  const Window w(prm.size);
  const float coef = static_cast<float>(2.0 * prm.alpha * prm.beta / static_cast<double>(prm.size));
  for (int64_t j = 0; j < C; ++j) {
    double r = 0;
    for (int64_t c = std::max<int64_t>(0, j - w.hi); c <= std::min(C - 1, j + w.lo); ++c) {
      r += g[c * P + pix] * scaled[c * P + pix];
    }
    const int64_t at = j * P + pix;
    dx[at] = g[at] / d_pow[at] - coef * x[at] * static_cast<float>(r);
  }
}

// The (image, pixel chunk) work items: image i, pixels [p0, p0 + len).
struct Chunks {
  int64_t per_image, count, grain;
  Chunks(int64_t n, int64_t c, int64_t p) {
    per_image = chunk_count(p, kLrnPixels);
    count = n * per_image;
    grain = std::max<int64_t>(1, kGrainElements / std::max<int64_t>(1, c * std::min(p, kLrnPixels)));
  }
};

}  // namespace

void lrn_forward(const float* x, float* out, float* scaled, float* d_pow, int64_t n, int64_t C, int64_t P,
                 const LrnParams& prm) {
  if (n == 0 || C == 0 || P == 0) return;
  const Window w(prm.size);
  const double inv_size = 1.0 / static_cast<double>(prm.size);
  const Chunks chunks(n, C, P);
  parallel_for(0, chunks.count, chunks.grain, [&](int64_t begin, int64_t end) {
    std::vector<double> sum(static_cast<size_t>(kLrnPixels));
    std::vector<float> d_row(static_cast<size_t>(kLrnPixels)), pow_scratch(static_cast<size_t>(kLrnPixels));
    for (int64_t item = begin; item < end; ++item) {
      const int64_t image = item / chunks.per_image;
      const int64_t p0 = (item % chunks.per_image) * kLrnPixels;
      const int64_t len = std::min(kLrnPixels, P - p0);
      const int64_t base = image * C * P + p0;  // channel 0 of this chunk
      double* __restrict s = sum.data();
      float* __restrict d = d_row.data();
      std::fill(s, s + len, 0.0);
      // Prime the window of channel 0 (channels 0 .. hi - 1; channel hi enters at c = 0).
      for (int64_t j = 0; j < std::min(w.hi, C); ++j) {
        const float* __restrict xr = x + base + j * P;
        for (int64_t i = 0; i < len; ++i) s[i] += static_cast<double>(xr[i]) * xr[i];
      }
      for (int64_t c = 0; c < C; ++c) {
        if (c + w.hi < C) {
          const float* __restrict xr = x + base + (c + w.hi) * P;
          for (int64_t i = 0; i < len; ++i) s[i] += static_cast<double>(xr[i]) * xr[i];
        }
        if (c - w.lo - 1 >= 0) {
          const float* __restrict xr = x + base + (c - w.lo - 1) * P;
          for (int64_t i = 0; i < len; ++i) s[i] -= static_cast<double>(xr[i]) * xr[i];
        }
        for (int64_t i = 0; i < len; ++i) d[i] = static_cast<float>(s[i] * inv_size) * prm.alpha + prm.k;
        float* __restrict dp = d_pow ? d_pow + base + c * P : pow_scratch.data();
        pow_row(d, dp, len, prm.beta);
        const float* __restrict xr = x + base + c * P;
        float* __restrict o = out + base + c * P;
        for (int64_t i = 0; i < len; ++i) o[i] = xr[i] / dp[i];
        if (scaled) {
          float* __restrict q = scaled + base + c * P;
          for (int64_t i = 0; i < len; ++i) q[i] = o[i] / d[i];
        }
      }
      // Once a non-finite square enters, the running sum stays inf or NaN; redo those pixels.
      for (int64_t i = 0; i < len; ++i) {
        if (!std::isfinite(s[i])) {
          lrn_forward_pixel(x + image * C * P, out + image * C * P, scaled ? scaled + image * C * P : nullptr,
                            d_pow ? d_pow + image * C * P : nullptr, C, P, p0 + i, prm);
        }
      }
    }
  });
}

void lrn_backward(const float* g, const float* x, const float* scaled, const float* d_pow, float* dx, int64_t n,
                  int64_t C, int64_t P, const LrnParams& prm) {
  if (n == 0 || C == 0 || P == 0) return;
  const Window w(prm.size);
  const int64_t size = prm.size;
  const float coef = static_cast<float>(2.0 * prm.alpha * prm.beta / static_cast<double>(size));
  const Chunks chunks(n, C, P);
  // The terms t[c] = g[c] * scaled[c] of the channels in the current window live in a ring of
  // min(size, C) rows, channel c in row c % rows. When size < C the channel entering the window
  // takes the row of the one leaving it; when size >= C no channel both enters and leaves at one
  // step, and each channel has its own row.
  const int64_t rows = std::min(size, C);
  parallel_for(0, chunks.count, chunks.grain, [&](int64_t begin, int64_t end) {
    std::vector<double> sum(static_cast<size_t>(kLrnPixels));
    std::vector<float> ring(static_cast<size_t>(rows * kLrnPixels));
    auto row = [&](int64_t channel) { return ring.data() + (channel % rows) * kLrnPixels; };
    for (int64_t item = begin; item < end; ++item) {
      const int64_t image = item / chunks.per_image;
      const int64_t p0 = (item % chunks.per_image) * kLrnPixels;
      const int64_t len = std::min(kLrnPixels, P - p0);
      const int64_t base = image * C * P + p0;
      double* __restrict s = sum.data();
      std::fill(s, s + len, 0.0);
      // dx[j] needs the channels j - hi .. j + lo. Prime with 0 .. lo - 1; channel j + lo enters
      // at step j and channel j - hi - 1 leaves. A row is always written before it is read.
      for (int64_t c = 0; c < std::min(w.lo, C); ++c) {
        float* __restrict t = row(c);
        const float* __restrict gr = g + base + c * P;
        const float* __restrict qr = scaled + base + c * P;
        for (int64_t i = 0; i < len; ++i) {
          t[i] = gr[i] * qr[i];
          s[i] += t[i];
        }
      }
      for (int64_t j = 0; j < C; ++j) {
        const int64_t entering = j + w.lo, leaving = j - w.hi - 1;
        const bool enters = entering < C, leaves = leaving >= 0;
        if (enters) {
          float* __restrict t = row(entering);  // holds `leaving` if that is >= 0 (then rows == size)
          const float* __restrict gr = g + base + entering * P;
          const float* __restrict qr = scaled + base + entering * P;
          if (leaves) {
            for (int64_t i = 0; i < len; ++i) {
              const float v = gr[i] * qr[i];
              s[i] = (s[i] - t[i]) + v;
              t[i] = v;
            }
          } else {
            for (int64_t i = 0; i < len; ++i) {
              t[i] = gr[i] * qr[i];
              s[i] += t[i];
            }
          }
        } else if (leaves) {
          const float* __restrict t = row(leaving);
          for (int64_t i = 0; i < len; ++i) s[i] -= t[i];
        }
        const float* __restrict gr = g + base + j * P;
        const float* __restrict xr = x + base + j * P;
        const float* __restrict dp = d_pow + base + j * P;
        float* __restrict o = dx + base + j * P;
        for (int64_t i = 0; i < len; ++i) o[i] = gr[i] / dp[i] - coef * xr[i] * static_cast<float>(s[i]);
      }
      for (int64_t i = 0; i < len; ++i) {
        if (!std::isfinite(s[i])) {
          const int64_t at = image * C * P;
          lrn_backward_pixel(g + at, x + at, scaled + at, d_pow + at, dx + at, C, P, p0 + i, prm);
        }
      }
    }
  });
}

void lrn_forward_naive(const float* x, float* out, float* scaled, float* d_pow, int64_t n, int64_t C, int64_t P,
                       const LrnParams& prm) {
  for (int64_t image = 0; image < n; ++image) {
    const int64_t at = image * C * P;
    for (int64_t pix = 0; pix < P; ++pix) {
      lrn_forward_pixel(x + at, out + at, scaled ? scaled + at : nullptr, d_pow ? d_pow + at : nullptr, C, P, pix, prm);
    }
  }
}

void lrn_backward_naive(const float* g, const float* x, const float* scaled, const float* d_pow, float* dx, int64_t n,
                        int64_t C, int64_t P, const LrnParams& prm) {
  for (int64_t image = 0; image < n; ++image) {
    const int64_t at = image * C * P;
    for (int64_t pix = 0; pix < P; ++pix) {
      lrn_backward_pixel(g + at, x + at, scaled + at, d_pow + at, dx + at, C, P, pix, prm);
    }
  }
}

}  // namespace ember::kernels
