#pragma once
// Network in Network (Lin et al. 2013), CIFAR-sized: three mlpconv blocks (a kxk conv followed by
// two 1x1 convs, each with relu), max pooling and dropout between them, and global average
// pooling instead of fully connected layers: the last 1x1 conv has num_classes channels.
//   features = [mlpconv(in -> c0, 5x5 p2), maxpool(3, s2, p1), dropout,
//               mlpconv(c0 -> c1, 5x5 p2), maxpool(3, s2, p1), dropout,
//               mlpconv(c1 -> c2 -> c2 -> num_classes, 3x3 p1)]
//   classifier = [AdaptiveAvgPool2d(1), Flatten]
// Each mlpconv is a Sequential (conv, relu, conv1x1, relu, conv1x1, relu). Any input size >= 1.
#include <array>
#include <memory>

#include "ember/core/options.h"
#include "ember/core/random.h"
#include "ember/models/common.h"
#include "ember/nn/sequential.h"

namespace ember::models {

struct NiNOptions {
  using Channels = std::array<int64_t, 3>;  // an alias: EMBER_ARG cannot take a type with a comma
  EMBER_ARG(int64_t, in_channels, 3);
  EMBER_ARG(int64_t, num_classes, 10);
  EMBER_ARG(Channels, channels, {96, 192, 192});  // width of the three mlpconv blocks
  EMBER_ARG(float, dropout, 0.5f);
  EMBER_ARG(GeneratorPtr, generator, nullptr);
};

// One mlpconv block: conv(in, channels, k, pad) - relu - conv1x1(channels) - relu -
// conv1x1(out_channels) - relu.
std::shared_ptr<nn::Sequential> mlpconv(int64_t in_channels, int64_t channels, int64_t out_channels,
                                        int64_t kernel_size, int64_t padding);

class NiN : public nn::Module {
 public:
  explicit NiN(const NiNOptions& options = {});
  Tensor forward(const Tensor& x) override;  // [N, in_channels, H, W] -> [N, num_classes]
  std::shared_ptr<nn::Sequential> features, classifier;
};

}  // namespace ember::models
