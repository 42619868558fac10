#pragma once
// LocallyConnected2d: a layer over ember::locally_connected2d (ember/ops/locally_connected.h):
// conv2d's sliding window with separate filters at every output position, so it needs the input
// size up front (the weight's shape depends on it), like Keras' LocallyConnected2D.
//   LocallyConnected2d(LocallyConnected2dOptions(3, 16, 3, {28, 28}).stride(2).padding(1))
// Parameters: weight [OH, OW, out, in, kh, kw], bias [out, OH, OW]; PyTorch-style initialization
// (as Conv2d: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in * kh * kw, bias likewise).
#include <string>

#include "ember/nn/module.h"
#include "ember/ops/locally_connected.h"

namespace ember::nn {

// The op's options struct (ember/ops/locally_connected.h), shared by the layer: it reads
// in_channels, out_channels, kernel_size, input_size and bias too.
using ember::LocallyConnected2dOptions;

class LocallyConnected2d : public Module {
 public:
  explicit LocallyConnected2d(const LocallyConnected2dOptions& options);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  int64_t flops(const Shape& input, const Shape& output) const override;
  Int2 output_size() const { return {weight.size(0), weight.size(1)}; }

  Tensor weight, bias;  // weight [OH, OW, out, in, kh, kw]; bias [out, OH, OW] or undefined

 private:
  LocallyConnected2dOptions options_;
};

}  // namespace ember::nn
