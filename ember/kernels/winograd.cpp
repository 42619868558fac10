#include "ember/kernels/winograd.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "ember/core/parallel.h"
#include "ember/kernels/gemm.h"
#include "ember/kernels/scratch.h"

namespace ember::kernels {

namespace {

// Tiles per chunk of images: bounds the transformed buffers (16 * (C + K) * tiles floats).
constexpr int64_t kTilesPerChunk = 512;
// Floats of padding between the 16 transformed matrices (see the buffer layout below).
constexpr int64_t kSkew = 32;

// U = G g G^T for a 3x3 kernel g, as 16 values (row-major 4x4).
//   G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1]
void transform_kernel(const float* g, float* u) {
  float t[4][3];  // G g
  for (int j = 0; j < 3; ++j) {
    const float g0 = g[j], g1 = g[3 + j], g2 = g[6 + j];
    t[0][j] = g0;
    t[1][j] = 0.5f * (g0 + g1 + g2);
    t[2][j] = 0.5f * (g0 - g1 + g2);
    t[3][j] = g2;
  }
  for (int i = 0; i < 4; ++i) {  // (G g) G^T
    const float a = t[i][0], b = t[i][1], c = t[i][2];
    u[i * 4 + 0] = a;
    u[i * 4 + 1] = 0.5f * (a + b + c);
    u[i * 4 + 2] = 0.5f * (a - b + c);
    u[i * 4 + 3] = c;
  }
}

}  // namespace
}  // namespace ember::kernels

#define EMBER_ISA_BODY "ember/kernels/winograd-inl.h"
#include "ember/kernels/isa/variants.h"

namespace ember::kernels {

void winograd_conv3x3(int64_t batch, int64_t in_channels, int64_t in_h, int64_t in_w, int64_t out_channels,
                      int64_t pad_top, int64_t pad_left, int64_t out_h, int64_t out_w, const float* x, const float* w,
                      float* y) {
  EMBER_ISA_CALL(winograd_conv3x3_impl)(batch, in_channels, in_h, in_w, out_channels, pad_top, pad_left, out_h, out_w,
                                        x, w, y);
}

bool winograd_dilated_fits(int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w, int64_t pad_top,
                           int64_t pad_left, int64_t dilation) {
  const int64_t d = dilation;
  return in_h % d == 0 && in_w % d == 0 && out_h % d == 0 && out_w % d == 0 && pad_top % d == 0 &&
         pad_left % d == 0 && pad_top >= 0 && pad_left >= 0;
}

void winograd_conv3x3_dilated(int64_t batch, int64_t in_channels, int64_t in_h, int64_t in_w, int64_t out_channels,
                              int64_t pad_top, int64_t pad_left, int64_t dilation, int64_t out_h, int64_t out_w,
                              const float* x, const float* w, float* y) {
  const int64_t d = dilation, grids = d * d;
  const int64_t sub_in_h = in_h / d, sub_in_w = in_w / d, sub_out_h = out_h / d, sub_out_w = out_w / d;
  const int64_t in_image = in_channels * in_h * in_w, out_image = out_channels * out_h * out_w;
  // Slot 1: this buffer is held while winograd_conv3x3 runs tasks that use slot 0.
  float* sub_x = thread_scratch(batch * (in_image + out_image), 1);
  float* sub_y = sub_x + batch * in_image;
  // sub_x[(n * d*d + p * d + q)][c][r][s] = x[n][c][r * d + p][s * d + q]
  parallel_for(0, batch * in_channels, 1, [&](int64_t b, int64_t e) {
    for (int64_t nc = b; nc < e; ++nc) {
      const int64_t n = nc / in_channels, c = nc % in_channels;
      const float* plane = x + nc * in_h * in_w;
      for (int64_t p = 0; p < d; ++p) {
        for (int64_t q = 0; q < d; ++q) {
          float* dst = sub_x + ((n * grids + p * d + q) * in_channels + c) * sub_in_h * sub_in_w;
          for (int64_t r = 0; r < sub_in_h; ++r) {
            const float* src = plane + (r * d + p) * in_w + q;
            for (int64_t col = 0; col < sub_in_w; ++col) dst[r * sub_in_w + col] = src[col * d];
          }
        }
      }
    }
  });
  winograd_conv3x3(batch * grids, in_channels, sub_in_h, sub_in_w, out_channels, pad_top / d, pad_left / d, sub_out_h,
                   sub_out_w, sub_x, w, sub_y);
  // y[n][k][a * d + p][b * d + q] = sub_y[(n * d*d + p * d + q)][k][a][b]
  parallel_for(0, batch * out_channels, 1, [&](int64_t b, int64_t e) {
    for (int64_t nk = b; nk < e; ++nk) {
      const int64_t n = nk / out_channels, k = nk % out_channels;
      float* plane = y + nk * out_h * out_w;
      for (int64_t p = 0; p < d; ++p) {
        for (int64_t q = 0; q < d; ++q) {
          const float* src = sub_y + ((n * grids + p * d + q) * out_channels + k) * sub_out_h * sub_out_w;
          for (int64_t a = 0; a < sub_out_h; ++a) {
            float* dst = plane + (a * d + p) * out_w + q;
            for (int64_t col = 0; col < sub_out_w; ++col) dst[col * d] = src[a * sub_out_w + col];
          }
        }
      }
    }
  });
}

}  // namespace ember::kernels
