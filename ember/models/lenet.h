#pragma once
// LeNet-5, classic and modern. Both are features -> classifier Sequentials, named as the
// PyTorch equivalents (tests/golden/golden_models.py), 61,706 parameters each.
//
// LeNet5Classic (LeCun 1998 on 32x32): features = conv(6, 5x5), act, avgpool 2, conv(16, 5x5),
//   act, avgpool 2, conv(120, 5x5) (C5), act; classifier = flatten, fc 84 (F6), act, fc 10.
// LeNet5 (modern, bench/bench_train.cpp's lenet5 row on 28x28): features = conv(6, 5x5, pad 2), act, maxpool 2,
//   conv(16, 5x5), act, maxpool 2; classifier = flatten, fc 120, act, fc 84, act, fc 10.
//   State dict keys: features.0.*, features.3.*, classifier.1.*, classifier.3.*, classifier.5.*.
#include <memory>

#include "ember/core/options.h"
#include "ember/models/common.h"
#include "ember/nn/sequential.h"

namespace ember::models {

struct LeNet5Options {
  EMBER_ARG(int64_t, in_channels, 1);
  EMBER_ARG(int64_t, num_classes, 10);
  EMBER_ARG(Activation, activation, Activation::relu);  // LeNet5Classic defaults to tanh
};

class LeNet5Classic : public nn::Module {
 public:
  explicit LeNet5Classic(const LeNet5Options& options = LeNet5Options().activation(Activation::tanh));
  Tensor forward(const Tensor& x) override;  // [N, in_channels, 32, 32] -> [N, num_classes]
  std::shared_ptr<nn::Sequential> features, classifier;
};

class LeNet5 : public nn::Module {
 public:
  explicit LeNet5(const LeNet5Options& options = {});
  Tensor forward(const Tensor& x) override;  // [N, in_channels, 28, 28] -> [N, num_classes]
  std::shared_ptr<nn::Sequential> features, classifier;
};

}  // namespace ember::models
