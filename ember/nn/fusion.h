#pragma once
// Layer fusion, an explicit pass over the module tree. A layer that can apply the ReLU after it in
// its own output pass (and fold the ReLU's backward into its own) implements FusesReLU: Conv2d
// (conv2d_relu) and BatchNorm2d (batch_norm2d_relu). fuse_relu(model) finds every such layer
// followed by a plain nn::ReLU in a Sequential, has the layer apply the ReLU, and has the
// Sequential skip the ReLU module: one pass over the activations instead of three, and one tensor
// kept for backward instead of two, with results bit-identical to the two modules. It runs once
// (the zoo's make_model runs it); forward then does no type tests. summary() shows a fused layer
// as "Conv2d+ReLU" (and no separate ReLU row).
//
// A model with a hand-written forward fuses a pair itself: conv1->fuse_relu() in its constructor,
// and its forward no longer calls the ReLU module after conv1.
#include <string>
#include <vector>

#include "ember/core/tensor.h"

namespace ember::nn {

class Module;

class FusesReLU {
 public:
  virtual ~FusesReLU() = default;
  // On: the layer's forward returns relu(what it computed), fused into its output pass.
  void fuse_relu(bool on = true) { relu_fused_ = on; }
  bool relu_fused() const { return relu_fused_; }

 private:
  bool relu_fused_ = false;
};

// Whether `module` is exactly an nn::ReLU (not a subclass, which may do more).
bool is_plain_relu(const Module& module);

// The pass: fuses every (FusesReLU layer, plain ReLU) pair adjacent in a Sequential of the tree
// under `root`; returns the fused layers' dotted names. Running it again fuses nothing new.
std::vector<std::string> fuse_relu(Module& root);

}  // namespace ember::nn
