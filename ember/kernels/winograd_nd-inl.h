// Winograd for rows (F(4, 5): conv1d) and for 3-D convolutions (F(4x4, 3x3) per depth slice),
// included at the end of winograd-inl.h: they use its transforms, products kernel and helpers.
// No include guard: compiled once per instruction set with the rest of the body.

// ---- F(4, 5) for rows ----

// U[xi][row][col] = (G g)[xi] for the 5-tap kernels g[j] = taps[j][row][col], columns on lanes.
void transform_row_kernels(const float* taps, int64_t rows, int64_t cols, float* u) {
  parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      over_lanes(cols, [&](auto lanes, int64_t col) {
        constexpr int L = decltype(lanes)::value;
        typename Lanes<L>::type g[5], out[8];
        for (int j = 0; j < 5; ++j) g[j] = load_lanes<L>(taps + (j * rows + row) * cols + col);
        mat_vec(kRowG, g, out);
        for (int xi = 0; xi < 8; ++xi) store_lanes<L>(u + (xi * rows + row) * cols + col, out[xi]);
      });
    }
  });
}

// V = B^T d for every tile of a row split into its four column phases (phase_size apart): tile
// t's input j is phases[j % 4][t + j / 4]; V[xi] goes to v[xi * v_stride + t].
void row_input_transform(const float* phases, int64_t phase_size, int64_t tiles, float* v, int64_t v_stride) {
  over_lanes(tiles, [&](auto lanes, int64_t t) {
    constexpr int L = decltype(lanes)::value;
    typename Lanes<L>::type d[8], out[8];
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) d[j] = load_lanes<L>(phases + (j % 4) * phase_size + j / 4 + t);
    mat_vec(kRowBT, d, out);
#pragma GCC unroll 8
    for (int xi = 0; xi < 8; ++xi) store_lanes<L>(v + xi * v_stride + t, out[xi]);
  });
}

// The transformed inputs V[xi][c][tile] of images [first, last).
void row_transform_inputs(const RowTiling& t, const float* x, int64_t first, int64_t last, float* v, int64_t v_stride,
                          float* phases) {
  const WinogradRowShape& s = t.s;
  const int64_t tiles = (last - first) * t.tiles, cols = t.tiles + 1;
  for (int64_t n = first; n < last; ++n) {
    for (int64_t c = 0; c < s.in_channels; ++c) {
      split_phases(x + (n * s.in_channels + c) * s.in_w, 0, 1, 1, s.in_w, 0, s.pad_left, 1, cols, phases);
      row_input_transform(phases, cols, t.tiles, v + c * tiles + (n - first) * t.tiles, v_stride);
    }
  }
}

void winograd_row_forward_impl(const RowTiling& t, const float* x, const float* u, float* y) {
  const WinogradRowShape& s = t.s;
  const int64_t c_in = s.in_channels, k_out = s.out_channels;
  const int64_t per_chunk = t.images_per_chunk(), chunks = (s.batch + per_chunk - 1) / per_chunk;
  auto run_chunk = [&](int64_t chunk, bool parallel) {
    const int64_t first = chunk * per_chunk, last = std::min(s.batch, first + per_chunk);
    const int64_t tiles = (last - first) * t.tiles;
    const int64_t v_stride = c_in * tiles + kSkew, m_stride = k_out * tiles + kSkew;
    float* v = thread_scratch(8 * (v_stride + m_stride) + 12 * t.tiles + 8);
    float* m = v + 8 * v_stride;
    float* phases = m + 8 * m_stride;   // the input's four phases, then the output's
    float* row = phases + 4 * t.tiles + 4;  // an output row of 4 * tiles
    row_transform_inputs(t, x, first, last, v, v_stride, phases);
    // M[xi][k][t] = sum_c U[xi][c][k] * V[xi][c][t]
    all_products(parallel, 8, u, {c_in * k_out, 1, k_out}, v, {v_stride, 0, tiles}, m, {m_stride, tiles, 0}, k_out,
                 tiles, c_in, false);
    for (int64_t n = first; n < last; ++n) {
      for (int64_t k = 0; k < k_out; ++k) {
        const float* mk = m + k * tiles + (n - first) * t.tiles;
        over_lanes(t.tiles, [&](auto lanes, int64_t i) {  // Y = A^T M, output j of tile i to phase j
          constexpr int L = decltype(lanes)::value;
          typename Lanes<L>::type p[8], out[4];
#pragma GCC unroll 8
          for (int xi = 0; xi < 8; ++xi) p[xi] = load_lanes<L>(mk + xi * m_stride + i);
          mat_vec(kRowAT, p, out);
#pragma GCC unroll 4
          for (int j = 0; j < 4; ++j) store_lanes<L>(phases + j * t.tiles + i, out[j]);
        });
        interleave4(phases, phases + t.tiles, phases + 2 * t.tiles, phases + 3 * t.tiles, t.tiles, row);
        std::memcpy(y + (n * k_out + k) * s.out_w, row, static_cast<size_t>(s.out_w) * sizeof(float));
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

// du[slot][xi][c][k] for rows, as winograd_weight_products_impl: per image, V, dy channels-last,
// dM = A dy with channels on lanes, dU[xi] += V[xi] dM[xi].
void winograd_row_weight_products_impl(const RowTiling& t, const float* x, const float* dy, int64_t slots, float* du) {
  const WinogradRowShape& s = t.s;
  const int64_t c_in = s.in_channels, k_out = s.out_channels, du_size = 8 * k_out * c_in, tiles = t.tiles;
  const int64_t v_stride = c_in * tiles + kSkew, dm_stride = k_out * tiles + kSkew;
  auto run_slot = [&](int64_t slot, bool parallel) {
    float* target = du + slot * du_size;
    const int64_t slot_first = slot * s.batch / slots, slot_last = (slot + 1) * s.batch / slots;
    if (slot_first == slot_last) std::fill(target, target + du_size, 0.0f);
    float* v = thread_scratch(8 * (v_stride + dm_stride) + std::max(4 * (tiles + 1), 4 * tiles * k_out));
    float* dm = v + 8 * v_stride;
    float* buffer = dm + 8 * dm_stride;  // the input's phases, then dy channels-last
    for (int64_t n = slot_first; n < slot_last; ++n) {
      row_transform_inputs(t, x, n, n + 1, v, v_stride, buffer);
      transpose_channels_last(dy + n * k_out * s.out_w, k_out, s.out_w, 1, s.out_w, 0, 1, 1, 4 * tiles, buffer);
      for (int64_t i = 0; i < tiles; ++i) {
        over_lanes(k_out, [&](auto lanes, int64_t k) {
          constexpr int L = decltype(lanes)::value;
          typename Lanes<L>::type g[4], out[8];
#pragma GCC unroll 4
          for (int j = 0; j < 4; ++j) g[j] = load_lanes<L>(buffer + (4 * i + j) * k_out + k);
          mat_vec(kRowA, g, out);
#pragma GCC unroll 8
          for (int xi = 0; xi < 8; ++xi) store_lanes<L>(dm + xi * dm_stride + i * k_out + k, out[xi]);
        });
      }
      // dU[xi][c][k] += sum_t V[xi][c][t] * dM[xi][t][k]
      all_products(parallel, 8, v, {v_stride, tiles, 1}, dm, {dm_stride, 0, k_out}, target, {c_in * k_out, k_out, 0},
                   c_in, k_out, tiles, n != slot_first);
    }
  };
  conv_parallel::run_weight_chunks(slots, du_size, du, du + du_size, run_slot);
}

// ---- 3-D: F(4x4, 3x3) in each depth slice, direct over the kernel's depth ----

// The transformed input slices a 3-D convolution's output slices read, kept for the kernel's
// depth (a ring of kernel_d slots, slot depth % kernel_d): each input slice of an image is
// transformed once. slice(depth) is V[xi][c][t] at xi * v_stride + c * tiles.
struct SliceRing {
  const Winograd3dShape& s;
  const float* x;  // the image's input
  int64_t tiles_h, tiles_w, v_stride;
  float* slots;
  float* phases;
  std::vector<int64_t> held;

  SliceRing(const Winograd3dShape& shape, const float* image, int64_t th, int64_t tw, float* buffer, float* scratch)
      : s(shape), x(image), tiles_h(th), tiles_w(tw), v_stride(shape.in_channels * th * tw + kSkew), slots(buffer),
        phases(scratch), held(static_cast<size_t>(shape.kernel_d), -1) {}
  static int64_t floats(const Winograd3dShape& shape, int64_t th, int64_t tw) {
    return shape.kernel_d * 36 * (shape.in_channels * th * tw + kSkew);
  }
  const float* slice(int64_t depth) {
    const int64_t slot = depth % s.kernel_d;
    float* v = slots + slot * 36 * v_stride;
    if (held[static_cast<size_t>(slot)] != depth) {
      const int64_t plane = s.in_h * s.in_w, tiles = tiles_h * tiles_w;
      for (int64_t c = 0; c < s.in_channels; ++c) {
        transform_plane(x + (c * s.in_d + depth) * plane, s.in_w, 1, s.in_h, s.in_w, s.pad_top, s.pad_left, tiles_h,
                        tiles_w, v + c * tiles, v_stride, phases);
      }
      held[static_cast<size_t>(slot)] = depth;
    }
    return v;
  }
};

// Calls f(a, depth) for each kernel depth a whose input slice depth = od - pad_front + a exists.
template <typename F>
void for_each_input_slice(const Winograd3dShape& s, int64_t od, F&& f) {
  for (int64_t a = 0; a < s.kernel_d; ++a) {
    const int64_t depth = od - s.pad_front + a;
    if (depth >= 0 && depth < s.in_d) f(a, depth);
  }
}

// y = conv3d(x, w) with u[a][xi][c][k], the transformed kernels of each kernel depth a.
void winograd3d_forward_impl(const Winograd3dShape& s, const float* x, const float* u, float* y) {
  const int64_t tiles_h = (s.out_h + 3) / 4, tiles_w = (s.out_w + 3) / 4, tiles = tiles_h * tiles_w;
  const int64_t c_in = s.in_channels, k_out = s.out_channels, m_stride = k_out * tiles + kSkew;
  const int64_t ring_floats = SliceRing::floats(s, tiles_h, tiles_w), plane_phases = phase_floats(tiles_h, tiles_w);
  auto run_image = [&](int64_t n, bool parallel) {
    float* ring_buffer = thread_scratch(ring_floats + 36 * m_stride + plane_phases + 32 * tiles_w + 8);
    float* m = ring_buffer + ring_floats;
    float* phases = m + 36 * m_stride;
    float* rows = phases + plane_phases;
    SliceRing ring(s, x + n * c_in * s.in_d * s.in_h * s.in_w, tiles_h, tiles_w, ring_buffer, phases);
    for (int64_t od = 0; od < s.out_d; ++od) {
      // M[xi][k][t] = sum over kernel depths a and channels c of U[a][xi][c][k] * V(od - pad + a)[xi][c][t]
      bool any = false;
      for_each_input_slice(s, od, [&](int64_t a, int64_t depth) {
        all_products(parallel, 36, u + a * 36 * c_in * k_out, {c_in * k_out, 1, k_out}, ring.slice(depth),
                     {ring.v_stride, 0, tiles}, m, {m_stride, tiles, 0}, k_out, tiles, c_in, any);
        any = true;
      });
      for (int64_t k = 0; k < k_out; ++k) {
        float* out = y + ((n * k_out + k) * s.out_d + od) * s.out_h * s.out_w;
        if (any) {
          write_plane(m + k * tiles, m_stride, tiles_h, tiles_w, s.out_h, s.out_w, out, phases, rows);
        } else {
          std::fill(out, out + s.out_h * s.out_w, 0.0f);
        }
      }
    }
  };
  if (s.batch >= 2) {
    parallel_for(0, s.batch, 1, [&](int64_t b, int64_t e) {
      for (int64_t n = b; n < e; ++n) run_image(n, false);
    });
  } else if (s.batch == 1) {
    run_image(0, true);
  }
}

// du[slot][a][xi][c][k]: the transformed weight gradient of each of `slots` fixed runs of images,
// which run_weight_chunks adds into slot 0 in slot order.
void winograd3d_weight_products_impl(const Winograd3dShape& s, const float* x, const float* dy, int64_t slots,
                                     float* du) {
  const int64_t tiles_h = (s.out_h + 3) / 4, tiles_w = (s.out_w + 3) / 4, tiles = tiles_h * tiles_w;
  const int64_t c_in = s.in_channels, k_out = s.out_channels, dm_stride = k_out * tiles + kSkew;
  const int64_t du_size = s.kernel_d * 36 * c_in * k_out, out_plane = s.out_h * s.out_w;
  const int64_t ring_floats = SliceRing::floats(s, tiles_h, tiles_w);
  const int64_t buffer_floats = std::max(phase_floats(tiles_h, tiles_w), 16 * tiles * k_out);
  auto run_slot = [&](int64_t slot, bool parallel) {
    float* target = du + slot * du_size;
    std::fill(target, target + du_size, 0.0f);
    float* ring_buffer = thread_scratch(ring_floats + 36 * dm_stride + 2 * buffer_floats);
    float* dm = ring_buffer + ring_floats;
    float* phases = dm + 36 * dm_stride;        // an input plane's phases
    float* dy_last = phases + buffer_floats;    // dy's slice channels-last
    for (int64_t n = slot * s.batch / slots; n < (slot + 1) * s.batch / slots; ++n) {
      SliceRing ring(s, x + n * c_in * s.in_d * s.in_h * s.in_w, tiles_h, tiles_w, ring_buffer, phases);
      for (int64_t od = 0; od < s.out_d; ++od) {
        bool transformed = false;
        for_each_input_slice(s, od, [&](int64_t a, int64_t depth) {
          if (!transformed) {  // dM = A dy A^T of this output slice, channels on lanes
            transpose_channels_last(dy + (n * k_out * s.out_d + od) * out_plane, k_out, s.out_d * out_plane, s.out_h,
                                    s.out_w, s.out_w, 1, 4 * tiles_h, 4 * tiles_w, dy_last);
            gradient_transform(dy_last, tiles_h, tiles_w, k_out, dm, dm_stride);
            transformed = true;
          }
          // dU[a][xi][c][k] += sum_t V(depth)[xi][c][t] * dM[xi][t][k]
          all_products(parallel, 36, ring.slice(depth), {ring.v_stride, tiles, 1}, dm, {dm_stride, 0, k_out},
                       target + a * 36 * c_in * k_out, {c_in * k_out, k_out, 0}, c_in, k_out, tiles, true);
        });
      }
    }
  };
  conv_parallel::run_weight_chunks(slots, du_size, du, du + du_size, run_slot);
}
