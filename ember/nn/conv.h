#pragma once
// Conv2d and ConvTranspose2d layers over ember::conv2d / conv_transpose2d, with fluent options
// in PyTorch's style and PyTorch's default initialization.
//   Conv2d(Conv2dOptions(3, 64, 5).stride(1).padding(2))
#include <string>

#include "ember/nn/fusion.h"
#include "ember/nn/module.h"
#include "ember/ops/conv.h"

namespace ember::nn {

struct Conv2dOptions {
  Conv2dOptions(int64_t in_channels, int64_t out_channels, Int2 kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  Conv2dOptions& stride(Int2 s) { conv_.stride(s); return *this; }
  Conv2dOptions& padding(int64_t p) { conv_.padding(p); return *this; }
  Conv2dOptions& padding(int64_t h, int64_t w) { conv_.padding(h, w); return *this; }
  Conv2dOptions& padding(Padding2d p) { conv_.padding(p); return *this; }
  Conv2dOptions& padding(std::string_view mode) { conv_.padding(mode); return *this; }  // "valid", "same", "full"
  Conv2dOptions& dilation(Int2 d) { conv_.dilation(d); return *this; }
  Conv2dOptions& groups(int64_t g) { conv_.groups(g); return *this; }
  Conv2dOptions& bias(bool b) { bias_ = b; return *this; }

  int64_t in_channels_, out_channels_;
  Int2 kernel_size_;
  bool bias_ = true;
  ember::Conv2dOptions conv_;  // stride, padding, dilation, groups, as the functional op takes them
};

class Conv2d : public Module, public FusesReLU {
 public:
  explicit Conv2d(const Conv2dOptions& options);
  Tensor forward(const Tensor& x) override;  // conv2d, or conv2d_relu once fused (nn/fusion.h)
  std::string extra_repr() const override;
  int64_t flops(const Shape& input, const Shape& output) const override;

  Tensor weight, bias;  // weight [out, in / groups, kh, kw]; bias [out] or undefined

 private:
  Conv2dOptions options_;
};

struct ConvTranspose2dOptions {
  ConvTranspose2dOptions(int64_t in_channels, int64_t out_channels, Int2 kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  ConvTranspose2dOptions& stride(Int2 s) { conv_.stride(s); return *this; }
  ConvTranspose2dOptions& padding(int64_t p) { conv_.padding(p); return *this; }
  ConvTranspose2dOptions& padding(int64_t h, int64_t w) { conv_.padding(h, w); return *this; }
  ConvTranspose2dOptions& output_padding(Int2 p) { conv_.output_padding(p); return *this; }
  ConvTranspose2dOptions& dilation(Int2 d) { conv_.dilation(d); return *this; }
  ConvTranspose2dOptions& groups(int64_t g) { conv_.groups(g); return *this; }
  ConvTranspose2dOptions& bias(bool b) { bias_ = b; return *this; }

  int64_t in_channels_, out_channels_;
  Int2 kernel_size_;
  bool bias_ = true;
  ember::ConvTranspose2dOptions conv_;
};

class ConvTranspose2d : public Module {
 public:
  explicit ConvTranspose2d(const ConvTranspose2dOptions& options);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  int64_t flops(const Shape& input, const Shape& output) const override;

  Tensor weight, bias;  // weight [in, out / groups, kh, kw]; bias [out] or undefined

 private:
  ConvTranspose2dOptions options_;
};

}  // namespace ember::nn
