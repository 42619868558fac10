#pragma once
// A small ResNet with bottleneck blocks (He et al. 2016), named as torchvision's ResNet.
// Bottleneck: conv1 1x1 (reduce to `mid`), bn1, relu, conv2 3x3 (stride), bn2, relu, conv3 1x1
//   (expand to out), bn3; plus the shortcut: identity, or `downsample` = Sequential(conv1x1
//   (stride), bn) when the stride is not 1 or the channel count changes; out = relu(main + shortcut).
// ResNet (CIFAR-sized): conv1 3x3(width, p1, bias off), bn1, relu, then stages layer1..layer3
//   of `blocks[i]` bottlenecks with mid = width * 2^i, out = 4 * mid, the first block of
//   layer2/layer3 with stride 2; avgpool (global), flatten, fc. 127,642 parameters by default.
#include <array>
#include <memory>

#include "ember/core/options.h"
#include "ember/models/common.h"
#include "ember/nn/conv.h"
#include "ember/nn/linear.h"
#include "ember/nn/norm.h"
#include "ember/nn/pool.h"
#include "ember/nn/sequential.h"

namespace ember::models {

class Bottleneck : public nn::Module {
 public:
  static constexpr int64_t expansion = 4;
  Bottleneck(int64_t in_channels, int64_t mid_channels, int64_t stride = 1);
  Tensor forward(const Tensor& x) override;  // [N, in, H, W] -> [N, 4 * mid, H / stride, W / stride]
  std::shared_ptr<nn::Conv2d> conv1, conv2, conv3;
  std::shared_ptr<nn::BatchNorm2d> bn1, bn2, bn3;
  std::shared_ptr<nn::ReLU> relu;
  std::shared_ptr<nn::Sequential> downsample;  // null for the identity shortcut
};

struct ResNetOptions {
  using Blocks = std::array<int64_t, 3>;  // an alias: EMBER_ARG cannot take a type with a comma
  EMBER_ARG(int64_t, in_channels, 3);
  EMBER_ARG(int64_t, num_classes, 10);
  EMBER_ARG(int64_t, width, 16);
  EMBER_ARG(Blocks, blocks, {1, 1, 1});
};

class ResNet : public nn::Module {
 public:
  explicit ResNet(const ResNetOptions& options = {});
  Tensor forward(const Tensor& x) override;  // [N, in_channels, H, W] -> [N, num_classes]
  std::shared_ptr<nn::Conv2d> conv1;
  std::shared_ptr<nn::BatchNorm2d> bn1;
  std::shared_ptr<nn::ReLU> relu;
  std::shared_ptr<nn::Sequential> layer1, layer2, layer3;
  std::shared_ptr<nn::AdaptiveAvgPool2d> avgpool;
  std::shared_ptr<nn::Flatten> flatten;
  std::shared_ptr<nn::Linear> fc;
};

}  // namespace ember::models
