// Winograd's kernels (winograd.cpp), compiled once per instruction set (isa/variants.h): the
// F(4x4, 3x3) tile transforms, the products kernel and the 2-D drivers; the row and 3-D drivers
// follow in winograd_nd-inl.h. The transforms put one tile in each vector lane: a plane is first
// split into its four column phases (column % 4), so tap (r, j) of the tiles of a tile row is one
// unit-stride run.

#include "ember/kernels/isa/lanes-inl.h"
#include "ember/kernels/isa/shuffles-inl.h"

// phases[p][row][col] = padded[row][4 * col + p] for the plane zero-padded by (pad_top, pad_left)
// to `rows` rows of 4 * cols columns. The plane's pixel (r, c) is plane[r * row_pitch + c * step]
// (a dilation sub-grid has step d). Columns whose four pixels all lie inside the row are split
// with lane shuffles straight from it; the padding's edges one pixel at a time.
void split_phases(const float* plane, int64_t row_pitch, int64_t step, int64_t in_h, int64_t in_w, int64_t pad_top,
                  int64_t pad_left, int64_t rows, int64_t cols, float* __restrict phases) {
  const int64_t phase_size = rows * cols;
  const int64_t inner_lo = std::min(cols, pad_left <= 0 ? int64_t{0} : (pad_left + 3) / 4);
  const int64_t inner_hi = std::clamp<int64_t>(in_w + pad_left < 0 ? 0 : (in_w + pad_left) / 4, inner_lo, cols);
  for (int64_t pr = 0; pr < rows; ++pr) {
    float* __restrict p[4];
    for (int k = 0; k < 4; ++k) p[k] = phases + k * phase_size + pr * cols;
    const int64_t r = pr - pad_top;
    if (r < 0 || r >= in_h) {
      for (int k = 0; k < 4; ++k) std::fill(p[k], p[k] + cols, 0.0f);
      continue;
    }
    const float* src = plane + r * row_pitch;
    auto edge = [&](int64_t c) {
      for (int k = 0; k < 4; ++k) {
        const int64_t column = 4 * c + k - pad_left;
        p[k][c] = column >= 0 && column < in_w ? src[column * step] : 0.0f;
      }
    };
    for (int64_t c = 0; c < inner_lo; ++c) edge(c);
    for (int64_t c = inner_hi; c < cols; ++c) edge(c);
    const int64_t inner = inner_hi - inner_lo, first = 4 * inner_lo - pad_left;
    if (step == 1) {
      deinterleave4(src + first, inner, p[0] + inner_lo, p[1] + inner_lo, p[2] + inner_lo, p[3] + inner_lo);
    } else if (step == 2) {
      deinterleave4_even(src + 2 * first, inner, p[0] + inner_lo, p[1] + inner_lo, p[2] + inner_lo, p[3] + inner_lo);
    } else {
      for (int64_t c = inner_lo; c < inner_hi; ++c) edge(c);
    }
  }
}

// V = B^T d B for the tiles of one tile row: tile tw's 6x6 input, row r, column j, is
// phases[j % 4][r][tw + j / 4] (phases of `cols` columns, phase_size apart); V[xi] goes to
// v[xi * v_stride + tw].
void input_transform_row(const float* phases, int64_t phase_size, int64_t cols, int64_t tiles_w, float* v,
                         int64_t v_stride) {
  over_lanes(tiles_w, [&](auto lanes, int64_t tw) {
    constexpr int L = decltype(lanes)::value;
    typename Lanes<L>::type d[6][6], out[6][6];
    for (int r = 0; r < 6; ++r) {
      for (int j = 0; j < 6; ++j) d[r][j] = load_lanes<L>(phases + (j % 4) * phase_size + r * cols + j / 4 + tw);
    }
    sandwich(kWinogradBT, d, out);
    for (int i = 0; i < 6; ++i) {
      for (int j = 0; j < 6; ++j) store_lanes<L>(v + (i * 6 + j) * v_stride + tw, out[i][j]);
    }
  });
}

// Y = A^T M A for the tiles of one tile row: tile tw's 36 products are m[xi * m_stride + tw]; its
// 4x4 outputs go to rows[i * 4 * tiles_w + 4 * tw + j] (four rows of 4 * tiles_w), by way of
// phases[(i * 4 + j) * tiles_w + tw].
void output_transform_row(const float* m, int64_t m_stride, int64_t tiles_w, float* __restrict phases,
                          float* __restrict rows) {
  over_lanes(tiles_w, [&](auto lanes, int64_t tw) {
    constexpr int L = decltype(lanes)::value;
    typename Lanes<L>::type p[6][6], out[4][4];
    for (int i = 0; i < 6; ++i) {
      for (int j = 0; j < 6; ++j) p[i][j] = load_lanes<L>(m + (i * 6 + j) * m_stride + tw);
    }
    sandwich(kWinogradAT, p, out);
    for (int i = 0; i < 4; ++i) {
      for (int j = 0; j < 4; ++j) store_lanes<L>(phases + (i * 4 + j) * tiles_w + tw, out[i][j]);
    }
  });
  for (int64_t i = 0; i < 4; ++i) {
    const float* p = phases + i * 4 * tiles_w;
    interleave4(p, p + tiles_w, p + 2 * tiles_w, p + 3 * tiles_w, tiles_w, rows + i * 4 * tiles_w);
  }
}

// U[xi][row][col] = (G g G^T)[xi] for the 3x3 kernels g[i][j] = taps[(i * 3 + j)][row][col]
// (kernel_taps' layout): the transformed kernels, with the columns (output channels) on lanes.
void transform_kernels(const float* taps, int64_t rows, int64_t cols, float* u) {
  parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      over_lanes(cols, [&](auto lanes, int64_t col) {
        constexpr int L = decltype(lanes)::value;
        typename Lanes<L>::type g[3][3], out[6][6];
#pragma GCC unroll 3
        for (int i = 0; i < 3; ++i) {
#pragma GCC unroll 3
          for (int j = 0; j < 3; ++j) g[i][j] = load_lanes<L>(taps + ((i * 3 + j) * rows + row) * cols + col);
        }
        sandwich(kWinogradG, g, out);
#pragma GCC unroll 6
        for (int i = 0; i < 6; ++i) {
#pragma GCC unroll 6
          for (int j = 0; j < 6; ++j) store_lanes<L>(u + ((i * 6 + j) * rows + row) * cols + col, out[i][j]);
        }
      });
    }
  });
}

// The 36 transformed inputs of one plane (pixel (r, c) at plane[r * row_pitch + c * step]):
// V[xi][t] at v[xi * v_stride + t], split into column phases, then a tile row at a time.
void transform_plane(const float* plane, int64_t row_pitch, int64_t step, int64_t h, int64_t w, int64_t pad_top,
                     int64_t pad_left, int64_t tiles_h, int64_t tiles_w, float* v, int64_t v_stride, float* phases) {
  const int64_t padded_h = 4 * tiles_h + 2, cols = tiles_w + 1, phase_size = padded_h * cols;
  split_phases(plane, row_pitch, step, h, w, pad_top, pad_left, padded_h, cols, phases);
  for (int64_t th = 0; th < tiles_h; ++th) {
    input_transform_row(phases + 4 * th * cols, phase_size, cols, tiles_w, v + th * tiles_w, v_stride);
  }
}

// Floats of scratch the phases of an input plane take.
int64_t phase_floats(int64_t tiles_h, int64_t tiles_w) { return 4 * (4 * tiles_h + 2) * (tiles_w + 1); }

// The 36 transformed inputs V[xi][c][tile] of (sub-grid) images [first, last).
void transform_inputs(const WinogradTiling& t, const float* x, int64_t first, int64_t last, float* v,
                      int64_t v_stride, float* phases) {
  const Winograd3x3Shape& s = t.s;
  const int64_t tiles = (last - first) * t.tiles_image();
  for (int64_t n = first; n < last; ++n) {
    for (int64_t c = 0; c < s.in_channels; ++c) {
      transform_plane(x + t.plane_start(n, c, s.in_channels, s.in_h, s.in_w), t.d * s.in_w, t.d, s.in_h / t.d,
                      s.in_w / t.d, s.pad_top / t.d, s.pad_left / t.d, t.tiles_h, t.tiles_w,
                      v + c * tiles + (n - first) * t.tiles_image(), v_stride, phases);
    }
  }
}

// One plane of outputs from the products of its tiles (M[xi][t] at m[xi * m_stride + t]): the
// output transform a tile row at a time into four full-width rows, copied out clipped.
void write_plane(const float* m, int64_t m_stride, int64_t tiles_h, int64_t tiles_w, int64_t out_h, int64_t out_w,
                 float* out, float* phases, float* rows) {
  for (int64_t th = 0; th < tiles_h; ++th) {
    output_transform_row(m + th * tiles_w, m_stride, tiles_w, phases, rows);
    for (int64_t i = 0; i < 4 && 4 * th + i < out_h; ++i) {
      std::memcpy(out + (4 * th + i) * out_w, rows + i * 4 * tiles_w, static_cast<size_t>(out_w) * sizeof(float));
    }
  }
}

// The element-wise products of the 36 transformed matrices, as small GEMMs with the columns on
// vector lanes: out[xi][row][col] (+)= sum over i < reduce of a(xi, row, i) * b[xi][i][col], with
//   a(xi, row, i) = a[xi * a.xi + row * a.row + i * a.reduce]   (broadcast, any layout)
//   b[xi][i][col] = b[xi * b.xi + i * b.reduce + col]           (unit-stride lanes)
//   out[xi][row][col] = out[xi * out.xi + row * out.row + col]
// Register tiles of kProductRows rows x NV vectors of L columns; each output is one fixed-order
// sum over i, so results do not depend on how the work is split.
//   forward:          M[xi][k][t] = sum_c U[xi][c][k] * V[xi][c][t]
//   weight gradient:  dU[xi][c][k] += sum_t V[xi][c][t] * dM[xi][t][k]
constexpr int kProductRows = kIsaVectorFloats >= 16 ? 8 : 4;

struct Strides {
  int64_t xi, row, reduce;
};

template <int L, int NV>
inline void product_tile(const float* a, const Strides& as, const float* b, int64_t b_reduce, int64_t reduce,
                         int64_t rows, bool accumulate, float* out, int64_t out_row) {
  typedef typename Lanes<L>::type vec;
  const float* a_row[kProductRows];  // rows past `rows` repeat the last (computed, not stored)
  for (int r = 0; r < kProductRows; ++r) a_row[r] = a + std::min<int64_t>(r, rows - 1) * as.row;
  vec acc[kProductRows][NV];
  for (int r = 0; r < kProductRows; ++r) {
    for (int q = 0; q < NV; ++q) {
      acc[r][q] = accumulate && r < rows ? load_lanes<L>(out + r * out_row + q * L) : vec{};
    }
  }
  for (int64_t i = 0; i < reduce; ++i) {
    vec x[NV];
#pragma GCC unroll 4
    for (int q = 0; q < NV; ++q) x[q] = load_lanes<L>(b + i * b_reduce + q * L);
#pragma GCC unroll 8
    for (int r = 0; r < kProductRows; ++r) {
      const float weight = a_row[r][i * as.reduce];
#pragma GCC unroll 4
      for (int q = 0; q < NV; ++q) acc[r][q] += weight * x[q];
    }
  }
  for (int r = 0; r < rows; ++r) {
    for (int q = 0; q < NV; ++q) store_lanes<L>(out + r * out_row + q * L, acc[r][q]);
  }
}

void winograd_products(const float* a, const Strides& as, const float* b, const Strides& bs, float* out,
                       const Strides& outs, int64_t rows, int64_t cols, int64_t reduce, bool accumulate,
                       int64_t xi_begin, int64_t xi_end) {
  constexpr int L = kIsaVectorFloats;
  for (int64_t xi = xi_begin; xi < xi_end; ++xi) {
    const float* axi = a + xi * as.xi;
    const float* bxi = b + xi * bs.xi;
    float* oxi = out + xi * outs.xi;
    auto row_blocks = [&](auto lanes, auto vectors, int64_t col) {
      for (int64_t r = 0; r < rows; r += kProductRows) {
        product_tile<decltype(lanes)::value, decltype(vectors)::value>(
            axi + r * as.row, as, bxi + col, bs.reduce, reduce, std::min<int64_t>(kProductRows, rows - r), accumulate,
            oxi + r * outs.row + col, outs.row);
      }
    };
    // Two vectors of columns per register tile while they last, then narrower single vectors.
    int64_t col = 0;
    for (; col + 2 * L <= cols; col += 2 * L) row_blocks(std::integral_constant<int, L>{}, std::integral_constant<int, 2>{}, col);
    over_lanes(cols - col, [&](auto lanes, int64_t first) { row_blocks(lanes, std::integral_constant<int, 1>{}, col + first); });
  }
}

// winograd_products over all `count` matrices (36 in 2-D, 8 for rows), split across threads by
// matrix when `parallel`.
void all_products(bool parallel, int64_t count, const float* a, const Strides& as, const float* b, const Strides& bs,
                  float* out, const Strides& outs, int64_t rows, int64_t cols, int64_t reduce, bool accumulate) {
  if (parallel) {
    parallel_for(0, count, 1, [&](int64_t begin, int64_t end) {
      winograd_products(a, as, b, bs, out, outs, rows, cols, reduce, accumulate, begin, end);
    });
  } else {
    winograd_products(a, as, b, bs, out, outs, rows, cols, reduce, accumulate, 0, count);
  }
}

void winograd_forward_impl(const WinogradTiling& t, const float* x, const float* u, float* y) {
  const Winograd3x3Shape& s = t.s;
  const int64_t c_in = s.in_channels, k_out = s.out_channels;
  const int64_t per_chunk = t.images_per_chunk(), chunks = (t.images() + per_chunk - 1) / per_chunk;
  const int64_t plane_phases = phase_floats(t.tiles_h, t.tiles_w);
  auto run_chunk = [&](int64_t chunk, bool parallel_gemm) {
    const int64_t first = chunk * per_chunk, last = std::min(t.images(), first + per_chunk);
    const int64_t tiles = (last - first) * t.tiles_image();
    const int64_t v_stride = c_in * tiles + kSkew, m_stride = k_out * tiles + kSkew;
    float* v = thread_scratch(36 * (v_stride + m_stride) + plane_phases + 32 * t.tiles_w + 8);  // V[xi][c][tile]
    float* m = v + 36 * v_stride;                                                               // M[xi][k][tile]
    float* phases = m + 36 * m_stride;
    float* rows = phases + plane_phases;  // four output rows (twice with dilation 2)
    transform_inputs(t, x, first, last, v, v_stride, phases);  // then phases holds output phases
    // M[xi][k][t] = sum_c U[xi][c][k] * V[xi][c][t]
    all_products(parallel_gemm, 36, u, {c_in * k_out, 1, k_out}, v, {v_stride, 0, tiles}, m, {m_stride, tiles, 0}, k_out,
                 tiles, c_in, false);
    // 4x4 outputs per tile, a tile row at a time into four full-width rows, copied out clipped at
    // the bottom and right edges. With dilation 2 the chunk holds whole images, and the rows of
    // the two column sub-grids (consecutive images) are interleaved into whole output rows.
    const int64_t grid_h = s.out_h / t.d, grid_w = s.out_w / t.d, row_pitch = t.d * s.out_w;
    const int64_t group = t.d == 2 ? 2 : 1, row_floats = 16 * t.tiles_w;
    for (int64_t n = first; n < last; n += group) {
      for (int64_t k = 0; k < k_out; ++k) {
        float* out = y + t.plane_start(n, k, k_out, s.out_h, s.out_w);
        for (int64_t th = 0; th < t.tiles_h; ++th) {
          for (int64_t g = 0; g < group; ++g) {
            output_transform_row(m + k * tiles + (n + g - first) * t.tiles_image() + th * t.tiles_w, m_stride,
                                 t.tiles_w, phases, rows + g * row_floats);
          }
          for (int64_t i = 0; i < 4 && 4 * th + i < grid_h; ++i) {
            float* dst = out + (4 * th + i) * row_pitch;
            const float* src = rows + i * 4 * t.tiles_w;
            if (t.d == 1) {
              std::memcpy(dst, src, static_cast<size_t>(grid_w) * sizeof(float));
            } else if (t.d == 2) {
              interleave2(src, src + row_floats, grid_w, dst);
            } else {
              for (int64_t col = 0; col < grid_w; ++col) dst[col * t.d] = src[col];
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

// dM = A dy A^T (the output transform's adjoint) for the tiles of one (sub-grid) image, with the
// output channels on vector lanes: dy_last holds the image channels-last, [row][column][k] over
// 4 * tiles_h x 4 * tiles_w positions (zeros past the edges); dM[xi][t][k] goes to
// dm[xi * dm_stride + t * k_out + k].
void gradient_transform(const float* dy_last, int64_t tiles_h, int64_t tiles_w, int64_t k_out, float* dm,
                        int64_t dm_stride) {
  const int64_t row_pitch = 4 * tiles_w * k_out;
  for (int64_t t = 0; t < tiles_h * tiles_w; ++t) {
    const float* tile = dy_last + (t / tiles_w) * 4 * row_pitch + (t % tiles_w) * 4 * k_out;
    over_lanes(k_out, [&](auto lanes, int64_t k) {
      constexpr int L = decltype(lanes)::value;
      typename Lanes<L>::type g[4][4], out[6][6];
#pragma GCC unroll 4
      for (int i = 0; i < 4; ++i) {
#pragma GCC unroll 4
        for (int j = 0; j < 4; ++j) g[i][j] = load_lanes<L>(tile + i * row_pitch + j * k_out + k);
      }
      sandwich(kWinogradA, g, out);
#pragma GCC unroll 6
      for (int i = 0; i < 6; ++i) {
#pragma GCC unroll 6
        for (int j = 0; j < 6; ++j) store_lanes<L>(dm + (i * 6 + j) * dm_stride + t * k_out + k, out[i][j]);
      }
    });
  }
}

// dst[(r * width + c) * channels + k] = plane k's pixel (r, c) for r < rows, c < cols, zero over
// the rest of height x width; plane k starts at src + k * plane_stride and has its pixel (r, c)
// at r * row_pitch + c * step (a dilation sub-grid: step d). Transposed in 4 x 4 blocks (4
// channels x 4 columns) of lane shuffles.
void transpose_channels_last(const float* src, int64_t channels, int64_t plane_stride, int64_t rows, int64_t cols,
                             int64_t row_pitch, int64_t step, int64_t height, int64_t width, float* __restrict dst) {
  std::fill(dst, dst + height * width * channels, 0.0f);
  // Four columns from `column` on (step 2: the even lanes of eight, while they stay in the row).
  auto load4 = [&](const float* row, int64_t column) {
    if (step == 1) return load_lanes<4>(row + column);
    return pick_every<2, 0>(load_lanes<4>(row + 2 * column), load_lanes<4>(row + 2 * column + 4),
                            std::make_index_sequence<4>{});
  };
  const int64_t vector_columns = step == 1 ? cols / 4 * 4 : step == 2 ? std::max<int64_t>(0, (cols - 1) / 4 * 4) : 0;
  int64_t k = 0;
  for (; k + 4 <= channels; k += 4) {
    const float* plane[4];
    for (int i = 0; i < 4; ++i) plane[i] = src + (k + i) * plane_stride;
    for (int64_t r = 0; r < rows; ++r) {
      float* out = dst + r * width * channels + k;
      int64_t c = 0;
      for (; c < vector_columns; c += 4) {
        const auto a = load4(plane[0] + r * row_pitch, c), b = load4(plane[1] + r * row_pitch, c);
        const auto e = load4(plane[2] + r * row_pitch, c), f = load4(plane[3] + r * row_pitch, c);
        const auto ab_lo = __builtin_shufflevector(a, b, 0, 4, 1, 5), ab_hi = __builtin_shufflevector(a, b, 2, 6, 3, 7);
        const auto ef_lo = __builtin_shufflevector(e, f, 0, 4, 1, 5), ef_hi = __builtin_shufflevector(e, f, 2, 6, 3, 7);
        store_lanes<4>(out + c * channels, __builtin_shufflevector(ab_lo, ef_lo, 0, 1, 4, 5));
        store_lanes<4>(out + (c + 1) * channels, __builtin_shufflevector(ab_lo, ef_lo, 2, 3, 6, 7));
        store_lanes<4>(out + (c + 2) * channels, __builtin_shufflevector(ab_hi, ef_hi, 0, 1, 4, 5));
        store_lanes<4>(out + (c + 3) * channels, __builtin_shufflevector(ab_hi, ef_hi, 2, 3, 6, 7));
      }
      for (; c < cols; ++c) {
        for (int i = 0; i < 4; ++i) out[c * channels + i] = plane[i][r * row_pitch + c * step];
      }
    }
  }
  for (; k < channels; ++k) {
    const float* plane = src + k * plane_stride;
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < cols; ++c) dst[(r * width + c) * channels + k] = plane[r * row_pitch + c * step];
    }
  }
}

// dy of (sub-grid) image n channels-last over the 4 * tiles_h x 4 * tiles_w positions its tiles
// cover.
void channels_last(const WinogradTiling& t, const float* dy, int64_t n, float* dy_last) {
  const Winograd3x3Shape& s = t.s;
  transpose_channels_last(dy + t.plane_start(n, 0, s.out_channels, s.out_h, s.out_w), s.out_channels,
                          s.out_h * s.out_w, s.out_h / t.d, s.out_w / t.d, t.d * s.out_w, t.d, 4 * t.tiles_h,
                          4 * t.tiles_w, dy_last);
}

// du[slot][xi][c][k]: the transformed weight gradient of each of `slots` fixed runs of images,
// which run_weight_chunks adds into slot 0 in slot order.
void winograd_weight_products_impl(const WinogradTiling& t, const float* x, const float* dy, int64_t slots,
                                   float* du) {
  const Winograd3x3Shape& s = t.s;
  const int64_t c_in = s.in_channels, k_out = s.out_channels, du_size = 36 * k_out * c_in;
  const int64_t tiles = t.tiles_image(), positions = 16 * tiles;
  const int64_t x_phase_floats = phase_floats(t.tiles_h, t.tiles_w);
  const int64_t v_stride = c_in * tiles + kSkew, dm_stride = k_out * tiles + kSkew;
  auto run_slot = [&](int64_t slot, bool parallel) {
    float* target = du + slot * du_size;
    const int64_t slot_first = slot * t.images() / slots, slot_last = (slot + 1) * t.images() / slots;
    if (slot_first == slot_last) std::fill(target, target + du_size, 0.0f);
    float* v = thread_scratch(36 * (v_stride + dm_stride) + std::max(x_phase_floats, positions * k_out));
    float* dm = v + 36 * v_stride;
    float* phases = dm + 36 * dm_stride;  // the input's phases, then dy channels-last
    for (int64_t n = slot_first; n < slot_last; ++n) {  // one image at a time, in order
      transform_inputs(t, x, n, n + 1, v, v_stride, phases);
      channels_last(t, dy, n, phases);
      gradient_transform(phases, t.tiles_h, t.tiles_w, k_out, dm, dm_stride);
      // dU[xi][c][k] += sum_t V[xi][c][t] * dM[xi][t][k]
      all_products(parallel, 36, v, {v_stride, tiles, 1}, dm, {dm_stride, 0, k_out}, target, {c_in * k_out, k_out, 0},
                   c_in, k_out, tiles, n != slot_first);
    }
  };
  conv_parallel::run_weight_chunks(slots, du_size, du, du + du_size, run_slot);
}

// The row (F(4, 5)) and 3-D drivers, on the transforms and products above.
#include "ember/kernels/winograd_nd-inl.h"
