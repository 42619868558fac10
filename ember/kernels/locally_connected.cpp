// Locally connected kernels. The column matrices of all images are laid out position-major,
// [P, N, R], so that each position's GEMM reads one dense [N, R] block: forward
// out_p [N, K] = cols_p [N, R] @ weight_p^T, backward dweight_p = dy_p^T @ cols_p and
// dcols_p = dy_p @ weight_p, then col2im.
#include "ember/kernels/locally_connected.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "ember/core/parallel.h"
#include "ember/kernels/gemm.h"
#include "ember/kernels/scratch.h"

namespace ember::kernels {

namespace {

// About this many multiply-adds per parallel chunk of positions.
constexpr int64_t kGrainWork = 1 << 16;

int64_t position_grain(const LocalPlan& plan) {
  return std::max<int64_t>(1, kGrainWork / std::max<int64_t>(1, plan.batch * plan.out_channels * plan.taps()));
}

// cols_t [P, N, R]: image n's im2col [R, P], transposed into its slots.
std::vector<float> gather_columns(const LocalPlan& plan, const float* x) {
  const ConvGeometry& g = plan.geometry;
  const int64_t n_img = plan.batch, P = plan.positions(), R = plan.taps();
  const int64_t image = g.channels * g.in_h * g.in_w;
  std::vector<float> cols_t(static_cast<size_t>(P * n_img * R));
  parallel_for(0, n_img, 1, [&](int64_t begin, int64_t end) {
    float* cols = thread_scratch(R * P);
    for (int64_t n = begin; n < end; ++n) {
      im2col(x + n * image, g, cols);
      for (int64_t r = 0; r < R; ++r) {
        for (int64_t p = 0; p < P; ++p) cols_t[(p * n_img + n) * R + r] = cols[r * P + p];
      }
    }
  });
  return cols_t;
}

// dy [N, K, P] -> dy_t [P, N, K].
std::vector<float> positions_first(const LocalPlan& plan, const float* dy) {
  const int64_t n_img = plan.batch, K = plan.out_channels, P = plan.positions();
  std::vector<float> dy_t(static_cast<size_t>(P * n_img * K));
  for (int64_t n = 0; n < n_img; ++n) {
    for (int64_t k = 0; k < K; ++k) {
      const float* row = dy + (n * K + k) * P;
      for (int64_t p = 0; p < P; ++p) dy_t[(p * n_img + n) * K + k] = row[p];
    }
  }
  return dy_t;
}

}  // namespace

void locally_connected_forward(const LocalPlan& plan, const float* x, const float* weight, const float* bias,
                               float* out) {
  const int64_t n_img = plan.batch, K = plan.out_channels, P = plan.positions(), R = plan.taps();
  if (n_img == 0) return;
  const std::vector<float> cols_t = gather_columns(plan, x);
  std::vector<float> out_t(static_cast<size_t>(P * n_img * K));  // [P, N, K]
  parallel_for(0, P, position_grain(plan), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      gemm_serial(false, true, n_img, K, R, 1.0f, cols_t.data() + p * n_img * R, R, weight + p * K * R, R, 0.0f,
                  out_t.data() + p * n_img * K, K);
    }
  });
  parallel_for(0, n_img * K, std::max<int64_t>(1, kGrainWork / P), [&](int64_t begin, int64_t end) {
    for (int64_t nk = begin; nk < end; ++nk) {
      const int64_t n = nk / K, k = nk % K;
      float* row = out + nk * P;
      for (int64_t p = 0; p < P; ++p) row[p] = out_t[(p * n_img + n) * K + k] + (bias ? bias[k * P + p] : 0.0f);
    }
  });
}

void locally_connected_backward_input(const LocalPlan& plan, const float* dy, const float* weight, float* dx) {
  const ConvGeometry& g = plan.geometry;
  const int64_t n_img = plan.batch, K = plan.out_channels, P = plan.positions(), R = plan.taps();
  const int64_t image = g.channels * g.in_h * g.in_w;
  if (n_img == 0) return;
  const std::vector<float> dy_t = positions_first(plan, dy);
  std::vector<float> dcols_t(static_cast<size_t>(P * n_img * R));  // [P, N, R]
  parallel_for(0, P, position_grain(plan), [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      gemm_serial(false, false, n_img, R, K, 1.0f, dy_t.data() + p * n_img * K, K, weight + p * K * R, R, 0.0f,
                  dcols_t.data() + p * n_img * R, R);
    }
  });
  parallel_for(0, n_img, 1, [&](int64_t begin, int64_t end) {
    float* cols = thread_scratch(R * P);
    for (int64_t n = begin; n < end; ++n) {
      for (int64_t r = 0; r < R; ++r) {
        for (int64_t p = 0; p < P; ++p) cols[r * P + p] = dcols_t[(p * n_img + n) * R + r];
      }
      std::memset(dx + n * image, 0, static_cast<size_t>(image) * sizeof(float));
      col2im(cols, g, dx + n * image);
    }
  });
}

void locally_connected_backward_weight(const LocalPlan& plan, const float* x, const float* dy, float* dweight,
                                       float* dbias) {
  const int64_t n_img = plan.batch, K = plan.out_channels, P = plan.positions(), R = plan.taps();
  if (n_img == 0) {
    if (dweight) std::fill(dweight, dweight + P * K * R, 0.0f);
    if (dbias) std::fill(dbias, dbias + K * P, 0.0f);
    return;
  }
  if (dweight) {
    const std::vector<float> cols_t = gather_columns(plan, x);
    const std::vector<float> dy_t = positions_first(plan, dy);
    parallel_for(0, P, position_grain(plan), [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) {
        gemm_serial(true, false, K, R, n_img, 1.0f, dy_t.data() + p * n_img * K, K, cols_t.data() + p * n_img * R,
                    R, 0.0f, dweight + p * K * R, R);
      }
    });
  }
  if (dbias) {
    parallel_for(0, K, std::max<int64_t>(1, kGrainWork / (n_img * P)), [&](int64_t begin, int64_t end) {
      for (int64_t k = begin; k < end; ++k) {
        float* b = dbias + k * P;
        std::fill(b, b + P, 0.0f);
        for (int64_t n = 0; n < n_img; ++n) {
          const float* row = dy + (n * K + k) * P;
          for (int64_t p = 0; p < P; ++p) b[p] += row[p];
        }
      }
    });
  }
}

}  // namespace ember::kernels
