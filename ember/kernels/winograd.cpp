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

// V = B^T d B for a 4x4 input tile d.  B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
inline void transform_tile(const float d[4][4], float v[16]) {
  float t[4][4];  // B^T d
  for (int j = 0; j < 4; ++j) {
    t[0][j] = d[0][j] - d[2][j];
    t[1][j] = d[1][j] + d[2][j];
    t[2][j] = d[2][j] - d[1][j];
    t[3][j] = d[1][j] - d[3][j];
  }
  for (int i = 0; i < 4; ++i) {  // (B^T d) B
    v[i * 4 + 0] = t[i][0] - t[i][2];
    v[i * 4 + 1] = t[i][1] + t[i][2];
    v[i * 4 + 2] = t[i][2] - t[i][1];
    v[i * 4 + 3] = t[i][1] - t[i][3];
  }
}

// Y = A^T m A for the 16 products m of one tile.  A^T = [1 1 1 0; 0 1 -1 -1]
inline void transform_output(const float m[16], float y[2][2]) {
  float t[2][4];  // A^T m
  for (int j = 0; j < 4; ++j) {
    t[0][j] = m[j] + m[4 + j] + m[8 + j];
    t[1][j] = m[4 + j] - m[8 + j] - m[12 + j];
  }
  for (int i = 0; i < 2; ++i) {
    y[i][0] = t[i][0] + t[i][1] + t[i][2];
    y[i][1] = t[i][1] - t[i][2] - t[i][3];
  }
}

}  // namespace

void winograd_conv3x3(int64_t batch, int64_t in_channels, int64_t in_h, int64_t in_w, int64_t out_channels,
                      int64_t pad_top, int64_t pad_left, int64_t out_h, int64_t out_w, const float* x, const float* w,
                      float* y) {
  const int64_t c_in = in_channels, k_out = out_channels;
  const int64_t tiles_h = (out_h + 1) / 2, tiles_w = (out_w + 1) / 2, tiles_image = tiles_h * tiles_w;
  const int64_t images_per_chunk = std::max<int64_t>(1, kTilesPerChunk / tiles_image);
  const int64_t chunks = (batch + images_per_chunk - 1) / images_per_chunk;
  // The padded plane covers every tile: 2 * tiles + 2 rows and columns.
  const int64_t padded_h = 2 * tiles_h + 2, padded_w = 2 * tiles_w + 2;

  // U[xi][k][c]: the transformed kernels, 16 matrices [K x C].
  std::vector<float> u(static_cast<size_t>(16 * k_out * c_in));
  parallel_for(0, k_out * c_in, 256, [&](int64_t b, int64_t e) {
    float t[16];
    for (int64_t kc = b; kc < e; ++kc) {
      transform_kernel(w + kc * 9, t);
      for (int xi = 0; xi < 16; ++xi) u[xi * k_out * c_in + kc] = t[xi];
    }
  });

  auto run_chunk = [&](int64_t chunk, bool parallel_gemm) {
    const int64_t first = chunk * images_per_chunk, last = std::min(batch, first + images_per_chunk);
    const int64_t tiles = (last - first) * tiles_image;
    // The 16 matrices of V and of M sit a little more than a power of two apart: exactly 2^k apart,
    // the 16 streams of the transforms would map to the same cache sets and evict each other.
    const int64_t v_stride = c_in * tiles + kSkew, m_stride = k_out * tiles + kSkew;
    float* v = thread_scratch(16 * (v_stride + m_stride) + padded_h * padded_w);  // V[xi][c][tile]
    float* m = v + 16 * v_stride;                                                 // M[xi][k][tile]
    float* padded = m + 16 * m_stride;                                            // one padded plane
    // Input transform: every 4x4 tile (stride 2) of every channel of the chunk's images, read
    // from a zero-padded copy of the plane so no tile needs bounds checks.
    for (int64_t n = first; n < last; ++n) {
      for (int64_t c = 0; c < c_in; ++c) {
        const float* plane = x + (n * c_in + c) * in_h * in_w;
        std::fill(padded, padded + padded_h * padded_w, 0.0f);
        for (int64_t r = 0; r < in_h; ++r) {
          const int64_t pr = r + pad_top;
          if (pr < 0 || pr >= padded_h) continue;
          for (int64_t col = 0; col < in_w; ++col) {
            const int64_t pc = col + pad_left;
            if (pc >= 0 && pc < padded_w) padded[pr * padded_w + pc] = plane[r * in_w + col];
          }
        }
        float* vc = v + c * tiles + (n - first) * tiles_image;
        for (int64_t th = 0; th < tiles_h; ++th) {
          for (int64_t tw = 0; tw < tiles_w; ++tw) {
            const float* src = padded + 2 * th * padded_w + 2 * tw;
            float d[4][4];
            for (int i = 0; i < 4; ++i) {
              for (int j = 0; j < 4; ++j) d[i][j] = src[i * padded_w + j];
            }
            float t[16];
            transform_tile(d, t);
            const int64_t tile = th * tiles_w + tw;
            for (int xi = 0; xi < 16; ++xi) vc[xi * v_stride + tile] = t[xi];
          }
        }
      }
    }
    // 16 GEMMs: M[xi] [K x tiles] = U[xi] [K x C] @ V[xi] [C x tiles].
    for (int xi = 0; xi < 16; ++xi) {
      const float* a = u.data() + xi * k_out * c_in;
      const float* b = v + xi * v_stride;
      float* c = m + xi * m_stride;
      if (parallel_gemm) {
        gemm(false, false, k_out, tiles, c_in, 1.0f, a, c_in, b, tiles, 0.0f, c, tiles);
      } else {
        gemm_serial(false, false, k_out, tiles, c_in, 1.0f, a, c_in, b, tiles, 0.0f, c, tiles);
      }
    }
    // Output transform: 2x2 outputs per tile, clipped at the bottom/right edge.
    for (int64_t n = first; n < last; ++n) {
      for (int64_t k = 0; k < k_out; ++k) {
        float* out = y + (n * k_out + k) * out_h * out_w;
        for (int64_t th = 0; th < tiles_h; ++th) {
          for (int64_t tw = 0; tw < tiles_w; ++tw) {
            const int64_t tile = (n - first) * tiles_image + th * tiles_w + tw;
            float prod[16], o[2][2];
            for (int xi = 0; xi < 16; ++xi) prod[xi] = m[xi * m_stride + k * tiles + tile];
            transform_output(prod, o);
            float* dst = out + 2 * th * out_w + 2 * tw;
            if (2 * th + 2 <= out_h && 2 * tw + 2 <= out_w) {
              dst[0] = o[0][0];
              dst[1] = o[0][1];
              dst[out_w] = o[1][0];
              dst[out_w + 1] = o[1][1];
            } else {  // a tile hanging over the bottom or right edge
              for (int i = 0; i < 2 && 2 * th + i < out_h; ++i) {
                for (int j = 0; j < 2 && 2 * tw + j < out_w; ++j) dst[i * out_w + j] = o[i][j];
              }
            }
          }
        }
      }
    }
  };
  if (chunks == 1) {
    run_chunk(0, true);
  } else {
    parallel_for(0, chunks, 1, [&](int64_t b, int64_t e) {
      for (int64_t chunk = b; chunk < e; ++chunk) run_chunk(chunk, false);
    });
  }
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
