// The Winograd F(2x2, 3x3) convolution's tile transforms and driver (winograd.cpp), compiled once
// per instruction set (isa/variants.h). The transforms run a tile row at a time, one tile per
// lane of plain loops the compiler vectorizes for the variant.

// even[r][j] = padded[r][2j], odd[r][j] = padded[r][2j + 1] for the plane zero-padded by
// (pad_top, pad_left) to padded_h rows of 2 * half_w columns.
void split_padded_plane(const float* plane, int64_t in_h, int64_t in_w, int64_t pad_top, int64_t pad_left,
                        int64_t padded_h, int64_t half_w, float* __restrict even, float* __restrict odd,
                        float* __restrict row) {
  const int64_t padded_w = 2 * half_w;
  const int64_t col_lo = std::max<int64_t>(0, -pad_left), col_hi = std::min(in_w, padded_w - pad_left);
  for (int64_t pr = 0; pr < padded_h; ++pr) {
    float* __restrict e = even + pr * half_w;
    float* __restrict o = odd + pr * half_w;
    const int64_t r = pr - pad_top;
    if (r < 0 || r >= in_h || col_lo >= col_hi) {
      std::fill(e, e + half_w, 0.0f);
      std::fill(o, o + half_w, 0.0f);
      continue;
    }
    // The padded row, then its even and odd columns (a stride-2 loop the compiler deinterleaves).
    std::fill(row, row + padded_w, 0.0f);
    std::memcpy(row + col_lo + pad_left, plane + r * in_w + col_lo, static_cast<size_t>(col_hi - col_lo) * sizeof(float));
    for (int64_t j = 0; j < half_w; ++j) {
      e[j] = row[2 * j];
      o[j] = row[2 * j + 1];
    }
  }
}

// V = B^T d B for the tiles of one tile row (B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]):
// tile tw's 4x4 input is rows 0..3 of even/odd at columns tw, tw + 1; V[xi] goes to
// v[xi * v_stride + tw].
void input_transform_row(const float* __restrict even, const float* __restrict odd, int64_t half_w, int64_t tiles_w,
                         float* __restrict v, int64_t v_stride) {
  const float *e0 = even, *e1 = even + half_w, *e2 = even + 2 * half_w, *e3 = even + 3 * half_w;
  const float *o0 = odd, *o1 = odd + half_w, *o2 = odd + 2 * half_w, *o3 = odd + 3 * half_w;
  for (int64_t tw = 0; tw < tiles_w; ++tw) {
    // t = B^T d, column by column (d's columns: even tw, odd tw, even tw + 1, odd tw + 1)
    const float t00 = e0[tw] - e2[tw], t10 = e1[tw] + e2[tw], t20 = e2[tw] - e1[tw], t30 = e1[tw] - e3[tw];
    const float t01 = o0[tw] - o2[tw], t11 = o1[tw] + o2[tw], t21 = o2[tw] - o1[tw], t31 = o1[tw] - o3[tw];
    const float t02 = e0[tw + 1] - e2[tw + 1], t12 = e1[tw + 1] + e2[tw + 1], t22 = e2[tw + 1] - e1[tw + 1],
                t32 = e1[tw + 1] - e3[tw + 1];
    const float t03 = o0[tw + 1] - o2[tw + 1], t13 = o1[tw + 1] + o2[tw + 1], t23 = o2[tw + 1] - o1[tw + 1],
                t33 = o1[tw + 1] - o3[tw + 1];
    // V = t B, row by row
    v[0 * v_stride + tw] = t00 - t02;
    v[1 * v_stride + tw] = t01 + t02;
    v[2 * v_stride + tw] = t02 - t01;
    v[3 * v_stride + tw] = t01 - t03;
    v[4 * v_stride + tw] = t10 - t12;
    v[5 * v_stride + tw] = t11 + t12;
    v[6 * v_stride + tw] = t12 - t11;
    v[7 * v_stride + tw] = t11 - t13;
    v[8 * v_stride + tw] = t20 - t22;
    v[9 * v_stride + tw] = t21 + t22;
    v[10 * v_stride + tw] = t22 - t21;
    v[11 * v_stride + tw] = t21 - t23;
    v[12 * v_stride + tw] = t30 - t32;
    v[13 * v_stride + tw] = t31 + t32;
    v[14 * v_stride + tw] = t32 - t31;
    v[15 * v_stride + tw] = t31 - t33;
  }
}

// Y = A^T m A for the tiles of one tile row (A^T = [1 1 1 0; 0 1 -1 -1]): tile tw's 16 products
// are m[xi * m_stride + tw]; its 2x2 outputs go to rows[0][2tw..] and rows[1][2tw..] (two rows
// of 2 * tiles_w).
void output_transform_row(const float* __restrict m, int64_t m_stride, int64_t tiles_w, float* __restrict rows) {
  float* __restrict row0 = rows;
  float* __restrict row1 = rows + 2 * tiles_w;
  for (int64_t tw = 0; tw < tiles_w; ++tw) {
    float p[16];
    for (int xi = 0; xi < 16; ++xi) p[xi] = m[xi * m_stride + tw];
    const float t00 = p[0] + p[4] + p[8], t01 = p[1] + p[5] + p[9], t02 = p[2] + p[6] + p[10], t03 = p[3] + p[7] + p[11];
    const float t10 = p[4] - p[8] - p[12], t11 = p[5] - p[9] - p[13], t12 = p[6] - p[10] - p[14],
                t13 = p[7] - p[11] - p[15];
    row0[2 * tw] = t00 + t01 + t02;
    row0[2 * tw + 1] = t01 - t02 - t03;
    row1[2 * tw] = t10 + t11 + t12;
    row1[2 * tw + 1] = t11 - t12 - t13;
  }
}

void winograd_conv3x3_impl(int64_t batch, int64_t in_channels, int64_t in_h, int64_t in_w, int64_t out_channels,
                      int64_t pad_top, int64_t pad_left, int64_t out_h, int64_t out_w, const float* x, const float* w,
                      float* y) {
  const int64_t c_in = in_channels, k_out = out_channels;
  const int64_t tiles_h = (out_h + 1) / 2, tiles_w = (out_w + 1) / 2, tiles_image = tiles_h * tiles_w;
  const int64_t images_per_chunk = std::max<int64_t>(1, kTilesPerChunk / tiles_image);
  const int64_t chunks = (batch + images_per_chunk - 1) / images_per_chunk;
  // The padded plane covers every tile: 2 * tiles + 2 rows and columns.
  const int64_t padded_h = 2 * tiles_h + 2, half_w = tiles_w + 1;

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
    float* v = thread_scratch(16 * (v_stride + m_stride) + 2 * padded_h * half_w + 4 * tiles_w);  // V[xi][c][tile]
    float* m = v + 16 * v_stride;                                                // M[xi][k][tile]
    float* even = m + 16 * m_stride;                                             // the padded plane's even
    float* odd = even + padded_h * half_w;                                       // and odd columns
    float* rows = odd + padded_h * half_w;  // two output rows, or one padded input row
    // Input transform: every 4x4 tile (stride 2) of every channel of the chunk's images, read
    // from the zero-padded plane split into its even and odd columns, so the tiles of one tile row
    // are lanes of unit-stride loops (tile tw reads even/odd columns tw and tw + 1).
    for (int64_t n = first; n < last; ++n) {
      for (int64_t c = 0; c < c_in; ++c) {
        split_padded_plane(x + (n * c_in + c) * in_h * in_w, in_h, in_w, pad_top, pad_left, padded_h, half_w,
                           even, odd, rows);
        float* vc = v + c * tiles + (n - first) * tiles_image;
        for (int64_t th = 0; th < tiles_h; ++th) {
          input_transform_row(even + 2 * th * half_w, odd + 2 * th * half_w, half_w, tiles_w, vc + th * tiles_w,
                              v_stride);
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
    // Output transform: 2x2 outputs per tile, a tile row at a time into two full-width rows,
    // then copied out clipped at the bottom/right edge.
    for (int64_t n = first; n < last; ++n) {
      for (int64_t k = 0; k < k_out; ++k) {
        float* out = y + (n * k_out + k) * out_h * out_w;
        for (int64_t th = 0; th < tiles_h; ++th) {
          output_transform_row(m + k * tiles + (n - first) * tiles_image + th * tiles_w, m_stride, tiles_w, rows);
          for (int64_t i = 0; i < 2 && 2 * th + i < out_h; ++i) {
            std::memcpy(out + (2 * th + i) * out_w, rows + i * 2 * tiles_w, static_cast<size_t>(out_w) * sizeof(float));
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

