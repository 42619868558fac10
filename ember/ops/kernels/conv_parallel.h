#pragma once
// How the convolution kernels (conv_kernels.cpp, conv3d_kernels.cpp) split work across threads,
// shared so 2-D and 3-D follow one rule: several images run in parallel tasks with serial GEMMs;
// a single image runs its GEMMs in parallel. Every choice depends on the shapes only, so results
// are identical for any thread count.
#include <cstdint>

#include "ember/core/parallel.h"
#include "ember/ops/kernels/gemm.h"

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

}  // namespace ember::kernels::conv_parallel
