#pragma once
// Conv2d and ConvTranspose2d layers over ember::conv2d / conv_transpose2d, with the ops' fluent
// options and PyTorch's default initialization.
//   Conv2d(Conv2dOptions(3, 64, 5).stride(1).padding(2))
//   Conv2d(3, 64, 5)   // in, out, kernel: libtorch's short form, the options' defaults otherwise
#include <string>

#include "ember/nn/fusion.h"
#include "ember/nn/module.h"
#include "ember/ops/conv.h"

namespace ember::nn {

// One options struct per convolution, shared with the op (ember/ops/conv.h): the layer reads
// in_channels, out_channels, kernel_size and bias; the rest is the op's.
using ember::Conv2dOptions;
using ember::ConvTranspose2dOptions;

class Conv2d : public Module, public FusesReLU {
 public:
  explicit Conv2d(const Conv2dOptions& options);
  Conv2d(int64_t in_channels, int64_t out_channels, Int2 kernel_size)
      : Conv2d(Conv2dOptions(in_channels, out_channels, kernel_size)) {}
  Tensor forward(const Tensor& x) override;  // conv2d, or conv2d_relu once fused (nn/fusion.h)
  std::string extra_repr() const override;
  int64_t flops(const Shape& input, const Shape& output) const override;

  Tensor weight, bias;  // weight [out, in / groups, kh, kw]; bias [out] or undefined

 private:
  Conv2dOptions options_;
};

class ConvTranspose2d : public Module {
 public:
  explicit ConvTranspose2d(const ConvTranspose2dOptions& options);
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, Int2 kernel_size)
      : ConvTranspose2d(ConvTranspose2dOptions(in_channels, out_channels, kernel_size)) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  int64_t flops(const Shape& input, const Shape& output) const override;

  Tensor weight, bias;  // weight [in, out / groups, kh, kw]; bias [out] or undefined

 private:
  ConvTranspose2dOptions options_;
};

}  // namespace ember::nn
