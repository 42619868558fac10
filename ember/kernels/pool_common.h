#pragma once
// Helpers shared by the pooling kernels (max_pool_kernels in pool_kernels.cpp, average and
// adaptive pooling in avg_pool_kernels.cpp). Internal to the kernel layer.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "ember/core/tensor.h"

namespace ember::kernels::pool_detail {

inline constexpr float kNegInf = -std::numeric_limits<float>::infinity();
// About this many element visits per parallel chunk: small inputs run serially on the caller.
inline constexpr int64_t kGrainWork = 32768;

// `shape` with its last two sizes replaced.
inline Shape with_plane(const Shape& shape, int64_t h, int64_t w) {
  Shape out = shape;
  out[out.size() - 2] = h;
  out[out.size() - 1] = w;
  return out;
}

inline int64_t plane_count(const Tensor& t) {
  const int64_t plane = t.size(-2) * t.size(-1);
  return plane == 0 ? 0 : t.numel() / plane;
}

// Planes per chunk so a chunk does about kGrainWork element visits.
inline int64_t plane_grain(int64_t work_per_plane) {
  return std::max<int64_t>(1, kGrainWork / std::max<int64_t>(work_per_plane, 1));
}

// dst (zeroed here) += grad at each index, plane by plane; windows marked dead send nothing.
void scatter_planes(const float* grad, const int64_t* indices, float* dst, int64_t planes, int64_t in_plane,
                    int64_t out_h, int64_t out_w, const std::vector<int64_t>* row_count,
                    const std::vector<uint8_t>* col_live);

}  // namespace ember::kernels::pool_detail
