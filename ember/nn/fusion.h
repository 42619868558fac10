#pragma once
// Layer fusion in containers: a layer that can apply the ReLU that follows it in its own output
// pass (and fold the ReLU's backward into its own) implements FusesReLU. nn::Sequential calls
// forward_relu(x) for such a layer followed by a plain nn::ReLU, instead of the two modules:
// one pass over the activations instead of three, and one tensor kept for backward instead of
// two. Results are bit-identical to the unfused pair. While summary() records calls, nothing is
// fused, so every layer shows up.
#include "ember/core/tensor.h"

namespace ember::nn {

class Module;

class FusesReLU {
 public:
  virtual ~FusesReLU() = default;
  // relu(forward(x)), fused.
  virtual Tensor forward_relu(const Tensor& x) = 0;
};

// Whether `module` is exactly an nn::ReLU (not a subclass, which may do more).
bool is_plain_relu(const Module& module);

// activation(layer(x)), fused when the layer implements FusesReLU and the activation is a plain
// ReLU (and summary() is not recording): for models with a hand-written forward.
Tensor layer_then(Module& layer, Module& activation, const Tensor& x);

}  // namespace ember::nn
