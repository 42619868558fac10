#include "ember/ops/kernels/conv3d_kernels.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "ember/ops/kernels/conv_kernels.h"
#include "ember/ops/kernels/conv_parallel.h"
#include "ember/ops/kernels/scratch.h"

namespace ember::kernels {

using conv_parallel::for_each_image;
using conv_parallel::gemm_on;
using conv_parallel::kMaxWeightChunks;

// Each GEMM of one group: rows = (in/groups)*kd*kh*kw, cols = out_d*out_h*out_w, kg = out/groups.
//   forward:         y_g [kg, cols]    = W_g [kg, rows] @ columns [rows, cols]
//   input gradient:  columns           = W_g^T @ dy_g, scattered back by col2vol
//   weight gradient: dW_g [kg, rows] += dy_g [kg, cols] @ columns^T

void conv3d_forward(const Conv3dPlan& p, const float* x, const float* w, const float* bias, float* y) {
  const VolGeometry& g = p.group;
  const int64_t rows = g.col_rows(), cols = p.out_volume(), kg = p.out_per_group();
  for_each_image(p.batch, [&](int64_t n, bool parallel_gemm) {
    float* buffer = p.pointwise ? nullptr : thread_scratch(rows * cols);
    for (int64_t grp = 0; grp < p.groups; ++grp) {
      const float* xg = x + n * p.in_image() + grp * p.in_per_group() * g.in_volume();
      const float* columns = xg;
      if (!p.pointwise) {
        vol2col(xg, g, buffer);
        columns = buffer;
      }
      gemm_on(parallel_gemm, false, false, kg, cols, rows, w + grp * p.weight_per_group(), rows, columns, cols, 0.0f,
              y + n * p.out_image() + grp * kg * cols, cols);
    }
  });
  if (bias) add_channel_bias(y, p.batch, p.out_channels, cols, bias);
}

void conv3d_backward_input(const Conv3dPlan& p, const float* dy, const float* w, float* dx) {
  const VolGeometry& g = p.group;
  const int64_t rows = g.col_rows(), cols = p.out_volume(), kg = p.out_per_group();
  const int64_t group_in = p.in_per_group() * g.in_volume();
  for_each_image(p.batch, [&](int64_t n, bool parallel_gemm) {
    float* dxn = dx + n * p.in_image();
    float* buffer = p.pointwise ? nullptr : thread_scratch(rows * cols);
    if (!p.pointwise) std::memset(dxn, 0, static_cast<size_t>(p.in_image()) * sizeof(float));
    for (int64_t grp = 0; grp < p.groups; ++grp) {
      const float* dyg = dy + n * p.out_image() + grp * kg * cols;
      const float* wg = w + grp * p.weight_per_group();
      // The pointwise input gradient is the column matrix itself: write it straight into dx.
      float* target = p.pointwise ? dxn + grp * group_in : buffer;
      gemm_on(parallel_gemm, true, false, rows, cols, kg, wg, rows, dyg, cols, 0.0f, target, cols);
      if (!p.pointwise) col2vol(buffer, g, dxn + grp * group_in);
    }
  });
}

void conv3d_backward_weight(const Conv3dPlan& p, const float* x, const float* dy, float* dw) {
  const VolGeometry& g = p.group;
  const int64_t rows = g.col_rows(), cols = p.out_volume(), kg = p.out_per_group();
  const int64_t weight_size = p.groups * p.weight_per_group();
  // Images are split into fixed chunks; chunk 0 accumulates straight into dw, the others into
  // partial buffers that are added afterwards in chunk order.
  const int64_t chunks = std::clamp<int64_t>(p.batch, 1, kMaxWeightChunks);
  std::vector<float> partial(static_cast<size_t>((chunks - 1) * weight_size));
  auto run_chunk = [&](int64_t chunk, bool parallel_gemm) {
    float* target = chunk == 0 ? dw : partial.data() + (chunk - 1) * weight_size;
    const int64_t first = chunk * p.batch / chunks, last = (chunk + 1) * p.batch / chunks;
    float* buffer = p.pointwise ? nullptr : thread_scratch(rows * cols);
    for (int64_t n = first; n < last; ++n) {
      for (int64_t grp = 0; grp < p.groups; ++grp) {
        const float* xg = x + n * p.in_image() + grp * p.in_per_group() * g.in_volume();
        const float* columns = xg;
        if (!p.pointwise) {
          vol2col(xg, g, buffer);
          columns = buffer;
        }
        gemm_on(parallel_gemm, false, true, kg, rows, cols, dy + n * p.out_image() + grp * kg * cols, cols, columns,
                cols, n == first ? 0.0f : 1.0f, target + grp * p.weight_per_group(), rows);
      }
    }
    if (first == last) std::memset(target, 0, static_cast<size_t>(weight_size) * sizeof(float));
  };
  if (chunks == 1) {
    run_chunk(0, true);
  } else {
    parallel_for(0, chunks, 1, [&](int64_t b, int64_t e) {
      for (int64_t c = b; c < e; ++c) run_chunk(c, false);
    });
    parallel_for(0, weight_size, 16384, [&](int64_t b, int64_t e) {
      for (int64_t c = 1; c < chunks; ++c) {
        const float* src = partial.data() + (c - 1) * weight_size;
        for (int64_t i = b; i < e; ++i) dw[i] += src[i];
      }
    });
  }
}

}  // namespace ember::kernels
