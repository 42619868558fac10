// The direct convolution's kernel (direct_conv.h), compiled once per instruction set
// (isa/variants.h; included by direct_conv.cpp). A tile is kTileChannels output channels x
// kTilePositions consecutive padded positions, accumulated in registers: per input channel and
// tap, kTileVectors vector loads of the input and one broadcast weight per output channel.

typedef float vfloat __attribute__((vector_size(kIsaVectorFloats * sizeof(float))));
typedef int32_t vmask __attribute__((vector_size(kIsaVectorFloats * sizeof(float))));
constexpr int kVec = kIsaVectorFloats;
constexpr int kTileVectors = 2;
constexpr int64_t kTilePositions = kTileVectors * kVec;
// 8 x 2 accumulators fill half of AVX-512's 32 registers; 4 x 2 leave room in AVX2's and SSE's 16.
constexpr int kTileChannels = kVec >= 16 ? 8 : 4;

inline vfloat load_vector(const float* p) {
  vfloat v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

inline void store_vector(float* p, vfloat v) { std::memcpy(p, &v, sizeof(v)); }

void direct_conv(const DirectConvShape& s, const float* x, const float* w, const float* bias, bool relu, float* y) {
  const DirectLayout layout(s, kTilePositions);
  const int64_t C = s.in_channels, K = s.out_channels, taps = layout.taps();
  const int64_t tiles = layout.tiles, stride = layout.channel_stride, out_volume = s.out_d * s.out_h * s.out_w;
  const int64_t channel_blocks = (K + kTileChannels - 1) / kTileChannels;
  // One buffer: the padded input of every image, then the weights as
  // [channel block][input channel][tap][kTileChannels] (zeros past K), so a tile's broadcasts
  // walk one contiguous run.
  const int64_t padded_floats = s.batch * C * stride;
  float* padded = thread_scratch(padded_floats + channel_blocks * C * taps * kTileChannels, 1);
  float* packed = padded + padded_floats;
  layout.pad_input(s, x, padded);
  std::fill(packed, packed + channel_blocks * C * taps * kTileChannels, 0.0f);
  for (int64_t k = 0; k < K; ++k) {
    for (int64_t c = 0; c < C; ++c) {
      for (int64_t t = 0; t < taps; ++t) {
        packed[((k / kTileChannels * C + c) * taps + t) * kTileChannels + k % kTileChannels] = w[(k * C + c) * taps + t];
      }
    }
  }
  const int64_t* offset = layout.offset.data();
  const int64_t* dest = layout.dest.data();
  parallel_for(0, s.batch * tiles, kDirectTileGrain, [&](int64_t begin, int64_t end) {
    for (int64_t index = begin; index < end; ++index) {
      const int64_t n = index / tiles, tile = index % tiles, q0 = tile * kTilePositions;
      const float* xn = padded + n * C * stride + q0;
      for (int64_t block = 0; block < channel_blocks; ++block) {
        vfloat acc[kTileChannels][kTileVectors] = {};
        const float* wb = packed + block * C * taps * kTileChannels;
        for (int64_t c = 0; c < C; ++c) {
          const float* xc = xn + c * stride;
          const float* wc = wb + c * taps * kTileChannels;
          for (int64_t t = 0; t < taps; ++t) {
            vfloat xv[kTileVectors];
#pragma GCC unroll 4
            for (int v = 0; v < kTileVectors; ++v) xv[v] = load_vector(xc + offset[t] + v * kVec);
#pragma GCC unroll 16
            for (int r = 0; r < kTileChannels; ++r) {
              const vfloat wv = wc[t * kTileChannels + r] - vfloat{};  // a broadcast (w - 0 is w, -0 included)
#pragma GCC unroll 4
              for (int v = 0; v < kTileVectors; ++v) acc[r][v] += wv * xv[v];
            }
          }
        }
        for (int r = 0; r < kTileChannels && block * kTileChannels + r < K; ++r) {
          const int64_t k = block * kTileChannels + r;
          const float b = bias ? bias[k] : 0.0f;
          float* yk = y + (n * K + k) * out_volume;
          if (layout.whole[tile]) {  // the tile's positions are consecutive outputs
            for (int v = 0; v < kTileVectors; ++v) {
              vfloat o = acc[r][v] + b;
              if (relu) o = ((o > 0) | (o != o)) ? o : vfloat{};
              store_vector(yk + dest[q0] + v * kVec, o);
            }
          } else {
            float values[kTilePositions];
            std::memcpy(values, acc[r], sizeof(values));
            for (int64_t l = 0; l < kTilePositions; ++l) {
              const int64_t d = dest[q0 + l];
              if (d >= 0) yk[d] = relu ? relu_value(values[l] + b) : values[l] + b;
            }
          }
        }
      }
    }
  });
}

// ---- weight gradient: dw[k][c][t] = sum over images and output positions of dy * x(t) ----
//
// dy is transposed, a chunk of positions at a time, to [position][output channel]. A tile is
// KV vectors of output channels x tt taps of one input channel: per position,
// the vectors of dy and one broadcast input value per tap, tt x KV
// multiply-adds into partial sums whose lanes are output channels (no lane reductions). Chunks
// (several images, or part of one) keep dy and x in the core's L2 while every tile reads them;
// they run in order and each tile adds into its own entries, so the order of every sum is fixed.

// Positions per chunk (a transposed dy chunk of K rows of this many floats stays in L2).
constexpr int64_t kWeightChunkPositions = 1024;

struct WeightPass {
  const DirectConvShape& s;
  const DirectLayout& layout;
  const float* padded_x;  // [batch][C][channel_stride]
  float* dy_t;            // one chunk of dy: [image in chunk][position in chunk][k_padded]
  int64_t k_padded;       // K rounded up to the tile's output channels
  float* sums;            // [C][taps][k_padded]
};

template <int TT, int KV>
void weight_tile(const WeightPass& w, int64_t kb, int64_t c, int64_t t0, int64_t n0, int64_t n1, int64_t q0,
                 int64_t q1) {
  const int64_t C = w.s.in_channels, taps = w.layout.taps(), kp = w.k_padded;
  vfloat acc[TT][KV] = {};
  int64_t offset[TT];
  for (int u = 0; u < TT; ++u) offset[u] = w.layout.offset[t0 + u];
  for (int64_t n = n0; n < n1; ++n) {
    const float* x = w.padded_x + (n * C + c) * w.layout.channel_stride;
    const float* dy = w.dy_t + (n - n0) * (q1 - q0) * kp + kb * KV * kVec;
    for (int64_t q = q0; q < q1; ++q, dy += kp) {
      vfloat d[KV];
#pragma GCC unroll 4
      for (int v = 0; v < KV; ++v) d[v] = load_vector(dy + v * kVec);
#pragma GCC unroll 16
      for (int u = 0; u < TT; ++u) {
        const vfloat xv = x[q + offset[u]] - vfloat{};  // a broadcast
#pragma GCC unroll 4
        for (int v = 0; v < KV; ++v) acc[u][v] += xv * d[v];
      }
    }
  }
  for (int u = 0; u < TT; ++u) {
    float* entry = w.sums + ((c * taps + t0 + u) * kp) + kb * KV * kVec;
    for (int v = 0; v < KV; ++v) {
      store_vector(entry + v * kVec, load_vector(entry + v * kVec) + acc[u][v]);
    }
  }
}

// dy of images [n0, n1), positions [q0, q1) transposed, then every tile, tiles in parallel.
template <int TT, int KV>
void weight_chunk(const WeightPass& w, const float* dy, int64_t n0, int64_t n1, int64_t q0, int64_t q1) {
  const DirectConvShape& s = w.s;
  const int64_t C = s.in_channels, K = s.out_channels, taps = w.layout.taps(), kp = w.k_padded;
  const int64_t out_volume = s.out_d * s.out_h * s.out_w, width = q1 - q0;
  const int64_t* dest = w.layout.dest.data();
  parallel_for(0, (n1 - n0) * width, 256, [&](int64_t begin, int64_t end) {
    for (int64_t index = begin; index < end; ++index) {
      const int64_t n = n0 + index / width, q = q0 + index % width, d = dest[q];
      float* __restrict row = w.dy_t + index * kp;
      const float* src = dy + n * K * out_volume + d;
      for (int64_t k = 0; k < kp; ++k) row[k] = d >= 0 && k < K ? src[k * out_volume] : 0.0f;
    }
  });
  const int64_t k_blocks = kp / (KV * kVec), t_blocks = taps / TT;
  parallel_for(0, k_blocks * C * t_blocks, 4, [&](int64_t begin, int64_t end) {
    for (int64_t index = begin; index < end; ++index) {
      const int64_t c = index / (k_blocks * t_blocks), tb = index / k_blocks % t_blocks, kb = index % k_blocks;
      weight_tile<TT, KV>(w, kb, c, tb * TT, n0, n1, q0, q1);
    }
  });
}

template <int TT, int KV>
void direct_weight(const DirectConvShape& s, const float* x, const float* dy, float* dw) {
  const DirectLayout layout(s, kTilePositions);
  const int64_t C = s.in_channels, K = s.out_channels, taps = layout.taps();
  const int64_t positions = layout.tiles * kTilePositions;
  const int64_t k_padded = (K + KV * kVec - 1) / (KV * kVec) * (KV * kVec);
  const int64_t images = positions <= kWeightChunkPositions ? std::max<int64_t>(1, kWeightChunkPositions / positions) : 1;
  const int64_t chunk_positions = std::min(positions, kWeightChunkPositions);
  const int64_t padded_floats = s.batch * C * layout.channel_stride;
  const int64_t dy_floats = images * chunk_positions * k_padded, sum_floats = C * taps * k_padded;
  float* padded_x = thread_scratch(padded_floats + dy_floats + sum_floats, 1);
  float* dy_t = padded_x + padded_floats;
  float* sums = dy_t + dy_floats;
  layout.pad_input(s, x, padded_x);
  std::fill(sums, sums + sum_floats, 0.0f);
  const WeightPass pass{s, layout, padded_x, dy_t, k_padded, sums};
  for (int64_t n0 = 0; n0 < s.batch; n0 += images) {
    for (int64_t q0 = 0; q0 < positions; q0 += chunk_positions) {
      weight_chunk<TT, KV>(pass, dy, n0, std::min(s.batch, n0 + images), q0, std::min(positions, q0 + chunk_positions));
    }
  }
  for (int64_t k = 0; k < K; ++k) {
    for (int64_t ct = 0; ct < C * taps; ++ct) dw[k * C * taps + ct] = sums[ct * k_padded + k];
  }
}

// The tile for this instruction set, tap count and channel count: TT taps (dividing the taps) x
// KV vectors of output channels, the TT x KV partial sums, KV dy vectors and a broadcast within
// the register file (32 vector registers with AVX-512, 16 otherwise).
void direct_conv_weight(const DirectConvShape& s, const float* x, const float* dy, float* dw) {
  const int64_t taps = s.kernel_d * s.kernel_h * s.kernel_w;
  if constexpr (kVec >= 16) {
    const bool wide = s.out_channels > 2 * kVec;
    if (taps % 9 == 0) return direct_weight<9, 2>(s, x, dy, dw);
    if (taps % 5 == 0) return wide ? direct_weight<5, 4>(s, x, dy, dw) : direct_weight<5, 2>(s, x, dy, dw);
    if (taps % 3 == 0) return wide ? direct_weight<3, 4>(s, x, dy, dw) : direct_weight<3, 2>(s, x, dy, dw);
    if (taps % 2 == 0) return wide ? direct_weight<2, 4>(s, x, dy, dw) : direct_weight<2, 2>(s, x, dy, dw);
    return wide ? direct_weight<1, 4>(s, x, dy, dw) : direct_weight<1, 2>(s, x, dy, dw);
  } else {
    if (taps % 5 == 0) return direct_weight<5, 2>(s, x, dy, dw);
    if (taps % 3 == 0) return direct_weight<3, 2>(s, x, dy, dw);
    if (taps % 2 == 0) return direct_weight<2, 2>(s, x, dy, dw);
    return direct_weight<1, 2>(s, x, dy, dw);
  }
}
