#pragma once
// MobileNet-style CIFAR network (bench/bench_train.cpp's mobilenet_cifar row):
//   features = conv3x3(32, bias off) - bn - relu, then five depthwise-separable blocks
//     (dw3x3 (groups = channels, bias off) - bn - relu - pw1x1 (bias off) - bn - relu) to
//     64, 128 s2, 128, 256 s2, 256;
//   classifier = AdaptiveAvgPool2d(1), Flatten, fc num_classes.
// Names as the PyTorch twin: features.0 (conv), .1 (bn), .2, features.3 ... features.7 the
// blocks (each a Sequential 0..5), classifier.2 the fc. 136,778 parameters at width 1.
// The width multiplier scales every channel count: floor(c * width), which must be >= 1.
#include <memory>

#include "ember/core/options.h"
#include "ember/models/common.h"
#include "ember/nn/sequential.h"

namespace ember::models {

struct MobileNetOptions {
  EMBER_ARG(int64_t, in_channels, 3);
  EMBER_ARG(int64_t, num_classes, 10);
  EMBER_ARG(double, width_multiplier, 1.0);
};

// dw3x3(stride) - bn - relu - pw1x1(out) - bn - relu.
std::shared_ptr<nn::Sequential> depthwise_separable(int64_t in_channels, int64_t out_channels, int64_t stride);

class MobileNet : public nn::Module {
 public:
  explicit MobileNet(const MobileNetOptions& options = {});
  Tensor forward(const Tensor& x) override;  // [N, in_channels, 32, 32] -> [N, num_classes]
  std::shared_ptr<nn::Sequential> features, classifier;
};

}  // namespace ember::models
