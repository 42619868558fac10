#include "ember/kernels/direct_conv.h"

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#include "ember/core/parallel.h"
#include "ember/kernels/scratch.h"

namespace ember::kernels {

namespace {

// Tiles per parallel task, about: each is at least C x taps x 2 vector multiply-adds per channel.
constexpr int64_t kDirectTileGrain = 4;
// Padded positions a pass walks (the outputs and the pitch's padding columns between their
// rows), at most this many times the outputs.
constexpr double kMaxPitchWaste = 1.5;
// Multiply-adds per output (input channels x taps) below which the stores dominate.
constexpr int64_t kMinWorkPerOutput = 16;
// Output channels the kernel takes: below the minimum a tile of them is mostly empty; above the
// maximum im2col's GEMM is as fast or faster on AVX2 (AlexNet-CIFAR's 3 -> 64 layer: 11.3 ms
// direct against 8.6 through im2col with the AVX2 variant; 7.7 against 8.2 with AVX-512).
constexpr int64_t kMinOutputChannels = 4, kMaxOutputChannels = 32;

// The padded layout: channels of depth dp x height hp x pitch wp (the input at offset
// (pad_front, pad_top, pad_left), zeros around), each channel_stride floats apart; output position
// (od, oh, ow) is padded position q = (od * hp + oh) * wp + ow, and tap t reads q + offset[t].
struct DirectLayout {
  int64_t dp, hp, wp, span, tiles, channel_stride;
  std::vector<int64_t> offset;  // per tap, in the weight's (kd, kh, kw) order
  std::vector<int64_t> dest;    // per padded position: the output's flat index, or -1
  // Per tile, its valid positions as runs of consecutive outputs: tile t's runs are
  // runs[run_begin[t]] up to runs[run_begin[t + 1]], so a tile stores a few copies, not a
  // position-by-position test.
  struct Run {
    int64_t first, length, dest;  // the tile's positions [first, first + length): outputs from dest on
  };
  std::vector<Run> runs;
  std::vector<int64_t> run_begin;

  DirectLayout(const DirectConvShape& s, int64_t tile_positions)
      : dp(s.out_d + (s.kernel_d - 1) * s.dilation_d),
        hp(s.out_h + (s.kernel_h - 1) * s.dilation_h),
        wp(s.out_w + (s.kernel_w - 1) * s.dilation_w) {
    for (int64_t a = 0; a < s.kernel_d; ++a) {
      for (int64_t i = 0; i < s.kernel_h; ++i) {
        for (int64_t j = 0; j < s.kernel_w; ++j) {
          offset.push_back((a * s.dilation_d * hp + i * s.dilation_h) * wp + j * s.dilation_w);
        }
      }
    }
    span = ((s.out_d - 1) * hp + (s.out_h - 1)) * wp + s.out_w;
    tiles = (span + tile_positions - 1) / tile_positions;
    // Every load of every tile stays inside the channel (the last tile reads past the span).
    channel_stride = (std::max(dp * hp * wp, tiles * tile_positions + offset.back()) + 15) / 16 * 16;
    dest.assign(static_cast<size_t>(tiles * tile_positions), -1);
    for (int64_t od = 0; od < s.out_d; ++od) {
      for (int64_t oh = 0; oh < s.out_h; ++oh) {
        for (int64_t ow = 0; ow < s.out_w; ++ow) dest[(od * hp + oh) * wp + ow] = (od * s.out_h + oh) * s.out_w + ow;
      }
    }
    for (int64_t t = 0; t < tiles; ++t) {
      run_begin.push_back(static_cast<int64_t>(runs.size()));
      for (int64_t l = 0; l < tile_positions; ++l) {
        const int64_t d = dest[t * tile_positions + l];
        if (d < 0) continue;
        if (runs.size() > static_cast<size_t>(run_begin.back()) && runs.back().first + runs.back().length == l && runs.back().dest + runs.back().length == d) {
          ++runs.back().length;
        } else {
          runs.push_back({l, 1, d});
        }
      }
    }
    run_begin.push_back(static_cast<int64_t>(runs.size()));
  }
  int64_t taps() const { return static_cast<int64_t>(offset.size()); }

  // padded[c] = the image's channel c placed at (pad_front, pad_top, pad_left), zeros elsewhere,
  // for one image's channels.
  void pad_image(const DirectConvShape& s, const float* image, float* padded) const {
    for (int64_t c = 0; c < s.in_channels; ++c) pad_channel(s, image + c * s.in_d * s.in_h * s.in_w, padded + c * channel_stride);
  }
  // The same for every image, images in parallel.
  void pad_input(const DirectConvShape& s, const float* x, float* padded) const {
    const int64_t in_volume = s.in_d * s.in_h * s.in_w;
    parallel_for(0, s.batch * s.in_channels, 1, [&](int64_t begin, int64_t end) {
      for (int64_t index = begin; index < end; ++index) pad_channel(s, x + index * in_volume, padded + index * channel_stride);
    });
  }

  // out[k][i] = the output-sized planes' values at padded positions q0 + i (zeros where a
  // position is no output, and in rows k >= channels), for i in [0, count); rows `pitch` apart.
  void place_output(const DirectConvShape& s, const float* planes, int64_t channels, int64_t q0, int64_t count,
                    float* out, int64_t pitch, int64_t rows) const {
    const int64_t out_volume = s.out_d * s.out_h * s.out_w;
    for (int64_t k = 0; k < rows; ++k) std::memset(out + k * pitch, 0, static_cast<size_t>(count) * sizeof(float));
    for (int64_t od = 0; od < s.out_d; ++od) {
      for (int64_t oh = 0; oh < s.out_h; ++oh) {
        const int64_t q = (od * hp + oh) * wp;
        const int64_t lo = std::max(q, q0), hi = std::min(q + s.out_w, q0 + count);
        if (lo >= hi) continue;
        const int64_t src = (od * s.out_h + oh) * s.out_w + (lo - q);
        for (int64_t k = 0; k < channels; ++k) {
          std::memcpy(out + k * pitch + (lo - q0), planes + k * out_volume + src, static_cast<size_t>(hi - lo) * sizeof(float));
        }
      }
    }
  }

 private:
  void pad_channel(const DirectConvShape& s, const float* src, float* dst) const {
    std::memset(dst, 0, static_cast<size_t>(channel_stride) * sizeof(float));
    for (int64_t id = 0; id < s.in_d; ++id) {
      for (int64_t ih = 0; ih < s.in_h; ++ih) {
        std::memcpy(dst + ((id + s.pad_front) * hp + ih + s.pad_top) * wp + s.pad_left,
                    src + (id * s.in_h + ih) * s.in_w, static_cast<size_t>(s.in_w) * sizeof(float));
      }
    }
  }
};

// The padding after each dimension, from the output size (stride 1).
int64_t pad_after(int64_t in, int64_t out, int64_t kernel, int64_t dilation, int64_t before) {
  return out + (kernel - 1) * dilation - in - before;
}

bool pads_fit(int64_t in, int64_t out, int64_t kernel, int64_t dilation, int64_t before) {
  const int64_t reach = (kernel - 1) * dilation, after = pad_after(in, out, kernel, dilation, before);
  return before >= 0 && after >= 0 && before <= reach && after <= reach;
}

// Padded positions from the first output to the last, per output.
double pitch_waste(int64_t out_d, int64_t out_h, int64_t out_w, int64_t reach_h, int64_t reach_w) {
  const int64_t pitch = out_w + reach_w;
  const double span = static_cast<double>(((out_d - 1) * (out_h + reach_h) + out_h - 1) * pitch + out_w);
  return span / static_cast<double>(out_d * out_h * out_w);
}

// Whether a pass whose outputs are out (d, h, w), summing `work` products each, takes the kernel.
bool pass_fits(int64_t out_d, int64_t out_h, int64_t out_w, const DirectConvShape& s, int64_t work) {
  return work >= kMinWorkPerOutput &&
         pitch_waste(out_d, out_h, out_w, (s.kernel_h - 1) * s.dilation_h, (s.kernel_w - 1) * s.dilation_w) <=
             kMaxPitchWaste;
}

}  // namespace
}  // namespace ember::kernels

#define EMBER_ISA_BODY "ember/kernels/direct_conv-inl.h"
#include "ember/kernels/isa/variants.h"

namespace ember::kernels {

bool direct_conv_fits(const DirectConvShape& s) {
  if (s.batch < 1 || s.in_channels < 1 || s.out_channels < 1 || s.out_d < 1 || s.out_h < 1 || s.out_w < 1) return false;
  const int64_t taps = s.kernel_d * s.kernel_h * s.kernel_w;
  return pads_fit(s.in_d, s.out_d, s.kernel_d, s.dilation_d, s.pad_front) &&
         pads_fit(s.in_h, s.out_h, s.kernel_h, s.dilation_h, s.pad_top) &&
         pads_fit(s.in_w, s.out_w, s.kernel_w, s.dilation_w, s.pad_left) && s.out_channels >= kMinOutputChannels &&
         s.out_channels <= kMaxOutputChannels && pass_fits(s.out_d, s.out_h, s.out_w, s, s.in_channels * taps);
}

bool direct_conv_input_fits(const DirectConvShape& s) {
  const int64_t taps = s.kernel_d * s.kernel_h * s.kernel_w;
  // Its outputs are the input's channels: the same bounds hold for them.
  return direct_conv_fits(s) && s.in_channels >= kMinOutputChannels && s.in_channels <= kMaxOutputChannels &&
         pass_fits(s.in_d, s.in_h, s.in_w, s, s.out_channels * taps);
}

void direct_conv_forward(const DirectConvShape& s, const float* x, const float* w, const float* bias, bool relu,
                         float* y) {
  EMBER_ISA_CALL(direct_conv)(s, x, w, bias, relu, y);
}

void direct_conv_backward_weight(const DirectConvShape& s, const float* x, const float* dy, float* dw) {
  EMBER_ISA_CALL(direct_conv_weight)(s, x, dy, dw);
}

void direct_conv_backward_input(const DirectConvShape& s, const float* dy, const float* w, float* dx) {
  // dx = conv(dy, w') with w'[c][k][a][i][j] = w[k][c][kd-1-a][kh-1-i][kw-1-j] and each padding
  // mirrored: dx[i] = sum over taps j of w[j] dy[i + pad - j * dilation], a convolution of dy
  // with the taps reversed and padding (kernel - 1) * dilation - pad before each dimension.
  const int64_t C = s.in_channels, K = s.out_channels, taps = s.kernel_d * s.kernel_h * s.kernel_w;
  std::vector<float> flipped(static_cast<size_t>(C * K * taps));
  for (int64_t k = 0; k < K; ++k) {
    for (int64_t c = 0; c < C; ++c) {
      for (int64_t t = 0; t < taps; ++t) flipped[(c * K + k) * taps + taps - 1 - t] = w[(k * C + c) * taps + t];
    }
  }
  DirectConvShape adjoint = s;
  adjoint.in_channels = K;
  adjoint.out_channels = C;
  adjoint.in_d = s.out_d;
  adjoint.in_h = s.out_h;
  adjoint.in_w = s.out_w;
  adjoint.out_d = s.in_d;
  adjoint.out_h = s.in_h;
  adjoint.out_w = s.in_w;
  adjoint.pad_front = (s.kernel_d - 1) * s.dilation_d - s.pad_front;
  adjoint.pad_top = (s.kernel_h - 1) * s.dilation_h - s.pad_top;
  adjoint.pad_left = (s.kernel_w - 1) * s.dilation_w - s.pad_left;
  EMBER_ISA_CALL(direct_conv)(adjoint, dy, flipped.data(), nullptr, false, dx);
}

}  // namespace ember::kernels
