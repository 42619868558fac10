#pragma once
// How the convolution kernels (conv_kernels.cpp, conv3d_kernels.cpp) split work across threads,
// shared so 2-D and 3-D follow one rule: several images run in parallel tasks with serial GEMMs;
// a single image runs its GEMMs in parallel. Every choice depends on the shapes only, so results
// are identical for any thread count.
#include <cstdint>

#include "ember/core/parallel.h"
#include "ember/kernels/gemm.h"

namespace ember::kernels::conv_parallel {

// The weight gradient sums over images in at most this many fixed chunks, added in chunk order.
constexpr int64_t kMaxWeightChunks = 8;

// C = op(A) op(B) + beta C, with a parallel GEMM or on the calling thread only.
inline void gemm_on(bool parallel, bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                    const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (parallel) {
    gemm(ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
  } else {
    gemm_serial(ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
  }
}

// Runs image(n, parallel_gemm) for every image: images in parallel (serial GEMMs inside) when
// there are several, otherwise one image with a parallel GEMM. Depends on the batch size only.
template <typename F>
void for_each_image(int64_t batch, F&& image) {
  if (batch >= 2) {
    parallel_for(0, batch, 1, [&](int64_t b, int64_t e) {
      for (int64_t n = b; n < e; ++n) image(n, false);
    });
  } else {
    for (int64_t n = 0; n < batch; ++n) image(n, true);
  }
}

// Runs run_chunk(c, parallel_gemm) for the weight gradient's chunks: one chunk with parallel
// GEMMs, or all chunks as parallel tasks, chunk c > 0 writing its own [weight_size] slice of
// partial, whose slices are then added into dw in chunk order (fixed, so thread-count proof).
template <typename F>
void run_weight_chunks(int64_t chunks, int64_t weight_size, float* dw, const float* partial, F&& run_chunk) {
  if (chunks == 1) {
    run_chunk(0, true);
    return;
  }
  parallel_for(0, chunks, 1, [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; ++c) run_chunk(c, false);
  });
  parallel_for(0, weight_size, 16384, [&](int64_t b, int64_t e) {
    for (int64_t c = 1; c < chunks; ++c) {
      const float* src = partial + (c - 1) * weight_size;
      for (int64_t i = b; i < e; ++i) dw[i] += src[i];
    }
  });
}

}  // namespace ember::kernels::conv_parallel
