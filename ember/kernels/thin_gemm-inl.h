// GEMM blocks of few rows (LeNet's 6 filters, a batch of 4 in a linear layer), compiled once per
// instruction set (isa/variants.h; included by gemm.cpp). OpenBLAS's packing costs more than it
// saves on them. Register-blocked: up to kRows rows of C at a time, each row's sums in vectors of
// 16 floats (one AVX-512 register, two AVX2 ones), so the multiply-adds form independent chains.
// Each C entry is summed in a fixed order: results do not depend on the thread count.

typedef float f32x16 __attribute__((vector_size(64)));
constexpr int64_t kWidth = 16;  // floats in an f32x16
constexpr int kRows = 4;        // rows of C per micro-kernel call

inline f32x16 load16(const float* p) {
  f32x16 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

inline float horizontal_sum(f32x16 v) {
  float sum = 0.0f;
  for (int l = 0; l < kWidth; ++l) sum += v[l];
  return sum;
}

struct ThinArgs {
  bool trans_a;
  int64_t n, k;
  float alpha;
  const float* a;
  int64_t lda;
  const float* b;
  int64_t ldb;
  float beta;
  float* c;
  int64_t ldc;
  float a_at(int64_t i, int64_t p) const { return trans_a ? a[p * lda + i] : a[i * lda + p]; }
  void store(int64_t i, int64_t j, float sum) const {
    float& entry = c[i * ldc + j];
    entry = alpha * sum + (beta == 0.0f ? 0.0f : beta * entry);
  }
};

// C rows [i, i + R) = op(A) B for a row-major B [k, n]: 32 columns at a time, sum over p of
// A(r, p) times B's row p; the last < 32 columns one at a time.
template <int R>
void rows_times_b(const ThinArgs& t, int64_t i) {
  int64_t j = 0;
  for (; j + 2 * kWidth <= t.n; j += 2 * kWidth) {
    f32x16 acc[R][2] = {};
    for (int64_t p = 0; p < t.k; ++p) {
      const float* bp = t.b + p * t.ldb + j;
      const f32x16 b0 = load16(bp), b1 = load16(bp + kWidth);
      for (int r = 0; r < R; ++r) {
        const float av = t.a_at(i + r, p);
        acc[r][0] += av * b0;
        acc[r][1] += av * b1;
      }
    }
    for (int r = 0; r < R; ++r) {
      for (int l = 0; l < kWidth; ++l) {
        t.store(i + r, j + l, acc[r][0][l]);
        t.store(i + r, j + kWidth + l, acc[r][1][l]);
      }
    }
  }
  for (; j < t.n; ++j) {
    for (int r = 0; r < R; ++r) {
      float sum = 0.0f;
      for (int64_t p = 0; p < t.k; ++p) sum += t.a_at(i + r, p) * t.b[p * t.ldb + j];
      t.store(i + r, j, sum);
    }
  }
}

// C rows [i, i + R) = op(A) B^T for a row-major B [n, k]: entry (r, j) is the dot product of
// op(A)'s row r with B's row j, summed in 16 lanes (then the tail, then the lanes in order).
template <int R>
void rows_times_bt(const ThinArgs& t, int64_t i) {
  const int64_t body = t.trans_a ? 0 : t.k / kWidth * kWidth;
  for (int64_t j = 0; j < t.n; ++j) {
    const float* bj = t.b + j * t.ldb;
    f32x16 acc[R] = {};
    for (int64_t p = 0; p < body; p += kWidth) {
      const f32x16 bv = load16(bj + p);
      for (int r = 0; r < R; ++r) acc[r] += load16(t.a + (i + r) * t.lda + p) * bv;
    }
    for (int r = 0; r < R; ++r) {
      float tail = 0.0f;
      for (int64_t p = body; p < t.k; ++p) tail += t.a_at(i + r, p) * bj[p];
      t.store(i + r, j, horizontal_sum(acc[r]) + tail);
    }
  }
}

template <int R>
void thin_rows(bool trans_b, const ThinArgs& t, int64_t i) {
  if (trans_b) {
    rows_times_bt<R>(t, i);
  } else {
    rows_times_b<R>(t, i);
  }
}

// C = alpha * op(A) op(B) + beta * C (C not read when beta == 0).
void thin_gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
               const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  const ThinArgs t{trans_a, n, k, alpha, a, lda, b, ldb, beta, c, ldc};
  int64_t i = 0;
  for (; i + kRows <= m; i += kRows) thin_rows<kRows>(trans_b, t, i);
  switch (m - i) {
    case 3:
      thin_rows<3>(trans_b, t, i);
      break;
    case 2:
      thin_rows<2>(trans_b, t, i);
      break;
    case 1:
      thin_rows<1>(trans_b, t, i);
      break;
    default:
      break;
  }
}
