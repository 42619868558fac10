#include "ember/kernels/direct_conv.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "ember/core/parallel.h"
#include "ember/kernels/relu_value.h"
#include "ember/kernels/scratch.h"

namespace ember::kernels {

namespace {

// Tiles per parallel task, about: each is at least C x taps x 2 vector multiply-adds per channel.
constexpr int64_t kDirectTileGrain = 4;
// Positions in the pitch's padding columns, at most this fraction more than the outputs.
constexpr double kMaxPitchWaste = 1.3;
// Multiply-adds per output (input channels x taps) below which the stores dominate.
constexpr int64_t kMinWorkPerOutput = 32;

// The padded layout: channels of depth dp x height hp x pitch wp (the input at offset
// (pad_front, pad_top, pad_left), zeros around), each channel_stride floats apart; output position
// (od, oh, ow) is padded position q = (od * hp + oh) * wp + ow, and tap t reads q + offset[t].
struct DirectLayout {
  int64_t dp, hp, wp, span, tiles, channel_stride;
  std::vector<int64_t> offset;  // per tap, in the weight's (kd, kh, kw) order
  std::vector<int64_t> dest;    // per padded position: the output's flat index, or -1
  std::vector<uint8_t> whole;   // per tile: its positions are consecutive valid outputs

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
    whole.assign(static_cast<size_t>(tiles), 1);
    for (int64_t t = 0; t < tiles; ++t) {
      for (int64_t l = 0; l < tile_positions; ++l) {
        const int64_t q = t * tile_positions + l;
        if (dest[q] < 0 || dest[q] != dest[t * tile_positions] + l) whole[t] = 0;
      }
    }
  }
  int64_t taps() const { return static_cast<int64_t>(offset.size()); }

  // padded[n][c] = x[n][c] placed at (pad_front, pad_top, pad_left), zeros elsewhere.
  void pad_input(const DirectConvShape& s, const float* x, float* padded) const {
    const int64_t in_volume = s.in_d * s.in_h * s.in_w;
    parallel_for(0, s.batch * s.in_channels, 1, [&](int64_t begin, int64_t end) {
      for (int64_t index = begin; index < end; ++index) {
        float* dst = padded + index * channel_stride;
        const float* src = x + index * in_volume;
        std::memset(dst, 0, static_cast<size_t>(channel_stride) * sizeof(float));
        for (int64_t id = 0; id < s.in_d; ++id) {
          for (int64_t ih = 0; ih < s.in_h; ++ih) {
            std::memcpy(dst + ((id + s.pad_front) * hp + ih + s.pad_top) * wp + s.pad_left,
                        src + (id * s.in_h + ih) * s.in_w, static_cast<size_t>(s.in_w) * sizeof(float));
          }
        }
      }
    });
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

double pitch_waste(int64_t out_h, int64_t out_w, int64_t kernel_h, int64_t kernel_w, int64_t dilation_h,
                   int64_t dilation_w) {
  const double padded = static_cast<double>(out_h + (kernel_h - 1) * dilation_h) * (out_w + (kernel_w - 1) * dilation_w);
  return padded / static_cast<double>(out_h * out_w);
}

}  // namespace
}  // namespace ember::kernels

#define EMBER_ISA_BODY "ember/kernels/direct_conv-inl.h"
#include "ember/kernels/isa/variants.h"

namespace ember::kernels {

bool direct_conv_fits(const DirectConvShape& s) {
  if (s.batch < 1 || s.in_channels < 1 || s.out_channels < 1 || s.out_d < 1 || s.out_h < 1 || s.out_w < 1) return false;
  const int64_t taps = s.kernel_d * s.kernel_h * s.kernel_w;
  // The input gradient runs the kernel with the input's size as its output: both must fit.
  return pads_fit(s.in_d, s.out_d, s.kernel_d, s.dilation_d, s.pad_front) &&
         pads_fit(s.in_h, s.out_h, s.kernel_h, s.dilation_h, s.pad_top) &&
         pads_fit(s.in_w, s.out_w, s.kernel_w, s.dilation_w, s.pad_left) &&
         std::min(s.in_channels, s.out_channels) * taps >= kMinWorkPerOutput &&
         pitch_waste(s.out_h, s.out_w, s.kernel_h, s.kernel_w, s.dilation_h, s.dilation_w) <= kMaxPitchWaste &&
         pitch_waste(s.in_h, s.in_w, s.kernel_h, s.kernel_w, s.dilation_h, s.dilation_w) <= kMaxPitchWaste;
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
