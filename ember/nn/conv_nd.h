#pragma once
// Conv1d and Conv3d layers over ember::conv1d / conv3d, with fluent options in PyTorch's style,
// PyTorch's parameter names (weight, bias) and its default initialization.
//   Conv1d(Conv1dOptions(16, 32, 5).padding("same"))
//   Conv3d(Conv3dOptions(3, 8, {3, 5, 5}).stride({1, 2, 2}).padding(1, 2, 2))
#include <string>

#include "ember/nn/module.h"
#include "ember/ops/conv1d.h"
#include "ember/ops/conv3d.h"

namespace ember::nn {

struct Conv1dOptions {
  Conv1dOptions(int64_t in_channels, int64_t out_channels, int64_t kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  Conv1dOptions& stride(int64_t s) { conv_.stride(s); return *this; }
  Conv1dOptions& padding(int64_t p) { conv_.padding(p); return *this; }
  Conv1dOptions& padding(int64_t left, int64_t right) { conv_.padding(left, right); return *this; }
  Conv1dOptions& padding(std::string_view mode) { conv_.padding(mode); return *this; }  // "valid", "same", "full"
  Conv1dOptions& dilation(int64_t d) { conv_.dilation(d); return *this; }
  Conv1dOptions& groups(int64_t g) { conv_.groups(g); return *this; }
  Conv1dOptions& bias(bool b) { bias_ = b; return *this; }

  int64_t in_channels_, out_channels_, kernel_size_;
  bool bias_ = true;
  ember::Conv1dOptions conv_;  // stride, padding, dilation, groups, as the functional op takes them
};

class Conv1d : public Module {
 public:
  explicit Conv1d(const Conv1dOptions& options);
  Tensor forward(const Tensor& x) override;  // [N, C, L] or [C, L]
  std::string extra_repr() const override;
  int64_t flops(const Shape& input, const Shape& output) const override;

  Tensor weight, bias;  // weight [out, in / groups, k]; bias [out] or undefined

 private:
  Conv1dOptions options_;
};

struct Conv3dOptions {
  Conv3dOptions(int64_t in_channels, int64_t out_channels, Int3 kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  Conv3dOptions& stride(Int3 s) { conv_.stride(s); return *this; }
  Conv3dOptions& padding(int64_t p) { conv_.padding(p); return *this; }
  Conv3dOptions& padding(int64_t d, int64_t h, int64_t w) { conv_.padding(d, h, w); return *this; }
  Conv3dOptions& padding(Padding3d p) { conv_.padding(p); return *this; }
  Conv3dOptions& padding(std::string_view mode) { conv_.padding(mode); return *this; }  // "valid", "same", "full"
  Conv3dOptions& dilation(Int3 d) { conv_.dilation(d); return *this; }
  Conv3dOptions& groups(int64_t g) { conv_.groups(g); return *this; }
  Conv3dOptions& bias(bool b) { bias_ = b; return *this; }

  int64_t in_channels_, out_channels_;
  Int3 kernel_size_;
  bool bias_ = true;
  ember::Conv3dOptions conv_;
};

class Conv3d : public Module {
 public:
  explicit Conv3d(const Conv3dOptions& options);
  Tensor forward(const Tensor& x) override;  // [N, C, D, H, W] or [C, D, H, W]
  std::string extra_repr() const override;
  int64_t flops(const Shape& input, const Shape& output) const override;

  Tensor weight, bias;  // weight [out, in / groups, kd, kh, kw]; bias [out] or undefined

 private:
  Conv3dOptions options_;
};

}  // namespace ember::nn
