#include "ember/kernels/winograd.h"

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#include "ember/core/parallel.h"
#include "ember/kernels/conv_parallel.h"
#include "ember/kernels/scratch.h"

namespace ember::kernels {

namespace {

using conv_parallel::gemm_on;

// The forward's transformed buffers of a chunk of images, at most (or one image): measured on
// conv_3x3 (64 channels, 32x32), one image a chunk (1.2 MB) ran 15-20% faster than four.
constexpr int64_t kForwardChunkBytes = int64_t{1} << 20;
// Floats of padding between the 36 transformed matrices: exactly a power of two apart, the 36
// streams of the transforms would map to the same cache sets and evict each other.
constexpr int64_t kSkew = 32;
// The weight gradient's per-chunk partial sums (36 * K * C floats each) stay within this many bytes.
constexpr int64_t kWeightPartialBytes = int64_t{64} << 20;

// F(4x4, 3x3) with the points 0, 1, -1, 2, -2 and infinity: y = A^T [(G g G^T) * (B^T d B)] A.
constexpr float kWinogradBT[6][6] = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
                                     {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
constexpr float kWinogradAT[4][6] = {
    {1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}};
constexpr float kWinogradA[6][4] = {{1, 0, 0, 0},  {1, 1, 1, 1},  {1, -1, 1, -1},
                                    {1, 2, 4, 8},  {1, -2, 4, -8}, {0, 0, 0, 1}};
constexpr float kWinogradG[6][3] = {{1.0f / 4, 0, 0},
                                    {-1.0f / 6, -1.0f / 6, -1.0f / 6},
                                    {-1.0f / 6, 1.0f / 6, -1.0f / 6},
                                    {1.0f / 24, 1.0f / 12, 1.0f / 6},
                                    {1.0f / 24, -1.0f / 12, 1.0f / 6},
                                    {0, 0, 1}};
constexpr float kWinogradGT[3][6] = {{1.0f / 4, -1.0f / 6, -1.0f / 6, 1.0f / 24, 1.0f / 24, 0},
                                     {0, -1.0f / 6, 1.0f / 6, 1.0f / 12, -1.0f / 12, 0},
                                     {0, -1.0f / 6, -1.0f / 6, 1.0f / 6, 1.0f / 6, 1}};

// F(4, 5) for rows, points 0, 1, -1, 2, -2, 1/2, -1/2 and infinity: y = A^T [(G g) * (B^T d)].
constexpr float kRowBT[8][8] = {{-1, 0, 21.0f / 4, 0, -21.0f / 4, 0, 1, 0},
                                {0, 1, 1, -17.0f / 4, -17.0f / 4, 1, 1, 0},
                                {0, -1, 1, 17.0f / 4, -17.0f / 4, -1, 1, 0},
                                {0, 0.5f, 0.25f, -2.5f, -1.25f, 2, 1, 0},
                                {0, -0.5f, 0.25f, 2.5f, -1.25f, -2, 1, 0},
                                {0, 2, 4, -2.5f, -5, 0.5f, 1, 0},
                                {0, -2, 4, 2.5f, -5, -0.5f, 1, 0},
                                {0, -1, 0, 21.0f / 4, 0, -21.0f / 4, 0, 1}};
constexpr float kRowG[8][5] = {{-1, 0, 0, 0, 0},
                               {-2.0f / 9, -2.0f / 9, -2.0f / 9, -2.0f / 9, -2.0f / 9},
                               {-2.0f / 9, 2.0f / 9, -2.0f / 9, 2.0f / 9, -2.0f / 9},
                               {1.0f / 90, 1.0f / 45, 2.0f / 45, 4.0f / 45, 8.0f / 45},
                               {1.0f / 90, -1.0f / 45, 2.0f / 45, -4.0f / 45, 8.0f / 45},
                               {32.0f / 45, 16.0f / 45, 8.0f / 45, 4.0f / 45, 2.0f / 45},
                               {32.0f / 45, -16.0f / 45, 8.0f / 45, -4.0f / 45, 2.0f / 45},
                               {0, 0, 0, 0, 1}};
constexpr float kRowGT[5][8] = {
    {-1, -2.0f / 9, -2.0f / 9, 1.0f / 90, 1.0f / 90, 32.0f / 45, 32.0f / 45, 0},
    {0, -2.0f / 9, 2.0f / 9, 1.0f / 45, -1.0f / 45, 16.0f / 45, -16.0f / 45, 0},
    {0, -2.0f / 9, -2.0f / 9, 2.0f / 45, 2.0f / 45, 8.0f / 45, 8.0f / 45, 0},
    {0, -2.0f / 9, 2.0f / 9, 4.0f / 45, -4.0f / 45, 4.0f / 45, -4.0f / 45, 0},
    {0, -2.0f / 9, -2.0f / 9, 8.0f / 45, 8.0f / 45, 2.0f / 45, 2.0f / 45, 1}};
constexpr float kRowAT[4][8] = {{1, 1, 1, 1, 1, 1, 1, 0},
                                {0, 1, -1, 2, -2, 0.5f, -0.5f, 0},
                                {0, 1, 1, 4, 4, 0.25f, 0.25f, 0},
                                {0, 1, -1, 8, -8, 0.125f, -0.125f, 1}};
constexpr float kRowA[8][4] = {{1, 0, 0, 0},           {1, 1, 1, 1},
                               {1, -1, 1, -1},         {1, 2, 4, 8},
                               {1, -2, 4, -8},         {1, 0.5f, 0.25f, 0.125f},
                               {1, -0.5f, 0.25f, -0.125f}, {0, 0, 0, 1}};

// A row shape cut into 4-output tiles, processed in chunks of whole images.
struct RowTiling {
  WinogradRowShape s;
  int64_t tiles = (s.out_w + 3) / 4;

  int64_t images_per_chunk() const {
    const int64_t bytes_per_image = 8 * (s.in_channels + s.out_channels) * tiles * int64_t{sizeof(float)};
    return std::max<int64_t>(1, kForwardChunkBytes / bytes_per_image);
  }
};

// A shape cut into 4x4 output tiles. A dilated kernel's d*d sub-grids of pixels with the same
// (row % d, column % d) are independent undilated 3x3 convolutions (padding pad / d): they run as
// a batch of batch * d * d sub-grid images, read and written in place with a pixel step of d.
struct WinogradTiling {
  Winograd3x3Shape s;
  int64_t d = s.dilation;
  int64_t tiles_h = (s.out_h / d + 3) / 4, tiles_w = (s.out_w / d + 3) / 4;

  int64_t images() const { return s.batch * d * d; }
  int64_t tiles_image() const { return tiles_h * tiles_w; }
  // The forward's chunks: whole images whose V and M (36 * (C + K) floats a tile) stay in L2
  // between the transforms and the products. (The weight gradient goes one image at a time.)
  // Sub-grid images (n, p, q) are numbered with q fastest, so an even count keeps the two
  // column sub-grids of dilation 2 together.
  int64_t images_per_chunk() const {
    const int64_t bytes_per_image = 36 * (s.in_channels + s.out_channels) * tiles_image() * int64_t{sizeof(float)};
    const int64_t images = std::max<int64_t>(1, kForwardChunkBytes / bytes_per_image);
    return d == 2 ? (images + 1) / 2 * 2 : images;  // dilation 2: whole pairs of column sub-grids
  }
  // Where sub-grid image `image`'s plane of `channel` starts in a [batch, channels, h, w] buffer.
  int64_t plane_start(int64_t image, int64_t channel, int64_t channels, int64_t h, int64_t w) const {
    const int64_t n = image / (d * d), p = image / d % d, q = image % d;
    return ((n * channels + channel) * h + p) * w + q;
  }
};

// out = mat @ in for a constant matrix, unrolled: zero coefficients cost nothing, +-1 no multiply.
// Always inlined, so the per-ISA transform loops (winograd-inl.h) vectorize through it.
// T is float or a vector of floats.
template <int R, int C, typename T>
[[gnu::always_inline]] inline void mat_vec(const float (&mat)[R][C], const T (&in)[C], T (&out)[R]) {
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) {
    T acc{};
    bool started = false;
#pragma GCC unroll 8
    for (int j = 0; j < C; ++j) {
      const float c = mat[i][j];
      if (c == 0.0f) continue;
      const T term = c == 1.0f ? in[j] : c == -1.0f ? -in[j] : c * in[j];
      acc = started ? acc + term : term;
      started = true;
    }
    out[i] = acc;
  }
}

// out = mat @ tile @ mat^T for a tile [C][C] and a constant mat [R][C].
template <int R, int C, typename T>
[[gnu::always_inline]] inline void sandwich(const float (&mat)[R][C], const T (&tile)[C][C], T (&out)[R][R]) {
  T t[R][C];  // mat @ tile, column by column
#pragma GCC unroll 8
  for (int j = 0; j < C; ++j) {
    T column[C], mixed[R];
#pragma GCC unroll 8
    for (int r = 0; r < C; ++r) column[r] = tile[r][j];
    mat_vec(mat, column, mixed);
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) t[i][j] = mixed[i];
  }
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) mat_vec(mat, t[i], out[i]);  // (mat @ tile) @ mat^T, row by row
}

}  // namespace
}  // namespace ember::kernels

#define EMBER_ISA_BODY "ember/kernels/winograd-inl.h"
#include "ember/kernels/isa/variants.h"

namespace ember::kernels {

namespace {

// The kernels' taps as taps[t][c][k] = w[k][c][t] for y = conv(x, w), or, for the input
// gradient's convolution of dy (kernel flipped, channels swapped), taps[t][k][c] =
// w[k][c][taps - 1 - t].
std::vector<float> kernel_taps(const float* w, int64_t out_channels, int64_t in_channels, int64_t taps,
                               bool for_input_gradient) {
  const int64_t pairs = out_channels * in_channels;
  std::vector<float> result(static_cast<size_t>(taps * pairs));
  for (int64_t k = 0; k < out_channels; ++k) {
    for (int64_t c = 0; c < in_channels; ++c) {
      const int64_t pair = for_input_gradient ? k * in_channels + c : c * out_channels + k;
      for (int64_t t = 0; t < taps; ++t) {
        result[(for_input_gradient ? taps - 1 - t : t) * pairs + pair] = w[(k * in_channels + c) * taps + t];
      }
    }
  }
  return result;
}

// y = conv(x, g) for kernel taps laid out as kernel_taps makes them ([tap][in][out]).
void forward_with_taps(const Winograd3x3Shape& s, const float* x, const float* taps, float* y) {
  std::vector<float> u(static_cast<size_t>(36 * s.in_channels * s.out_channels));
  EMBER_ISA_CALL(transform_kernels)(taps, s.in_channels, s.out_channels, u.data());
  EMBER_ISA_CALL(winograd_forward_impl)(WinogradTiling{s}, x, u.data(), y);
}

bool subgrids_fit(int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w, int64_t pad_top, int64_t pad_left,
                  int64_t d) {
  return in_h % d == 0 && in_w % d == 0 && out_h % d == 0 && out_w % d == 0 && pad_top % d == 0 &&
         pad_left % d == 0 && pad_top >= 0 && pad_left >= 0;
}

// dw[k][c][a] = G^T dU[a][xi][c][k] G: the 3x3 weight gradients (of each kernel depth a) from
// the transformed ones.
void weights_from_products(const float* du, int64_t out_channels, int64_t in_channels, int64_t kernel_d, float* dw) {
  const int64_t pairs = out_channels * in_channels;
  parallel_for(0, pairs, 64, [&](int64_t b, int64_t e) {
    float tile[6][6], g[3][3];
    for (int64_t kc = b; kc < e; ++kc) {
      const int64_t k = kc / in_channels, c = kc % in_channels;
      for (int64_t a = 0; a < kernel_d; ++a) {
        for (int xi = 0; xi < 36; ++xi) tile[xi / 6][xi % 6] = du[((a * 36 + xi) * in_channels + c) * out_channels + k];
        sandwich(kWinogradGT, tile, g);
        std::memcpy(dw + (kc * kernel_d + a) * 9, g, sizeof(g));
      }
    }
  });
}

// The weight gradient's fixed runs of images: as many as run in parallel usefully, their partial
// sums (one transformed weight gradient each) within kWeightPartialBytes.
int64_t weight_slots(int64_t images, int64_t du_size) {
  return std::clamp<int64_t>(
      std::min({images, conv_parallel::kMaxWeightChunks, kWeightPartialBytes / (du_size * int64_t{sizeof(float)})}),
      1, images);
}

// The gradient w.r.t. the input is this convolution of dy (kernel flipped, channels swapped).
Winograd3x3Shape input_gradient_shape(const Winograd3x3Shape& s) {
  const int64_t d = s.dilation;
  return {s.batch,      s.out_channels, s.in_channels, s.out_h, s.out_w, s.in_h, s.in_w, 2 * d - s.pad_top,
          2 * d - s.pad_left, d};
}

}  // namespace

bool winograd_fits(const Winograd3x3Shape& s) {
  const int64_t d = s.dilation;
  if (d == 1) return true;
  const Winograd3x3Shape g = input_gradient_shape(s);
  return subgrids_fit(s.in_h, s.in_w, s.out_h, s.out_w, s.pad_top, s.pad_left, d) &&
         subgrids_fit(g.in_h, g.in_w, g.out_h, g.out_w, g.pad_top, g.pad_left, d);
}

void winograd_forward(const Winograd3x3Shape& s, const float* x, const float* w, float* y) {
  forward_with_taps(s, x, kernel_taps(w, s.out_channels, s.in_channels, 9, false).data(), y);
}

void winograd_backward_input(const Winograd3x3Shape& s, const float* dy, const float* w, float* dx) {
  forward_with_taps(input_gradient_shape(s), dy, kernel_taps(w, s.out_channels, s.in_channels, 9, true).data(), dx);
}

void winograd_backward_weight(const Winograd3x3Shape& s, const float* x, const float* dy, float* dw) {
  const WinogradTiling t{s};
  const int64_t pairs = s.out_channels * s.in_channels, du_size = 36 * pairs;
  const int64_t slots = weight_slots(t.images(), du_size);
  std::vector<float> du(static_cast<size_t>(slots * du_size));
  EMBER_ISA_CALL(winograd_weight_products_impl)(t, x, dy, slots, du.data());
  weights_from_products(du.data(), s.out_channels, s.in_channels, 1, dw);
}

// ---- F(4, 5) for rows ----

namespace {

WinogradRowShape row_input_gradient_shape(const WinogradRowShape& s) {
  return {s.batch, s.out_channels, s.in_channels, s.out_w, s.in_w, 4 - s.pad_left};
}

void row_forward_with_taps(const WinogradRowShape& s, const float* x, const float* taps, float* y) {
  std::vector<float> u(static_cast<size_t>(8 * s.in_channels * s.out_channels));
  EMBER_ISA_CALL(transform_row_kernels)(taps, s.in_channels, s.out_channels, u.data());
  EMBER_ISA_CALL(winograd_row_forward_impl)(RowTiling{s}, x, u.data(), y);
}

}  // namespace

void winograd_row_forward(const WinogradRowShape& s, const float* x, const float* w, float* y) {
  row_forward_with_taps(s, x, kernel_taps(w, s.out_channels, s.in_channels, 5, false).data(), y);
}

void winograd_row_backward_input(const WinogradRowShape& s, const float* dy, const float* w, float* dx) {
  row_forward_with_taps(row_input_gradient_shape(s), dy, kernel_taps(w, s.out_channels, s.in_channels, 5, true).data(),
                        dx);
}

void winograd_row_backward_weight(const WinogradRowShape& s, const float* x, const float* dy, float* dw) {
  const int64_t pairs = s.out_channels * s.in_channels, du_size = 8 * pairs;
  const int64_t slots = weight_slots(s.batch, du_size);
  std::vector<float> du(static_cast<size_t>(slots * du_size));
  EMBER_ISA_CALL(winograd_row_weight_products_impl)(RowTiling{s}, x, dy, slots, du.data());
  // dw[k][c] = G^T dU[k][c]
  parallel_for(0, pairs, 256, [&](int64_t b, int64_t e) {
    float column[8], g[5];
    for (int64_t kc = b; kc < e; ++kc) {
      const int64_t k = kc / s.in_channels, c = kc % s.in_channels;
      for (int xi = 0; xi < 8; ++xi) column[xi] = du[(xi * s.in_channels + c) * s.out_channels + k];
      mat_vec(kRowGT, column, g);
      std::memcpy(dw + kc * 5, g, sizeof(g));
    }
  });
}

// ---- 3-D ----

namespace {

// The input gradient's convolution of dy: kernel flipped in all three dimensions, channels
// swapped, padding kernel_d - 1 - pad_front and 2 - pad in the plane.
Winograd3dShape input_gradient_shape(const Winograd3dShape& s) {
  return {s.batch,  s.out_channels, s.in_channels, s.out_d,           s.out_h,          s.out_w,        s.in_d,
          s.in_h,   s.in_w,         s.kernel_d,    s.kernel_d - 1 - s.pad_front, 2 - s.pad_top, 2 - s.pad_left};
}

// taps [kernel_d * 9][in][out] (kernel_taps) -> u[a][xi][in][out].
void forward3d_with_taps(const Winograd3dShape& s, const float* x, const float* taps, float* y) {
  const int64_t pairs = s.in_channels * s.out_channels;
  std::vector<float> u(static_cast<size_t>(s.kernel_d * 36 * pairs));
  for (int64_t a = 0; a < s.kernel_d; ++a) {
    EMBER_ISA_CALL(transform_kernels)(taps + a * 9 * pairs, s.in_channels, s.out_channels, u.data() + a * 36 * pairs);
  }
  EMBER_ISA_CALL(winograd3d_forward_impl)(s, x, u.data(), y);
}

}  // namespace

void winograd3d_forward(const Winograd3dShape& s, const float* x, const float* w, float* y) {
  forward3d_with_taps(s, x, kernel_taps(w, s.out_channels, s.in_channels, 9 * s.kernel_d, false).data(), y);
}

void winograd3d_backward_input(const Winograd3dShape& s, const float* dy, const float* w, float* dx) {
  // Reversing all kernel_d * 9 taps flips depth, rows and columns at once.
  forward3d_with_taps(input_gradient_shape(s), dy,
                      kernel_taps(w, s.out_channels, s.in_channels, 9 * s.kernel_d, true).data(), dx);
}

void winograd3d_backward_weight(const Winograd3dShape& s, const float* x, const float* dy, float* dw) {
  const int64_t pairs = s.out_channels * s.in_channels, du_size = s.kernel_d * 36 * pairs;
  const int64_t slots = weight_slots(s.batch, du_size);
  std::vector<float> du(static_cast<size_t>(slots * du_size));
  EMBER_ISA_CALL(winograd3d_weight_products_impl)(s, x, dy, slots, du.data());
  weights_from_products(du.data(), s.out_channels, s.in_channels, s.kernel_d, dw);
}

}  // namespace ember::kernels
