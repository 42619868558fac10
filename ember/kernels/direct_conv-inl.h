// The direct convolution's kernels (direct_conv.h), compiled once per instruction set
// (isa/variants.h; included by direct_conv.cpp). Two forward tilings, by the output channels:
// - up to 8: positions on lanes. A tile is KT output channels x kTilePositions
//   consecutive padded positions, accumulated in registers: per input channel and tap,
//   kTileVectors vector loads of the input and one broadcast weight per output channel.
// - more: output channels on lanes. A tile is R consecutive padded positions x KV vectors of L
//   output channels: per input channel and tap, KV vector loads of the packed weights and R
//   broadcasts of the input (no unaligned vector loads straddling cache lines); the tiles of a
//   block of positions land in a [position][channel] buffer that the block's runs of outputs
//   copy to NCHW with the bias and ReLU.

#include "ember/kernels/isa/lanes-inl.h"

typedef float vfloat __attribute__((vector_size(kIsaVectorFloats * sizeof(float))));
constexpr int kVec = kIsaVectorFloats;
constexpr int kTileVectors = 2;
constexpr int64_t kTilePositions = kTileVectors * kVec;

inline vfloat load_vector(const float* p) {
  vfloat v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

inline void store_vector(float* p, vfloat v) { std::memcpy(p, &v, sizeof(v)); }

template <int KT>
void position_lanes_forward(const DirectConvShape& s, const float* x, const float* w, const float* bias, bool relu,
                            float* y) {
  const DirectLayout layout(s, kTilePositions);
  const int64_t C = s.in_channels, K = s.out_channels, taps = layout.taps();
  const int64_t tiles = layout.tiles, stride = layout.channel_stride, out_volume = s.out_d * s.out_h * s.out_w;
  const int64_t channel_blocks = (K + KT - 1) / KT;
  // One buffer: the padded input of every image, then the weights as
  // [channel block][input channel][tap][KT] (zeros past K), so a tile's broadcasts
  // walk one contiguous run.
  const int64_t padded_floats = s.batch * C * stride;
  float* padded = thread_scratch(padded_floats + channel_blocks * C * taps * KT, 1);
  float* packed = padded + padded_floats;
  layout.pad_input(s, x, padded);
  std::fill(packed, packed + channel_blocks * C * taps * KT, 0.0f);
  for (int64_t k = 0; k < K; ++k) {
    for (int64_t c = 0; c < C; ++c) {
      for (int64_t t = 0; t < taps; ++t) {
        packed[((k / KT * C + c) * taps + t) * KT + k % KT] = w[(k * C + c) * taps + t];
      }
    }
  }
  const int64_t* offset = layout.offset.data();
  const DirectLayout::Run* runs = layout.runs.data();
  const int64_t* run_begin = layout.run_begin.data();
  parallel_for(0, s.batch * tiles, kDirectTileGrain, [&](int64_t begin, int64_t end) {
    for (int64_t index = begin; index < end; ++index) {
      const int64_t n = index / tiles, tile = index % tiles, q0 = tile * kTilePositions;
      const float* xn = padded + n * C * stride + q0;
      for (int64_t block = 0; block < channel_blocks; ++block) {
        vfloat acc[KT][kTileVectors] = {};
        const float* wb = packed + block * C * taps * KT;
        for (int64_t c = 0; c < C; ++c) {
          const float* xc = xn + c * stride;
          const float* wc = wb + c * taps * KT;
          for (int64_t t = 0; t < taps; ++t) {
            vfloat xv[kTileVectors];
#pragma GCC unroll 4
            for (int v = 0; v < kTileVectors; ++v) xv[v] = load_vector(xc + offset[t] + v * kVec);
#pragma GCC unroll 16
            for (int r = 0; r < KT; ++r) {
              const vfloat wv = wc[t * KT + r] - vfloat{};  // a broadcast (w - 0 is w, -0 included)
#pragma GCC unroll 4
              for (int v = 0; v < kTileVectors; ++v) acc[r][v] += wv * xv[v];
            }
          }
        }
        const DirectLayout::Run* first_run = runs + run_begin[tile];
        const DirectLayout::Run* last_run = runs + run_begin[tile + 1];
        const bool whole = last_run - first_run == 1 && first_run->length == kTilePositions;
        for (int r = 0; r < KT && block * KT + r < K; ++r) {
          const int64_t k = block * KT + r;
          const vfloat b = (bias ? bias[k] : 0.0f) - vfloat{};
          float values[kTilePositions];
          for (int v = 0; v < kTileVectors; ++v) {
            vfloat o = acc[r][v] + b;
            if (relu) o = ((o > 0) | (o != o)) ? o : vfloat{};
            store_vector(values + v * kVec, o);
          }
          float* yk = y + (n * K + k) * out_volume;
          if (whole) {
            std::memcpy(yk + first_run->dest, values, sizeof(values));
            continue;
          }
          for (const DirectLayout::Run* run = first_run; run != last_run; ++run) {
            for (int64_t l = 0; l < run->length; ++l) yk[run->dest + l] = values[run->first + l];
          }
        }
      }
    }
  });
}

// Channels on lanes: tile[r * kp + v * L] (+)= the sums of R positions x KV channel vectors over
// C input channels and every tap (x at the tile's first position and first channel, w packed
// [C][taps][kp] at the first channel's tile channels); added to the tile's values if accumulate.
template <int L, int R, int KV>
void channel_forward_tile(const float* x, int64_t channel_stride, int64_t C, const int64_t* offset, int64_t taps,
                          const float* w, int64_t kp, bool accumulate, float* tile) {
  using V = typename Lanes<L>::type;
  V acc[R][KV] = {};
  if (accumulate) {
    for (int r = 0; r < R; ++r) {
      for (int v = 0; v < KV; ++v) acc[r][v] = load_lanes<L>(tile + r * kp + v * L);
    }
  }
  for (int64_t c = 0; c < C; ++c, x += channel_stride, w += taps * kp) {
    for (int64_t t = 0; t < taps; ++t) {
      const float* xt = x + offset[t];
      V wv[KV];
#pragma GCC unroll 4
      for (int v = 0; v < KV; ++v) wv[v] = load_lanes<L>(w + t * kp + v * L);
#pragma GCC unroll 32
      for (int r = 0; r < R; ++r) {
        const V xv = xt[r] - V{};  // a broadcast
#pragma GCC unroll 4
        for (int v = 0; v < KV; ++v) acc[r][v] += xv * wv[v];
      }
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < KV; ++v) store_lanes<L>(tile + r * kp + v * L, acc[r][v]);
  }
}

// A block of positions (a task) holds at most this many tiles; its input channels go in groups
// whose packed weights (this many floats, 32 KiB) stay in L1 while every tile of the block reads
// them, the tiles' sums kept in the block's buffer between groups.
constexpr int64_t kChannelBlockTiles = 16;
constexpr int64_t kChannelWeightFloats = 8192;

template <int L, int R, int KV>
void channel_lanes_forward(const DirectConvShape& s, const float* x, const float* w, const float* bias, bool relu,
                           float* y) {
  constexpr int64_t kChannelsPerTile = KV * L;
  // Blocks of equal whole tiles, as few as hold the image's positions: little past its last one.
  const int64_t tiles = (DirectLayout(s, R).span + R - 1) / R;
  const int64_t blocks = (tiles + kChannelBlockTiles - 1) / kChannelBlockTiles;
  const int64_t block_positions = (tiles + blocks - 1) / blocks * R;
  const DirectLayout layout(s, block_positions);
  const int64_t C = s.in_channels, K = s.out_channels, taps = layout.taps(), stride = layout.channel_stride;
  const int64_t out_volume = s.out_d * s.out_h * s.out_w;
  const int64_t kp = (K + kChannelsPerTile - 1) / kChannelsPerTile * kChannelsPerTile;
  const int64_t channel_group = std::clamp<int64_t>(kChannelWeightFloats / (taps * kp), 1, C);
  // One buffer: the padded input of every image, then the weights as [C][taps][kp] (zeros past K).
  const int64_t padded_floats = s.batch * C * stride;
  float* padded = thread_scratch(padded_floats + C * taps * kp, 1);
  float* packed = padded + padded_floats;
  layout.pad_input(s, x, padded);
  for (int64_t c = 0; c < C; ++c) {
    for (int64_t t = 0; t < taps; ++t) {
      float* row = packed + (c * taps + t) * kp;
      for (int64_t k = 0; k < kp; ++k) row[k] = k < K ? w[(k * C + c) * taps + t] : 0.0f;
    }
  }
  const int64_t* offset = layout.offset.data();
  const DirectLayout::Run* runs = layout.runs.data();
  const int64_t* run_begin = layout.run_begin.data();
  parallel_for(0, s.batch * layout.tiles, 1, [&](int64_t begin, int64_t end) {
    float* block = thread_scratch(block_positions * kp);
    for (int64_t index = begin; index < end; ++index) {
      const int64_t n = index / layout.tiles, b = index % layout.tiles;
      const float* xn = padded + n * C * stride + b * block_positions;
      for (int64_t c0 = 0; c0 < C; c0 += channel_group) {
        const int64_t group = std::min(channel_group, C - c0);
        for (int64_t kb = 0; kb < kp; kb += kChannelsPerTile) {
          for (int64_t r = 0; r < block_positions; r += R) {
            channel_forward_tile<L, R, KV>(xn + c0 * stride + r, stride, group, offset, taps,
                                           packed + c0 * taps * kp + kb, kp, c0 > 0, block + r * kp + kb);
          }
        }
      }
      // [position][channel] -> y's channel planes, run by run, with the bias and ReLU.
      float* yn = y + n * K * out_volume;
      for (int64_t i = run_begin[b]; i < run_begin[b + 1]; ++i) {
        const DirectLayout::Run& run = runs[i];
        const float* src = block + run.first * kp;
        for (int64_t k = 0; k < K; ++k) {
          const float bk = bias ? bias[k] : 0.0f;
          float* dst = yn + k * out_volume + run.dest;
          for (int64_t l = 0; l < run.length; ++l) {
            const float v = src[l * kp + k] + bk;
            dst[l] = relu && v <= 0.0f ? 0.0f : v;  // NaN stays NaN, as in relu_value
          }
        }
      }
    }
  });
}

// The tiling for this instruction set and output channel count (tiles of at most 24 partial sums
// beside the weights and a broadcast, in the 32 registers of AVX-512 or the 16 of AVX2 and SSE).
void direct_conv(const DirectConvShape& s, const float* x, const float* w, const float* bias, bool relu, float* y) {
  const int64_t K = s.out_channels;
  if (K <= 8) {
    // KT x 2 accumulators: 6 or 8 of them in AVX-512's 32 registers, 4 or 6 in the 16 of AVX2 and
    // SSE, whichever leaves fewer channels empty (6 for LeNet-5's, and for its input gradient's).
    if constexpr (kVec >= 16) {
      if ((K + 7) / 8 * 8 < (K + 5) / 6 * 6) return position_lanes_forward<8>(s, x, w, bias, relu, y);
    } else {
      if ((K + 3) / 4 * 4 < (K + 5) / 6 * 6) return position_lanes_forward<4>(s, x, w, bias, relu, y);
    }
    return position_lanes_forward<6>(s, x, w, bias, relu, y);
  }
  if constexpr (kVec >= 16) {
    if (K <= kVec) return channel_lanes_forward<kVec, 24, 1>(s, x, w, bias, relu, y);
    if (K <= 2 * kVec) return channel_lanes_forward<kVec, 12, 2>(s, x, w, bias, relu, y);
    return channel_lanes_forward<kVec, 6, 4>(s, x, w, bias, relu, y);
  } else {
    if (K <= kVec) return channel_lanes_forward<kVec, 12, 1>(s, x, w, bias, relu, y);
    return channel_lanes_forward<kVec, 6, 2>(s, x, w, bias, relu, y);
  }
}

// ---- weight gradient: dw[k][c][t] = sum over images and output positions of dy * x(t) ----
//
// dy is laid out in the padded pitch too (zeros at the pitch's padding columns), a chunk of
// positions at a time, so output position q of dy meets input position q + offset[t] of x. Two
// tilings (direct_conv_weight picks):
// - few output channels (at most 8), or few input channels x taps: positions on lanes. A tile is
//   KB output channels x TT taps of one input channel, summed over positions in vectors (per
//   vector of positions: KB loads of dy, TT loads of x, KB x TT multiply-adds); the lanes are
//   added at the very end. No lane is wasted on channels that do not exist.
// - otherwise output channels on lanes. dy is transposed to [position][channel]; a tile is KV
//   vectors of channels x TT taps of one input channel (per position: KV loads of dy, TT
//   broadcasts of x, TT x KV multiply-adds). Broadcasts never straddle cache lines as unaligned
//   vector loads do.
// The work is cut into a fixed number of slices (groups of images, and ranges of positions when
// there are few images), each with its own partial sums, run in parallel and added in slice
// order: the order of every sum depends on the shape alone.

// Floats of dy per chunk of positions (all channels), about: 32 KiB stay in L1 while every tile
// of the chunk reads them (AlexNet-CIFAR's 64 -> 64 layer: 43.7 -> ... ms with 2048 positions
// a chunk instead).
constexpr int64_t kWeightChunkFloats = 8192;
// Slices of the weight gradient's work (each with partial sums of the weight's size).
constexpr int64_t kWeightSlices = 16;
// Positions on lanes: output channels per tile.
constexpr int kWeightTileChannels = kVec >= 16 ? 4 : 2;
// Vector registers: the tiles' partial sums, dy and an operand of x fit in them.
constexpr int kVectorRegisters = kVec >= 16 ? 32 : 16;

// Where a tile's operands are: a block of images, each padded ([image][channel][channel_stride])
// and with dy's chunk of positions ([image][channel][chunk], or [image][position][channel] with
// the channels on lanes).
struct WeightBlock {
  const float* padded_x;  // at the chunk's first position
  const float* dy;
  int64_t images, x_image, dy_image, chunk, count;  // count: positions used of the chunk
};

// Positions on lanes: sums[(r * row + u)][:] += the partial sums of the block's channels r (dy
// rows) and taps offset[u], over every image and position of the block.
template <int TT>
void position_tile(const WeightBlock& b, const float* x, const int64_t* offset, const float* dy, float* sums,
                   int64_t row) {
  constexpr int KB = kWeightTileChannels;
  vfloat acc[KB][TT] = {};
  int64_t off[TT];
  for (int u = 0; u < TT; ++u) off[u] = offset[u];
  for (int64_t i = 0; i < b.images; ++i, x += b.x_image, dy += b.dy_image) {
    for (int64_t q = 0; q < b.count; q += kVec) {
      vfloat d[KB];
#pragma GCC unroll 8
      for (int r = 0; r < KB; ++r) d[r] = load_vector(dy + r * b.chunk + q);
#pragma GCC unroll 8
      for (int u = 0; u < TT; ++u) {
        const vfloat xv = load_vector(x + q + off[u]);
#pragma GCC unroll 8
        for (int r = 0; r < KB; ++r) acc[r][u] += d[r] * xv;
      }
    }
  }
  for (int r = 0; r < KB; ++r) {
    for (int u = 0; u < TT; ++u) {
      float* entry = sums + (r * row + u) * kVec;
      store_vector(entry, load_vector(entry) + acc[r][u]);
    }
  }
}

// Channels on lanes: sums[u * kp + v * L][:] += the partial sums of taps offset[u] and the block's
// channel vectors v (from dy's first), over every image and position of the block.
template <int L, int TT, int KV>
void channel_tile(const WeightBlock& b, const float* x, const int64_t* offset, const float* dy, int64_t kp,
                  float* sums) {
  using V = typename Lanes<L>::type;
  V acc[TT][KV] = {};
  int64_t off[TT];
  for (int u = 0; u < TT; ++u) off[u] = offset[u];
  for (int64_t i = 0; i < b.images; ++i, x += b.x_image) {
    const float* d_row = dy + i * b.dy_image;
    for (int64_t q = 0; q < b.count; ++q, d_row += kp) {
      V d[KV];
#pragma GCC unroll 4
      for (int v = 0; v < KV; ++v) d[v] = load_lanes<L>(d_row + v * L);
#pragma GCC unroll 32
      for (int u = 0; u < TT; ++u) {
        const V xv = x[q + off[u]] - V{};  // a broadcast
#pragma GCC unroll 4
        for (int v = 0; v < KV; ++v) acc[u][v] += xv * d[v];
      }
    }
  }
  for (int u = 0; u < TT; ++u) {
    for (int v = 0; v < KV; ++v) {
      store_lanes<L>(sums + u * kp + v * L, load_lanes<L>(sums + u * kp + v * L) + acc[u][v]);
    }
  }
}

// The tiles' shapes: positions on lanes with TT taps per tile, or channels on lanes with TT taps
// x KV vectors of L channels. Each walks its taps in tiles of TT and does the rest one by one.
template <int TT>
struct PositionLanes {
  static int64_t channels_padded(int64_t K) { return (K + kWeightTileChannels - 1) / kWeightTileChannels * kWeightTileChannels; }
  static constexpr int64_t kSumWidth = kVec;  // floats of partial sums per weight entry
  static constexpr bool kTransposed = false;
  static void block(const DirectLayout& layout, int64_t C, int64_t kp, const WeightBlock& b, float* sums) {
    const int64_t taps = layout.taps(), row = C * taps;
    for (int64_t kb = 0; kb < kp; kb += kWeightTileChannels) {
      for (int64_t c = 0; c < C; ++c) {
        const float* x = b.padded_x + c * layout.channel_stride;
        const float* dy = b.dy + kb * b.chunk;
        float* entry = sums + (kb * row + c * taps) * kVec;
        int64_t t = 0;
        for (; t + TT <= taps; t += TT) position_tile<TT>(b, x, layout.offset.data() + t, dy, entry + t * kVec, row);
        for (; t < taps; ++t) position_tile<1>(b, x, layout.offset.data() + t, dy, entry + t * kVec, row);
      }
    }
  }
  // sums as [slice][k][c * taps + t][kVec]: the slices' vectors in order, then the lanes.
  static float total(const float* sums, int64_t slices, int64_t slice_floats, int64_t ct_count, int64_t k, int64_t ct) {
    vfloat sum = load_vector(sums + (k * ct_count + ct) * kVec);
    for (int64_t slice = 1; slice < slices; ++slice) sum += load_vector(sums + slice * slice_floats + (k * ct_count + ct) * kVec);
    return lane_sum<kVec>(sum);
  }
};

template <int L, int TT, int KV>
struct ChannelLanes {
  static int64_t channels_padded(int64_t K) { return (K + KV * L - 1) / (KV * L) * (KV * L); }
  static constexpr int64_t kSumWidth = 1;
  static constexpr bool kTransposed = true;
  static void block(const DirectLayout& layout, int64_t C, int64_t kp, const WeightBlock& b, float* sums) {
    const int64_t taps = layout.taps();
    for (int64_t c = 0; c < C; ++c) {
      const float* x = b.padded_x + c * layout.channel_stride;
      for (int64_t kb = 0; kb < kp; kb += KV * L) {
        float* entry = sums + c * taps * kp + kb;
        int64_t t = 0;
        for (; t + TT <= taps; t += TT) channel_tile<L, TT, KV>(b, x, layout.offset.data() + t, b.dy + kb, kp, entry + t * kp);
        for (; t < taps; ++t) channel_tile<L, 1, KV>(b, x, layout.offset.data() + t, b.dy + kb, kp, entry + t * kp);
      }
    }
  }
  // sums as [slice][c * taps + t][kp]: the slices in order.
  static float total(const float* sums, int64_t slices, int64_t slice_floats, int64_t ct_count, int64_t k, int64_t ct) {
    const int64_t kp = slice_floats / ct_count;
    float sum = sums[ct * kp + k];
    for (int64_t slice = 1; slice < slices; ++slice) sum += sums[slice * slice_floats + ct * kp + k];
    return sum;
  }
};

template <typename Tiling>
void direct_weight(const DirectConvShape& s, const float* x, const float* dy, float* dw) {
  const DirectLayout layout(s, kTilePositions);
  const int64_t C = s.in_channels, K = s.out_channels, taps = layout.taps(), out_volume = s.out_d * s.out_h * s.out_w;
  const int64_t in_volume = s.in_d * s.in_h * s.in_w, positions = layout.tiles * kTilePositions;
  const int64_t kp = Tiling::channels_padded(K), slice_floats = kp * C * taps * Tiling::kSumWidth;
  const int64_t image_groups = std::min(s.batch, kWeightSlices);
  const int64_t position_parts = std::clamp<int64_t>(kWeightSlices / image_groups, 1, layout.tiles);
  const int64_t slices = image_groups * position_parts;
  // A block: as many images as fill a chunk of positions, or one image's chunk.
  const int64_t chunk =
      std::clamp<int64_t>(kWeightChunkFloats / kp / kTilePositions * kTilePositions, kTilePositions, positions);
  const int64_t block_images = std::max<int64_t>(1, chunk / positions);
  const int64_t x_image = C * layout.channel_stride, dy_image = kp * chunk;
  const int64_t dy_floats = (Tiling::kTransposed ? 2 : 1) * block_images * dy_image;
  std::vector<float> sums(static_cast<size_t>(slices * slice_floats), 0.0f);
  parallel_for(0, slices, 1, [&](int64_t begin, int64_t end) {
    float* padded = thread_scratch(block_images * x_image + dy_floats);
    float* dy_chunk = padded + block_images * x_image;
    float* dy_t = dy_chunk + block_images * dy_image;  // [image][position][channel] when transposed
    for (int64_t slice = begin; slice < end; ++slice) {
      const int64_t group = slice / position_parts, part = slice % position_parts;
      const int64_t first = group * s.batch / image_groups, last = (group + 1) * s.batch / image_groups;
      const int64_t q_begin = part * layout.tiles / position_parts * kTilePositions;
      const int64_t q_end = (part + 1) * layout.tiles / position_parts * kTilePositions;
      for (int64_t n0 = first; n0 < last; n0 += block_images) {
        const int64_t images = std::min(block_images, last - n0);
        for (int64_t i = 0; i < images; ++i) layout.pad_image(s, x + (n0 + i) * C * in_volume, padded + i * x_image);
        for (int64_t q0 = q_begin; q0 < q_end; q0 += chunk) {
          const int64_t count = std::min(q_end - q0, chunk);
          for (int64_t i = 0; i < images; ++i) {
            float* planes = dy_chunk + i * dy_image;
            layout.place_output(s, dy + (n0 + i) * K * out_volume, K, q0, count, planes, chunk, kp);
            if constexpr (Tiling::kTransposed) {
              float* __restrict rows = dy_t + i * dy_image;
              for (int64_t q = 0; q < count; ++q) {
                for (int64_t k = 0; k < kp; ++k) rows[q * kp + k] = planes[k * chunk + q];
              }
            }
          }
          const WeightBlock block{padded + q0, Tiling::kTransposed ? dy_t : dy_chunk, images, x_image, dy_image, chunk,
                                  count};
          Tiling::block(layout, C, kp, block, sums.data() + slice * slice_floats);
        }
      }
    }
  });
  for (int64_t k = 0; k < K; ++k) {
    for (int64_t ct = 0; ct < C * taps; ++ct) {
      dw[k * C * taps + ct] = Tiling::total(sums.data(), slices, slice_floats, C * taps, k, ct);
    }
  }
}

// The tiling for this instruction set, channel and tap count: TT taps (the most that fit, among
// those dividing the taps) with the partial sums, dy and an operand of x within the registers.
template <int L, int KV>
void channel_lanes_weight(const DirectConvShape& s, const float* x, const float* dy, float* dw) {
  constexpr int kMaxTaps = (kVectorRegisters - KV - 1) / KV;
  const int64_t taps = s.kernel_d * s.kernel_h * s.kernel_w;
  if (kMaxTaps >= 25 && taps % 25 == 0) return direct_weight<ChannelLanes<L, std::min(kMaxTaps, 25), KV>>(s, x, dy, dw);
  if (kMaxTaps >= 9 && taps % 9 == 0) return direct_weight<ChannelLanes<L, std::min(kMaxTaps, 9), KV>>(s, x, dy, dw);
  if (taps % 5 == 0) return direct_weight<ChannelLanes<L, 5, KV>>(s, x, dy, dw);
  return direct_weight<ChannelLanes<L, 3, KV>>(s, x, dy, dw);
}

void direct_conv_weight(const DirectConvShape& s, const float* x, const float* dy, float* dw) {
  const int64_t taps = s.kernel_d * s.kernel_h * s.kernel_w;
  // The transpose of dy pays once each position serves input channels x taps >= 64 broadcasts
  // (LeNet's second layer: 150, 325 us against 460 for a batch of 64 with positions on lanes;
  // SimpleConvNet's single-channel layer: 25, 735 against 567).
  if (s.out_channels > 8 && s.in_channels * taps >= 64) {
    if (s.out_channels <= kVec) return channel_lanes_weight<kVec, 1>(s, x, dy, dw);
    if (kVec < 16 || s.out_channels <= 2 * kVec) return channel_lanes_weight<kVec, 2>(s, x, dy, dw);
    return channel_lanes_weight<kVec, 4>(s, x, dy, dw);
  }
  if (taps % 5 == 0) return direct_weight<PositionLanes<5>>(s, x, dy, dw);
  if (taps % 3 == 0) return direct_weight<PositionLanes<3>>(s, x, dy, dw);
  return direct_weight<PositionLanes<4>>(s, x, dy, dw);
}
