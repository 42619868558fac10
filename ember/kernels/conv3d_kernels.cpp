#include "ember/kernels/conv3d_kernels.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "ember/kernels/conv_kernels.h"
#include "ember/kernels/conv_parallel.h"
#include "ember/kernels/direct_conv.h"
#include "ember/kernels/winograd.h"
#include "ember/kernels/scratch.h"

namespace ember::kernels {

using conv_parallel::for_each_image;
using conv_parallel::gemm_on;
using conv_parallel::kMaxWeightChunks;

namespace {

// A column block: 128K floats (512 KiB) sits in L2 beside the GEMM's packed panels.
constexpr int64_t kColumnBlockFloats = int64_t{1} << 17;

// Calls block(od_begin, od_end) for the output depths in blocks of depths_per_block.
template <typename F>
void for_each_block(const Conv3dPlan& p, F&& block) {
  const int64_t step = depths_per_block(p);
  for (int64_t od = 0; od < p.group.out_d; od += step) block(od, std::min(od + step, p.group.out_d));
}

// The direct kernel's shape for this plan, when it takes it: one group, stride 1, not pointwise.
bool direct_shape(const Conv3dPlan& p, DirectConvShape& s) {
  const VolGeometry& g = p.group;
  if (p.general_only || p.groups != 1 || p.pointwise || g.stride_d != 1 || g.stride_h != 1 || g.stride_w != 1) return false;
  s.batch = p.batch;
  s.in_channels = p.in_channels;
  s.out_channels = p.out_channels;
  s.in_d = g.in_d;
  s.in_h = g.in_h;
  s.in_w = g.in_w;
  s.kernel_d = g.kernel_d;
  s.kernel_h = g.kernel_h;
  s.kernel_w = g.kernel_w;
  s.dilation_d = g.dilation_d;
  s.dilation_h = g.dilation_h;
  s.dilation_w = g.dilation_w;
  s.pad_front = g.pad_front;
  s.pad_top = g.pad_top;
  s.pad_left = g.pad_left;
  s.out_d = g.out_d;
  s.out_h = g.out_h;
  s.out_w = g.out_w;
  return direct_conv_fits(s);
}

// The Winograd shape for this plan, when it takes it (winograd.h): kernel_d x 3 x 3, stride and
// dilation 1, one group, enough channels for its products and planes of whole 4x4 tiles.
bool winograd_shape(const Conv3dPlan& p, Winograd3dShape& s) {
  const VolGeometry& g = p.group;
  if (p.general_only || p.groups != 1 || p.pointwise || g.kernel_h != 3 || g.kernel_w != 3 || g.stride_d != 1 || g.stride_h != 1 ||
      g.stride_w != 1 || g.dilation_d != 1 || g.dilation_h != 1 || g.dilation_w != 1 || p.in_channels < 16 ||
      p.out_channels < 16 || g.out_h < 4 || g.out_w < 4) {
    return false;
  }
  s = {p.batch, p.in_channels, p.out_channels, g.in_d,     g.in_h,      g.in_w,     g.out_d,
       g.out_h, g.out_w,       g.kernel_d,     g.pad_front, g.pad_top, g.pad_left};
  return true;
}

}  // namespace

int64_t depths_per_block(const Conv3dPlan& p) {
  if (p.pointwise) return std::max<int64_t>(p.group.out_d, 1);  // no columns to build: one GEMM
  const int64_t per_depth = std::max<int64_t>(p.group.col_rows() * p.group.out_h * p.group.out_w, 1);
  return std::clamp<int64_t>(kColumnBlockFloats / per_depth, 1, std::max<int64_t>(p.group.out_d, 1));
}

// Per image, group and block of output depths [d0, d1) (cols = OD*OH*OW; a block is
// width = (d1 - d0)*OH*OW columns starting at column d0*OH*OW; rows = (C/g)*kd*kh*kw; kg = K/g):
//   forward:         y_g[:, block] [kg, width] = W_g [kg, rows] @ columns [rows, width]
//   input gradient:  columns = W_g^T @ dy_g[:, block], scattered back onto x by col2vol
//   weight gradient: dW_g [kg, rows] += dy_g[:, block] @ columns^T
// The pointwise path's columns are the input itself: one block, no vol2col.

void conv3d_forward(const Conv3dPlan& p, const float* x, const float* w, const float* bias, float* y) {
  if (Winograd3dShape wino; winograd_shape(p, wino)) {
    winograd3d_forward(wino, x, w, y);
    if (bias) add_channel_bias(y, p.batch, p.out_channels, p.out_volume(), bias);
    return;
  }
  if (DirectConvShape direct; direct_shape(p, direct)) {
    direct_conv_forward(direct, x, w, bias, false, y);
    return;
  }
  const VolGeometry& g = p.group;
  const int64_t rows = g.col_rows(), cols = p.out_volume(), plane = g.out_h * g.out_w, kg = p.out_per_group();
  const int64_t block_floats = rows * depths_per_block(p) * plane;
  for_each_image(p.batch, [&](int64_t n, bool parallel_gemm) {
    float* buffer = p.pointwise ? nullptr : thread_scratch(block_floats);
    for (int64_t grp = 0; grp < p.groups; ++grp) {
      const float* xg = x + n * p.in_image() + grp * p.in_per_group() * g.in_volume();
      float* yg = y + n * p.out_image() + grp * kg * cols;
      for_each_block(p, [&](int64_t d0, int64_t d1) {
        const int64_t width = (d1 - d0) * plane;
        const float* columns = xg;
        if (!p.pointwise) {
          vol2col(xg, g, buffer, d0, d1);
          columns = buffer;
        }
        gemm_on(parallel_gemm, false, false, kg, width, rows, w + grp * p.weight_per_group(), rows, columns, width,
                0.0f, yg + d0 * plane, cols);
      });
    }
  });
  if (bias) add_channel_bias(y, p.batch, p.out_channels, cols, bias);
}

void conv3d_backward_input(const Conv3dPlan& p, const float* dy, const float* w, float* dx) {
  if (Winograd3dShape wino; winograd_shape(p, wino)) {
    winograd3d_backward_input(wino, dy, w, dx);
    return;
  }
  if (DirectConvShape direct; direct_shape(p, direct) && direct_conv_input_fits(direct)) {
    direct_conv_backward_input(direct, dy, w, dx);
    return;
  }
  const VolGeometry& g = p.group;
  const int64_t rows = g.col_rows(), cols = p.out_volume(), plane = g.out_h * g.out_w, kg = p.out_per_group();
  const int64_t group_in = p.in_per_group() * g.in_volume();
  const int64_t block_floats = rows * depths_per_block(p) * plane;
  for_each_image(p.batch, [&](int64_t n, bool parallel_gemm) {
    float* dxn = dx + n * p.in_image();
    float* buffer = p.pointwise ? nullptr : thread_scratch(block_floats);
    if (!p.pointwise) std::memset(dxn, 0, static_cast<size_t>(p.in_image()) * sizeof(float));
    for (int64_t grp = 0; grp < p.groups; ++grp) {
      const float* dyg = dy + n * p.out_image() + grp * kg * cols;
      const float* wg = w + grp * p.weight_per_group();
      for_each_block(p, [&](int64_t d0, int64_t d1) {
        const int64_t width = (d1 - d0) * plane;
        // The pointwise input gradient is the column matrix itself: written straight into dx.
        float* target = p.pointwise ? dxn + grp * group_in : buffer;
        gemm_on(parallel_gemm, true, false, rows, width, kg, wg, rows, dyg + d0 * plane, cols, 0.0f, target, width);
        if (!p.pointwise) col2vol(buffer, g, dxn + grp * group_in, d0, d1);
      });
    }
  });
}

void conv3d_backward_weight(const Conv3dPlan& p, const float* x, const float* dy, float* dw) {
  if (Winograd3dShape wino; winograd_shape(p, wino)) {
    winograd3d_backward_weight(wino, x, dy, dw);
    return;
  }
  if (DirectConvShape direct; direct_shape(p, direct)) {
    direct_conv_backward_weight(direct, x, dy, dw);
    return;
  }
  const VolGeometry& g = p.group;
  const int64_t rows = g.col_rows(), cols = p.out_volume(), plane = g.out_h * g.out_w, kg = p.out_per_group();
  const int64_t weight_size = p.groups * p.weight_per_group();
  const int64_t block_floats = rows * depths_per_block(p) * plane;
  // Images are split into fixed chunks; chunk 0 accumulates straight into dw, the others into
  // partial buffers that are added afterwards in chunk order.
  const int64_t chunks = std::clamp<int64_t>(p.batch, 1, kMaxWeightChunks);
  std::vector<float> partial(static_cast<size_t>((chunks - 1) * weight_size));
  auto run_chunk = [&](int64_t chunk, bool parallel_gemm) {
    float* target = chunk == 0 ? dw : partial.data() + (chunk - 1) * weight_size;
    const int64_t first = chunk * p.batch / chunks, last = (chunk + 1) * p.batch / chunks;
    // Zeroed first, then every block of every image adds its product, in a fixed order.
    std::memset(target, 0, static_cast<size_t>(weight_size) * sizeof(float));
    float* buffer = p.pointwise ? nullptr : thread_scratch(block_floats);
    for (int64_t n = first; n < last; ++n) {
      for (int64_t grp = 0; grp < p.groups; ++grp) {
        const float* xg = x + n * p.in_image() + grp * p.in_per_group() * g.in_volume();
        const float* dyg = dy + n * p.out_image() + grp * kg * cols;
        for_each_block(p, [&](int64_t d0, int64_t d1) {
          const int64_t width = (d1 - d0) * plane;
          const float* columns = xg;
          if (!p.pointwise) {
            vol2col(xg, g, buffer, d0, d1);
            columns = buffer;
          }
          gemm_on(parallel_gemm, false, true, kg, rows, width, dyg + d0 * plane, cols, columns, width, 1.0f,
                  target + grp * p.weight_per_group(), rows);
        });
      }
    }
  };
  conv_parallel::run_weight_chunks(chunks, weight_size, dw, partial.data(), run_chunk);
}

}  // namespace ember::kernels
