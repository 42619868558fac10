#pragma once
// Conv1d and Conv3d layers over ember::conv1d / conv3d, with the ops' fluent options,
// PyTorch's parameter names (weight, bias) and its default initialization.
//   Conv1d(Conv1dOptions(16, 32, 5).padding("same"))
//   Conv3d(Conv3dOptions(3, 8, {3, 5, 5}).stride({1, 2, 2}).padding(1, 2, 2))
//   Conv1d(16, 32, 5), Conv3d(3, 8, {3, 5, 5})   // in, out, kernel: libtorch's short form
#include <string>

#include "ember/nn/module.h"
#include "ember/ops/conv1d.h"
#include "ember/ops/conv3d.h"

namespace ember::nn {

// The options structs of ember/ops (one per convolution, shared by the op and the layer).
using ember::Conv1dOptions;
using ember::Conv3dOptions;

class Conv1d : public Module {
 public:
  explicit Conv1d(const Conv1dOptions& options);
  Conv1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size)
      : Conv1d(Conv1dOptions(in_channels, out_channels, kernel_size)) {}
  Tensor forward(const Tensor& x) override;  // [N, C, L] or [C, L]
  std::string extra_repr() const override;
  int64_t flops(const Shape& input, const Shape& output) const override;

  Tensor weight, bias;  // weight [out, in / groups, k]; bias [out] or undefined

 private:
  Conv1dOptions options_;
};

class Conv3d : public Module {
 public:
  explicit Conv3d(const Conv3dOptions& options);
  Conv3d(int64_t in_channels, int64_t out_channels, Int3 kernel_size)
      : Conv3d(Conv3dOptions(in_channels, out_channels, kernel_size)) {}
  Tensor forward(const Tensor& x) override;  // [N, C, D, H, W] or [C, D, H, W]
  std::string extra_repr() const override;
  int64_t flops(const Shape& input, const Shape& output) const override;

  Tensor weight, bias;  // weight [out, in / groups, kd, kh, kw]; bias [out] or undefined

 private:
  Conv3dOptions options_;
};

}  // namespace ember::nn
