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
