// The Winograd F(4x4, 3x3) convolution's tile transforms and drivers (winograd.cpp), compiled once
// per instruction set (isa/variants.h). The transforms run a tile row at a time, one tile per lane
// of plain loops the compiler vectorizes for the variant: a plane is first split into its four
// column phases (column % 4), so tap (r, j) of the tiles of a tile row is one unit-stride run.

// Vectors of L floats, and a loop over [0, count) in runs of the widest vectors that fit. Loads
// and stores go through a float-vector type of float alignment (not memcpy), so the compiler knows
// they cannot change the loop's sizes and pointers and keeps those in registers.
template <int L>
struct Lanes {
  typedef float type __attribute__((vector_size(L * sizeof(float))));
  typedef float unaligned __attribute__((vector_size(L * sizeof(float)), aligned(alignof(float))));
};

template <int L>
inline typename Lanes<L>::type load_lanes(const float* p) {
  return *reinterpret_cast<const typename Lanes<L>::unaligned*>(p);
}

template <int L>
inline void store_lanes(float* p, typename Lanes<L>::type v) {
  *reinterpret_cast<typename Lanes<L>::unaligned*>(p) = v;
}

// f(std::integral_constant<int, L>, first): lanes [first, first + L), every index once.
template <typename F>
inline void over_lanes(int64_t count, F&& f) {
  int64_t i = 0;
  for (; i + kIsaVectorFloats <= count; i += kIsaVectorFloats) f(std::integral_constant<int, kIsaVectorFloats>{}, i);
  if constexpr (kIsaVectorFloats > 8) {
    for (; i + 8 <= count; i += 8) f(std::integral_constant<int, 8>{}, i);
  }
  if constexpr (kIsaVectorFloats > 4) {
    for (; i + 4 <= count; i += 4) f(std::integral_constant<int, 4>{}, i);
  }
  for (; i < count; ++i) f(std::integral_constant<int, 1>{}, i);
}

// Lane shuffles with compile-time index lists (GCC >= 12 and clang's __builtin_shufflevector).
// pick_every<S, P>: lanes P, P + S, P + 2S, ... of a then b, as many as the sequence is long.
template <int S, int P, typename V, size_t... I>
inline auto pick_every(V a, V b, std::index_sequence<I...>) {
  return __builtin_shufflevector(a, b, static_cast<int>(I * S + P)...);
}

// lo's lanes, then hi's.
template <typename V, size_t... I>
inline auto join(V lo, V hi, std::index_sequence<I...>) {
  return __builtin_shufflevector(lo, hi, static_cast<int>(I)...);
}

// a[h], b[h], a[h + 1], b[h + 1], ... from h = 0 (Half 0) or h = L / 2 (Half 1).
template <int Half, typename V, size_t... I>
inline V zip_half(V a, V b, std::index_sequence<I...>) {
  constexpr size_t L = sizeof...(I);
  return __builtin_shufflevector(a, b, static_cast<int>((I % 2 ? L : 0) + Half * L / 2 + I / 2)...);
}

// d_k[i] = src[4i + k] for i < count: the four column phases of a row.
void deinterleave4(const float* __restrict src, int64_t count, float* __restrict d0, float* __restrict d1,
                   float* __restrict d2, float* __restrict d3) {
  over_lanes(count, [&](auto lanes, int64_t i) {
    constexpr int L = decltype(lanes)::value;
    if constexpr (L == 1) {
      d0[i] = src[4 * i];
      d1[i] = src[4 * i + 1];
      d2[i] = src[4 * i + 2];
      d3[i] = src[4 * i + 3];
    } else {
      constexpr auto half = std::make_index_sequence<L / 2>{};
      constexpr auto whole = std::make_index_sequence<L>{};
      const auto a = load_lanes<L>(src + 4 * i), b = load_lanes<L>(src + 4 * i + L);
      const auto c = load_lanes<L>(src + 4 * i + 2 * L), d = load_lanes<L>(src + 4 * i + 3 * L);
      store_lanes<L>(d0 + i, join(pick_every<4, 0>(a, b, half), pick_every<4, 0>(c, d, half), whole));
      store_lanes<L>(d1 + i, join(pick_every<4, 1>(a, b, half), pick_every<4, 1>(c, d, half), whole));
      store_lanes<L>(d2 + i, join(pick_every<4, 2>(a, b, half), pick_every<4, 2>(c, d, half), whole));
      store_lanes<L>(d3 + i, join(pick_every<4, 3>(a, b, half), pick_every<4, 3>(c, d, half), whole));
    }
  });
}

// dst[4i + k] = s_k[i] for i < count: four column phases back into a row.
void interleave4(const float* __restrict s0, const float* __restrict s1, const float* __restrict s2,
                 const float* __restrict s3, int64_t count, float* __restrict dst) {
  over_lanes(count, [&](auto lanes, int64_t i) {
    constexpr int L = decltype(lanes)::value;
    if constexpr (L == 1) {
      dst[4 * i] = s0[i];
      dst[4 * i + 1] = s1[i];
      dst[4 * i + 2] = s2[i];
      dst[4 * i + 3] = s3[i];
    } else {
      constexpr auto whole = std::make_index_sequence<L>{};
      const auto a = load_lanes<L>(s0 + i), b = load_lanes<L>(s1 + i), c = load_lanes<L>(s2 + i),
                 d = load_lanes<L>(s3 + i);
      const auto ac_lo = zip_half<0>(a, c, whole), ac_hi = zip_half<1>(a, c, whole);  // a0 c0 a1 c1 ...
      const auto bd_lo = zip_half<0>(b, d, whole), bd_hi = zip_half<1>(b, d, whole);  // b0 d0 b1 d1 ...
      store_lanes<L>(dst + 4 * i, zip_half<0>(ac_lo, bd_lo, whole));                  // a0 b0 c0 d0 a1 ...
      store_lanes<L>(dst + 4 * i + L, zip_half<1>(ac_lo, bd_lo, whole));
      store_lanes<L>(dst + 4 * i + 2 * L, zip_half<0>(ac_hi, bd_hi, whole));
      store_lanes<L>(dst + 4 * i + 3 * L, zip_half<1>(ac_hi, bd_hi, whole));
    }
  });
}

// dst[i] = src[i * step] for i < count (a row of a dilation sub-grid); step 2 with shuffles.
void gather_row(const float* __restrict src, int64_t step, int64_t count, float* __restrict dst) {
  constexpr int L = kIsaVectorFloats;
  int64_t i = 0;
  if (step == 2) {
    // i + L < count: the last vector's odd lanes stay inside the row
    for (; i + L < count; i += L) {
      store_lanes<L>(dst + i, pick_every<2, 0>(load_lanes<L>(src + 2 * i), load_lanes<L>(src + 2 * i + L),
                                               std::make_index_sequence<L>{}));
    }
  }
  for (; i < count; ++i) dst[i] = src[i * step];
}

// phases[p][row][col] = padded[row][4 * col + p] for the plane zero-padded by (pad_top, pad_left)
// to `rows` rows of 4 * cols columns; row_buffer holds 4 * cols floats. The plane's pixel (r, c)
// is plane[r * row_pitch + c * step] (a dilation sub-grid has step d).
void split_phases(const float* plane, int64_t row_pitch, int64_t step, int64_t in_h, int64_t in_w, int64_t pad_top,
                  int64_t pad_left, int64_t rows, int64_t cols, float* __restrict phases,
                  float* __restrict row_buffer) {
  const int64_t padded_w = 4 * cols, phase_size = rows * cols;
  const int64_t col_lo = std::max<int64_t>(0, -pad_left), col_hi = std::min(in_w, padded_w - pad_left);
  for (int64_t pr = 0; pr < rows; ++pr) {
    float* __restrict p0 = phases + pr * cols;
    float* __restrict p1 = p0 + phase_size;
    float* __restrict p2 = p1 + phase_size;
    float* __restrict p3 = p2 + phase_size;
    const int64_t r = pr - pad_top;
    if (r < 0 || r >= in_h || col_lo >= col_hi) {
      for (float* p : {p0, p1, p2, p3}) std::fill(p, p + cols, 0.0f);
      continue;
    }
    std::fill(row_buffer, row_buffer + padded_w, 0.0f);
    const float* src = plane + r * row_pitch;
    if (step == 1) {
      std::memcpy(row_buffer + col_lo + pad_left, src + col_lo, static_cast<size_t>(col_hi - col_lo) * sizeof(float));
    } else {
      gather_row(src + col_lo * step, step, col_hi - col_lo, row_buffer + col_lo + pad_left);
    }
    deinterleave4(row_buffer, cols, p0, p1, p2, p3);
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

// dM = A dy A^T (the output transform's adjoint) for the tiles of one tile row: tile tw's 4x4 dy,
// row i, column j, is phases[j][i][tw] (phases of tiles_w columns, phase_size apart); dM[xi] goes
// to dm[xi * dm_stride + tw].
void gradient_transform_row(const float* phases, int64_t phase_size, int64_t tiles_w, float* dm, int64_t dm_stride) {
  over_lanes(tiles_w, [&](auto lanes, int64_t tw) {
    constexpr int L = decltype(lanes)::value;
    typename Lanes<L>::type g[4][4], out[6][6];
    for (int i = 0; i < 4; ++i) {
      for (int j = 0; j < 4; ++j) g[i][j] = load_lanes<L>(phases + j * phase_size + i * tiles_w + tw);
    }
    sandwich(kWinogradA, g, out);
    for (int i = 0; i < 6; ++i) {
      for (int j = 0; j < 6; ++j) store_lanes<L>(dm + (i * 6 + j) * dm_stride + tw, out[i][j]);
    }
  });
}

// The 36 transformed inputs V[xi][c][tile] of (sub-grid) images [first, last): every 6x6 tile
// (stride 4).
void transform_inputs(const WinogradTiling& t, const float* x, int64_t first, int64_t last, float* v,
                      int64_t v_stride, float* phases, float* row_buffer) {
  const Winograd3x3Shape& s = t.s;
  const int64_t padded_h = 4 * t.tiles_h + 2, cols = t.tiles_w + 1, phase_size = padded_h * cols;
  const int64_t tiles = (last - first) * t.tiles_image();
  for (int64_t n = first; n < last; ++n) {
    for (int64_t c = 0; c < s.in_channels; ++c) {
      split_phases(x + t.plane_start(n, c, s.in_channels, s.in_h, s.in_w), t.d * s.in_w, t.d, s.in_h / t.d,
                   s.in_w / t.d, s.pad_top / t.d, s.pad_left / t.d, padded_h, cols, phases, row_buffer);
      float* vc = v + c * tiles + (n - first) * t.tiles_image();
      for (int64_t th = 0; th < t.tiles_h; ++th) {
        input_transform_row(phases + 4 * th * cols, phase_size, cols, t.tiles_w, vc + th * t.tiles_w, v_stride);
      }
    }
  }
}

// The forward's element-wise products, M[xi][k][t] = sum over c of U[xi][c][k] * V[xi][c][t],
// for products [xi_begin, xi_end): register tiles of kProductRows output channels x NV vectors of
// L tiles, one broadcast weight per channel and input channel. U rows are padded to a multiple of
// 8 channels (kUPad, zeros), so a tile may compute rows past K; only rows < K are stored.
constexpr int kProductRows = kIsaVectorFloats >= 16 ? 8 : 4;

template <int L, int NV>
inline void product_tile(const float* __restrict u, const float* __restrict v, int64_t v_row, int64_t c_in,
                         int64_t k_pad, int64_t rows, float* __restrict m, int64_t m_row) {
  typedef typename Lanes<L>::type vec;
  vec acc[kProductRows][NV] = {};
  for (int64_t c = 0; c < c_in; ++c) {
    vec x[NV];
#pragma GCC unroll 4
    for (int q = 0; q < NV; ++q) x[q] = load_lanes<L>(v + c * v_row + q * L);
    const float* uc = u + c * k_pad;
#pragma GCC unroll 8
    for (int r = 0; r < kProductRows; ++r) {
      const float weight = uc[r];
#pragma GCC unroll 4
      for (int q = 0; q < NV; ++q) acc[r][q] += weight * x[q];
    }
  }
  for (int r = 0; r < rows; ++r) {
    for (int q = 0; q < NV; ++q) store_lanes<L>(m + r * m_row + q * L, acc[r][q]);
  }
}

void winograd_products(const float* u, const float* v, int64_t v_stride, int64_t c_in, int64_t k_out, int64_t tiles,
                       float* m, int64_t m_stride, int64_t xi_begin, int64_t xi_end) {
  const int64_t k_pad = (k_out + kUPad - 1) / kUPad * kUPad;
  constexpr int L = kIsaVectorFloats;
  for (int64_t xi = xi_begin; xi < xi_end; ++xi) {
    const float* uxi = u + xi * c_in * k_pad;
    const float* vxi = v + xi * v_stride;
    float* mxi = m + xi * m_stride;
    int64_t t = 0;
    // Two vectors of tiles per register tile while they last, then narrower single vectors.
    for (; t + 2 * L <= tiles; t += 2 * L) {
      for (int64_t k = 0; k < k_out; k += kProductRows) {
        product_tile<L, 2>(uxi + k, vxi + t, tiles, c_in, k_pad, std::min<int64_t>(kProductRows, k_out - k),
                           mxi + k * tiles + t, tiles);
      }
    }
    over_lanes(tiles - t, [&](auto lanes, int64_t first) {
      constexpr int W = decltype(lanes)::value;
      for (int64_t k = 0; k < k_out; k += kProductRows) {
        product_tile<W, 1>(uxi + k, vxi + t + first, tiles, c_in, k_pad, std::min<int64_t>(kProductRows, k_out - k),
                           mxi + k * tiles + t + first, tiles);
      }
    });
  }
}

void winograd_forward_impl(const WinogradTiling& t, const float* x, const float* u, float* y) {
  const Winograd3x3Shape& s = t.s;
  const int64_t c_in = s.in_channels, k_out = s.out_channels;
  const int64_t per_chunk = t.forward_images_per_chunk(), chunks = (t.images() + per_chunk - 1) / per_chunk;
  const int64_t phase_floats = 4 * (4 * t.tiles_h + 2) * (t.tiles_w + 1);
  auto run_chunk = [&](int64_t chunk, bool parallel_gemm) {
    const int64_t first = chunk * per_chunk, last = std::min(t.images(), first + per_chunk);
    const int64_t tiles = (last - first) * t.tiles_image();
    const int64_t v_stride = c_in * tiles + kSkew, m_stride = k_out * tiles + kSkew;
    float* v = thread_scratch(36 * (v_stride + m_stride) + phase_floats + 16 * t.tiles_w + 8);  // V[xi][c][tile]
    float* m = v + 36 * v_stride;                                                               // M[xi][k][tile]
    float* phases = m + 36 * m_stride;
    float* rows = phases + phase_floats;  // four output rows, or one padded input row
    transform_inputs(t, x, first, last, v, v_stride, phases, rows);  // then phases holds output phases
    if (parallel_gemm) {
      parallel_for(0, 36, 1, [&](int64_t b, int64_t e) {
        winograd_products(u, v, v_stride, c_in, k_out, tiles, m, m_stride, b, e);
      });
    } else {
      winograd_products(u, v, v_stride, c_in, k_out, tiles, m, m_stride, 0, 36);
    }
    // 4x4 outputs per tile, a tile row at a time into four full-width rows, copied out clipped at
    // the bottom and right edges.
    for (int64_t n = first; n < last; ++n) {
      for (int64_t k = 0; k < k_out; ++k) {
        float* out = y + t.plane_start(n, k, k_out, s.out_h, s.out_w);
        const int64_t grid_h = s.out_h / t.d, grid_w = s.out_w / t.d, row_pitch = t.d * s.out_w;
        for (int64_t th = 0; th < t.tiles_h; ++th) {
          output_transform_row(m + k * tiles + (n - first) * t.tiles_image() + th * t.tiles_w, m_stride, t.tiles_w,
                               phases, rows);
          for (int64_t i = 0; i < 4 && 4 * th + i < grid_h; ++i) {
            float* dst = out + (4 * th + i) * row_pitch;
            const float* src = rows + i * 4 * t.tiles_w;
            if (t.d == 1) {
              std::memcpy(dst, src, static_cast<size_t>(grid_w) * sizeof(float));
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

// du[slot][xi][k][c]: the transformed weight gradient of each of `slots` fixed runs of images,
// which the caller adds in slot order.
void winograd_weight_products_impl(const WinogradTiling& t, const float* x, const float* dy, int64_t slots,
                                   float* du) {
  const Winograd3x3Shape& s = t.s;
  const int64_t c_in = s.in_channels, k_out = s.out_channels, du_size = 36 * k_out * c_in;
  const int64_t per_chunk = t.images_per_chunk();
  const int64_t x_phase_floats = 4 * (4 * t.tiles_h + 2) * (t.tiles_w + 1);
  const int64_t dy_phase_size = 4 * t.tiles_h * t.tiles_w;
  auto run_slot = [&](int64_t slot, bool parallel_gemm) {
    float* target = du + slot * du_size;
    const int64_t slot_first = slot * t.images() / slots, slot_last = (slot + 1) * t.images() / slots;
    if (slot_first == slot_last) std::fill(target, target + du_size, 0.0f);
    for (int64_t first = slot_first; first < slot_last; first += per_chunk) {
      const int64_t last = std::min(slot_last, first + per_chunk), tiles = (last - first) * t.tiles_image();
      const int64_t v_stride = c_in * tiles + kSkew, dm_stride = k_out * tiles + kSkew;
      float* v = thread_scratch(36 * (v_stride + dm_stride) + std::max(x_phase_floats, 4 * dy_phase_size) +
                                4 * (t.tiles_w + 1) + 8);
      float* dm = v + 36 * v_stride;
      float* phases = dm + 36 * dm_stride;
      float* row_buffer = phases + std::max(x_phase_floats, 4 * dy_phase_size);
      transform_inputs(t, x, first, last, v, v_stride, phases, row_buffer);
      for (int64_t n = first; n < last; ++n) {
        for (int64_t k = 0; k < k_out; ++k) {
          split_phases(dy + t.plane_start(n, k, k_out, s.out_h, s.out_w), t.d * s.out_w, t.d, s.out_h / t.d,
                       s.out_w / t.d, 0, 0, 4 * t.tiles_h, t.tiles_w, phases, row_buffer);
          float* dmk = dm + k * tiles + (n - first) * t.tiles_image();
          for (int64_t th = 0; th < t.tiles_h; ++th) {
            gradient_transform_row(phases + 4 * th * t.tiles_w, dy_phase_size, t.tiles_w, dmk + th * t.tiles_w,
                                   dm_stride);
          }
        }
      }
      // dU[xi] [K x C] (+)= dM[xi] [K x tiles] @ V[xi]^T [tiles x C]
      for (int xi = 0; xi < 36; ++xi) {
        gemm_on(parallel_gemm, false, true, k_out, c_in, tiles, dm + xi * dm_stride, tiles, v + xi * v_stride, tiles,
                first == slot_first ? 0.0f : 1.0f, target + xi * k_out * c_in, c_in);
      }
    }
  };
  conv_parallel::run_weight_chunks(slots, du_size, du, du + du_size, run_slot);
}
