// The im2col path with several images per GEMM (groups == 1).
//
// Per image, a small convolution is a small GEMM (LeNet's second layer: 16 x 100 x 150), where
// call overhead and packing dominate. Here the column matrices of a block of images sit side by
// side, [rows, images * plane], so one GEMM serves the whole block; the gradient w.r.t. the output
// is gathered into the same layout for the backward GEMMs. Blocks run in parallel with serial
// GEMMs inside. Block sizes depend on the shapes only, never on the thread count, so results do
// not either.
#include <algorithm>
#include <cstring>
#include <vector>

#include "ember/core/parallel.h"
#include "ember/kernels/conv_kernels.h"
#include "ember/kernels/gemm.h"
#include "ember/kernels/im2col.h"
#include "ember/kernels/relu_value.h"
#include "ember/kernels/scratch.h"

namespace ember::kernels {

namespace {

// A block's column matrix stays within this many floats (4 MiB): big enough for a wide GEMM,
// small enough to stay in the last-level cache between im2col and the GEMM that reads it.
constexpr int64_t kColumnBlockFloats = int64_t{1} << 20;
// Only GEMMs smaller than this many multiply-adds per image gain from sharing one: measured on
// the suite's layers, LeNet's (0.1-0.4M) run 1.5-2x faster batched, while AlexNet-CIFAR's
// (5-23M) and MobileNet's first layer (0.9M) run as fast or faster one image at a time.
constexpr int64_t kBatchBelowMacs = int64_t{1} << 19;
// The weight gradient accumulates blocks in at most this many fixed lanes, summed in lane order.
constexpr int64_t kWeightLanes = 8;

struct Blocks {
  int64_t images_per_block, count;
  int64_t first(int64_t block) const { return block * images_per_block; }
  int64_t size(int64_t block, int64_t batch) const { return std::min(images_per_block, batch - first(block)); }
};

Blocks blocks_of(const ConvPlan& p) {
  const int64_t per = images_per_gemm(p);
  return {per, (p.batch + per - 1) / per};
}

// Runs block(first image, images, width = images * plane) for every block, blocks in parallel.
template <typename F>
void for_each_block(const ConvPlan& p, F&& block) {
  const Blocks blocks = blocks_of(p);
  parallel_for(0, blocks.count, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t index = b0; index < b1; ++index) {
      const int64_t images = blocks.size(index, p.batch);
      block(blocks.first(index), images, images * p.out_plane());
    }
  });
}

}  // namespace

int64_t images_per_gemm(const ConvPlan& p) {
  if (p.out_channels * p.group.col_rows() * p.out_plane() >= kBatchBelowMacs) return 1;
  const int64_t per_image = std::max<int64_t>(1, p.group.col_rows() * p.out_plane());
  const int64_t fit = std::max<int64_t>(1, kColumnBlockFloats / per_image);
  // At least four blocks per batch, so two threads share the work evenly.
  return std::clamp<int64_t>(std::min(fit, (p.batch + 3) / 4), 1, std::max<int64_t>(p.batch, 1));
}

bool uses_batched_im2col(const ConvPlan& p) {
  return p.path == ConvPath::im2col && p.groups == 1 && images_per_gemm(p) > 1;
}

void conv_forward_batched(const ConvPlan& p, const float* x, const float* w, const float* bias, bool relu,
                          float* y) {
  const ConvGeometry& g = p.group;
  const int64_t rows = g.col_rows(), plane = p.out_plane(), k = p.out_channels;
  for_each_block(p, [&](int64_t n0, int64_t images, int64_t width) {
    float* columns = thread_scratch((rows + k) * width);
    float* product = columns + rows * width;
    for (int64_t i = 0; i < images; ++i) im2col(x + (n0 + i) * p.in_image(), g, columns + i * plane, width);
    gemm_serial(false, false, k, width, rows, 1.0f, w, rows, columns, width, 0.0f, product, width);
    // [k, images * plane] -> [images, k, plane], with the bias and ReLU on the way.
    for (int64_t i = 0; i < images; ++i) {
      for (int64_t c = 0; c < k; ++c) {
        const float* src = product + c * width + i * plane;
        float* dst = y + (n0 + i) * p.out_image() + c * plane;
        const float b = bias ? bias[c] : 0.0f;
        if (relu) {
          for (int64_t j = 0; j < plane; ++j) dst[j] = relu_value(src[j] + b);
        } else {
          for (int64_t j = 0; j < plane; ++j) dst[j] = src[j] + b;
        }
      }
    }
  });
}

namespace {

// dy of a block's images as one [k, images * plane] matrix.
void gather_output_grad(const ConvPlan& p, const float* dy, int64_t n0, int64_t images, float* out) {
  const int64_t plane = p.out_plane(), width = images * plane;
  for (int64_t i = 0; i < images; ++i) {
    for (int64_t c = 0; c < p.out_channels; ++c) {
      std::memcpy(out + c * width + i * plane, dy + (n0 + i) * p.out_image() + c * plane,
                  static_cast<size_t>(plane) * sizeof(float));
    }
  }
}

}  // namespace

void conv_backward_input_batched(const ConvPlan& p, const float* dy, const float* w, float* dx) {
  const ConvGeometry& g = p.group;
  const int64_t rows = g.col_rows(), plane = p.out_plane(), k = p.out_channels;
  for_each_block(p, [&](int64_t n0, int64_t images, int64_t width) {
    float* grads = thread_scratch((rows + k) * width);
    float* columns = grads + k * width;
    gather_output_grad(p, dy, n0, images, grads);
    // columns [rows, width] = W^T [rows, k] @ dy [k, width], then scattered back onto each image.
    gemm_serial(true, false, rows, width, k, 1.0f, w, rows, grads, width, 0.0f, columns, width);
    for (int64_t i = 0; i < images; ++i) {
      float* dxn = dx + (n0 + i) * p.in_image();
      std::memset(dxn, 0, static_cast<size_t>(p.in_image()) * sizeof(float));
      col2im(columns + i * plane, g, dxn, width);
    }
  });
}

void conv_backward_weight_batched(const ConvPlan& p, const float* x, const float* dy, float* dw) {
  const ConvGeometry& g = p.group;
  const int64_t rows = g.col_rows(), plane = p.out_plane(), k = p.out_channels, weight_size = k * rows;
  const Blocks blocks = blocks_of(p);
  const int64_t lanes = std::min(blocks.count, kWeightLanes);
  // Lane 0 accumulates straight into dw, the others into partial sums added in lane order.
  std::vector<float> partial(static_cast<size_t>((lanes - 1) * weight_size));
  parallel_for(0, lanes, 1, [&](int64_t l0, int64_t l1) {
    for (int64_t lane = l0; lane < l1; ++lane) {
      float* target = lane == 0 ? dw : partial.data() + (lane - 1) * weight_size;
      const int64_t first = lane * blocks.count / lanes, last = (lane + 1) * blocks.count / lanes;
      for (int64_t block = first; block < last; ++block) {
        const int64_t n0 = blocks.first(block), images = blocks.size(block, p.batch), width = images * plane;
        float* grads = thread_scratch((rows + k) * width);
        float* columns = grads + k * width;
        gather_output_grad(p, dy, n0, images, grads);
        for (int64_t i = 0; i < images; ++i) im2col(x + (n0 + i) * p.in_image(), g, columns + i * plane, width);
        // dw [k, rows] (+)= dy [k, width] @ columns^T [width, rows]
        gemm_serial(false, true, k, rows, width, 1.0f, grads, width, columns, width, block == first ? 0.0f : 1.0f,
                    target, rows);
      }
    }
  });
  parallel_for(0, weight_size, 16384, [&](int64_t b, int64_t e) {
    for (int64_t lane = 1; lane < lanes; ++lane) {
      const float* src = partial.data() + (lane - 1) * weight_size;
      for (int64_t i = b; i < e; ++i) dw[i] += src[i];
    }
  });
}

}  // namespace ember::kernels
