#pragma once
// AlexNet as published (Krizhevsky et al. 2012, 227x227x3) and bench/bench_train.cpp's alexnet_cifar row.
// Both are features -> classifier Sequentials named as the PyTorch equivalents in
// tests/golden/golden_models.py.
//
// AlexNet: features = conv(96, 11x11, s4), relu, LRN, maxpool(3, s2), conv(256, 5x5, p2, groups),
//   relu, LRN, maxpool(3, s2), conv(384, 3x3, p1), relu, conv(384, 3x3, p1, groups), relu,
//   conv(256, 3x3, p1, groups), relu, maxpool(3, s2); classifier = flatten, dropout, fc 4096, relu,
//   dropout, fc 4096, relu, fc num_classes. groups = 2 (two towers, 60,965,224 parameters) or
//   1 with two_tower(false) (62,378,344).
// AlexNetCifar (3x32x32): features = conv(64, 5x5, p2), relu, maxpool(3, s2), LRN, conv(64, 5x5,
//   p2), relu, LRN, maxpool(3, s2); classifier = flatten, fc 384, relu, dropout, fc 192, relu,
//   dropout, fc num_classes (1,387,786 parameters). Keys: features.0.*, features.4.*,
//   classifier.1.*, classifier.4.*, classifier.7.*.
// LRN everywhere: size 5, alpha 1e-4, beta 0.75, k 2. Max pools: no padding, floor mode.
#include <memory>

#include "ember/core/options.h"
#include "ember/core/random.h"
#include "ember/models/common.h"
#include "ember/nn/sequential.h"

namespace ember::models {

struct AlexNetOptions {
  EMBER_ARG(int64_t, in_channels, 3);
  EMBER_ARG(int64_t, num_classes, 1000);
  EMBER_ARG(bool, two_tower, true);  // groups = 2 in conv2, conv4, conv5 (as published); false: one tower
  EMBER_ARG(bool, lrn, true);        // false replaces the LRN layers by Identity (keys unchanged)
  EMBER_ARG(float, dropout, 0.5f);
  EMBER_ARG(GeneratorPtr, generator, nullptr);  // for dropout
};

class AlexNet : public nn::Module {
 public:
  explicit AlexNet(const AlexNetOptions& options = {});
  Tensor forward(const Tensor& x) override;  // [N, in_channels, 227, 227] -> [N, num_classes]
  std::shared_ptr<nn::Sequential> features, classifier;
};

struct AlexNetCifarOptions {
  EMBER_ARG(int64_t, in_channels, 3);
  EMBER_ARG(int64_t, num_classes, 10);
  EMBER_ARG(float, dropout, 0.5f);
  EMBER_ARG(GeneratorPtr, generator, nullptr);
};

class AlexNetCifar : public nn::Module {
 public:
  explicit AlexNetCifar(const AlexNetCifarOptions& options = {});
  Tensor forward(const Tensor& x) override;  // [N, in_channels, 32, 32] -> [N, num_classes]
  std::shared_ptr<nn::Sequential> features, classifier;
};

}  // namespace ember::models
