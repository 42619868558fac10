#pragma once
// The one matrix-multiply entry point every matmul, linear and (later) conv goes through.
//
// Row-major BLAS-style contract:
//   C[M,N] = alpha * op(A) * op(B) + beta * C
// op(A) is A[M,K] (row stride lda) or, with trans_a, the transpose of a row-major [K,M] A.
// Likewise B. With beta == 0, C is not read (it may hold garbage).
//
// Backend (CMake option EMBER_GEMM): OpenBLAS's cblas_sgemm on one thread (default; Eigen for blocks
// thinner than 16 rows, where it is faster) or Eigen's product on row/column-major maps. Either
// way C is split across TBB threads in blocks fixed by the sizes alone, so results are
// identical for any thread count.
#include <cstdint>

#include "ember/core/tensor.h"

namespace ember::kernels {

// "openblas" or "eigen": what this build multiplies with.
const char* gemm_backend();

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// The same product on the calling thread only. For callers that already run in parallel tasks
// (one per image): nesting parallel work there would let TBB run a sibling task on this thread
// mid-call, which breaks per-thread scratch buffers.
void gemm_serial(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                 int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// The naive triple loop with double accumulation: the reference the tests compare gemm against.
void gemm_reference(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                    int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// How a 2-D tensor can be handed to gemm without a copy: row-major (trans = false, ld = row
// stride) or as the transpose of a row-major matrix (trans = true). Copies only when neither fits.
struct GemmOperand {
  Tensor storage;  // keeps a copy alive when one was needed
  const float* data;
  bool trans;
  int64_t ld;
};
GemmOperand as_gemm_operand(const Tensor& matrix);

}  // namespace ember::kernels
