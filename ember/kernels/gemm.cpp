#include "ember/kernels/gemm.h"

#include <algorithm>
#include <cstring>

#include "ember/kernels/eigen.h"

#if EMBER_GEMM_OPENBLAS
#include <cblas.h>
#endif

#include "ember/core/parallel.h"
#include "ember/kernels/elementwise_kernels.h"

namespace ember::kernels {

namespace {

// Below this many multiply-adds a GEMM runs on one thread.
constexpr int64_t kSerialMacs = 1 << 18;
// Blocks are never thinner than this many rows/columns (keeps Eigen's kernels efficient).
constexpr int64_t kMinBlock = 32;
// Enough blocks to balance a few threads; the count depends on sizes only, never on threads.
constexpr int64_t kMaxBlocks = 8;
#if EMBER_GEMM_OPENBLAS
// Blocks with fewer rows of C than this go to thin_gemm (see gemm_block).
constexpr int64_t kOpenBlasMinRows = 16;
#endif

#if !EMBER_GEMM_OPENBLAS
using RowMajorMap = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>, 0,
                               Eigen::OuterStride<>>;
using ColMajorMap =
    Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>, 0, Eigen::OuterStride<>>;
using OutMap = Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>, 0,
                          Eigen::OuterStride<>>;

template <typename MapA, typename MapB>
void block_product(const MapA& A, const MapB& B, float alpha, float beta, OutMap& C) {
  if (beta == 0.0f) {
    C.noalias() = alpha * (A * B);
  } else {
    if (beta != 1.0f) C *= beta;
    C.noalias() += alpha * (A * B);
  }
}

// Eigen's product on row/column-major maps of the block (no copies).
void eigen_block(bool trans_a, bool trans_b, int64_t rows, int64_t cols, int64_t k, float alpha, const float* a,
                 int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  OutMap C(c, rows, cols, Eigen::OuterStride<>(ldc));
  auto with_b = [&](const auto& A) {
    if (trans_b) {
      block_product(A, ColMajorMap(b, k, cols, Eigen::OuterStride<>(ldb)), alpha, beta, C);
    } else {
      block_product(A, RowMajorMap(b, k, cols, Eigen::OuterStride<>(ldb)), alpha, beta, C);
    }
  };
  if (trans_a) {
    with_b(ColMajorMap(a, rows, k, Eigen::OuterStride<>(lda)));
  } else {
    with_b(RowMajorMap(a, rows, k, Eigen::OuterStride<>(lda)));
  }
}
#endif

}  // namespace
}  // namespace ember::kernels

#if EMBER_GEMM_OPENBLAS
#define EMBER_ISA_BODY "ember/kernels/thin_gemm-inl.h"
#include "ember/kernels/isa/variants.h"
#endif

namespace ember::kernels {

namespace {

// Computes rows [r0, r1) x columns [c0, c1) of C with the configured backend.
void gemm_block(bool trans_a, bool trans_b, int64_t r0, int64_t r1, int64_t c0, int64_t c1, int64_t k, float alpha,
                const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  const int64_t rows = r1 - r0, cols = c1 - c0;
  // op(A)[r, :] lives at a + r*lda (row-major) or a + r (transposed: column r of a [K,M] matrix).
  const float* a_block = trans_a ? a + r0 : a + r0 * lda;
  const float* b_block = trans_b ? b + c0 * ldb : b + c0;
  float* c_block = c + r0 * ldc + c0;
#if EMBER_GEMM_OPENBLAS
  // OpenBLAS wins on every shape but the very thin ones, where its packing overhead dominates
  // and thin_gemm (thin_gemm-inl.h) is faster. It runs on one thread per call: our TBB blocks are the only
  // parallelism (its own pool would fight TBB's for the same cores).
  static const bool single_threaded = (openblas_set_num_threads(1), true);
  (void)single_threaded;
  if (rows >= kOpenBlasMinRows) {
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                static_cast<int>(rows), static_cast<int>(cols), static_cast<int>(k), alpha, a_block,
                static_cast<int>(lda), b_block, static_cast<int>(ldb), beta, c_block, static_cast<int>(ldc));
    return;
  }
  EMBER_ISA_CALL(thin_gemm)(trans_a, trans_b, rows, cols, k, alpha, a_block, lda, b_block, ldb, beta, c_block, ldc);
#else
  eigen_block(trans_a, trans_b, rows, cols, k, alpha, a_block, lda, b_block, ldb, beta, c_block, ldc);
#endif
}

}  // namespace

const char* gemm_backend() { return EMBER_GEMM_OPENBLAS ? "openblas" : "eigen"; }

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {  // the product is empty: C = beta * C
    for (int64_t r = 0; r < m; ++r) {
      for (int64_t j = 0; j < n; ++j) c[r * ldc + j] = beta == 0.0f ? 0.0f : beta * c[r * ldc + j];
    }
    return;
  }
  if (m * n * k <= kSerialMacs) {
    gemm_block(trans_a, trans_b, 0, m, 0, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  // Split the longer side of C into equal blocks.
  const bool split_rows = m >= n;
  const int64_t extent = split_rows ? m : n;
  const int64_t blocks = std::clamp<int64_t>(extent / kMinBlock, 1, kMaxBlocks);
  const int64_t block = (extent + blocks - 1) / blocks;
  parallel_for(0, blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t blk = b0; blk < b1; ++blk) {
      const int64_t lo = blk * block, hi = std::min(extent, lo + block);
      if (lo >= hi) continue;
      if (split_rows) {
        gemm_block(trans_a, trans_b, lo, hi, 0, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
      } else {
        gemm_block(trans_a, trans_b, 0, m, lo, hi, k, alpha, a, lda, b, ldb, beta, c, ldc);
      }
    }
  });
}

void gemm_serial(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                 int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (int64_t r = 0; r < m; ++r) {
      for (int64_t j = 0; j < n; ++j) c[r * ldc + j] = beta == 0.0f ? 0.0f : beta * c[r * ldc + j];
    }
    return;
  }
  gemm_block(trans_a, trans_b, 0, m, 0, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void gemm_reference(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                    int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0;
      for (int64_t p = 0; p < k; ++p) {
        const float av = trans_a ? a[p * lda + i] : a[i * lda + p];
        const float bv = trans_b ? b[j * ldb + p] : b[p * ldb + j];
        acc += static_cast<double>(av) * static_cast<double>(bv);
      }
      const double prior = beta == 0.0f ? 0.0 : static_cast<double>(beta) * c[i * ldc + j];
      c[i * ldc + j] = static_cast<float>(alpha * acc + prior);
    }
  }
}

GemmOperand as_gemm_operand(const Tensor& matrix) {
  const int64_t rows = matrix.shape()[0], cols = matrix.shape()[1];
  const int64_t rs = matrix.strides()[0], cs = matrix.strides()[1];
  // A unit inner stride (or a size-1 dim, whose stride never matters) maps without a copy, as long
  // as rows do not overlap (an expanded, stride-0 operand is copied).
  if ((cs == 1 || cols == 1) && (rows == 1 || rs >= std::max<int64_t>(cols, 1))) {
    return {matrix, matrix.data<float>(), false, rows == 1 ? std::max<int64_t>(cols, 1) : rs};
  }
  if ((rs == 1 || rows == 1) && (cols == 1 || cs >= std::max<int64_t>(rows, 1))) {
    return {matrix, matrix.data<float>(), true, cols == 1 ? std::max<int64_t>(rows, 1) : cs};
  }
  Tensor copy = contiguous_copy(matrix);
  return {copy, copy.data<float>(), false, cols};
}

}  // namespace ember::kernels
