#pragma once
// Dilated context network (Yu & Koltun 2016, "context module" style): stacked 3x3 convolutions
// with dilation d and padding d, so the resolution never changes while the receptive field grows
// exponentially (1, 2, 4, 8 by default: 31x31 after four layers).
//   features = [conv3x3(in -> c, dil d0, pad d0), act, conv3x3(c -> c, dil d1, pad d1), act, ...]
//   classifier (dense)         = [conv1x1(c -> num_classes)]          -> [N, num_classes, H, W]
//   classifier (dense = false) = [AdaptiveAvgPool2d(1), Flatten, fc]  -> [N, num_classes]
#include <memory>
#include <vector>

#include "ember/core/options.h"
#include "ember/models/common.h"
#include "ember/nn/sequential.h"

namespace ember::models {

struct DilatedNetOptions {
  EMBER_ARG(int64_t, in_channels, 3);
  EMBER_ARG(int64_t, num_classes, 5);
  EMBER_ARG(int64_t, channels, 32);
  EMBER_ARG(std::vector<int64_t>, dilations, {1, 2, 4, 8});
  EMBER_ARG(Activation, activation, Activation::relu);
  EMBER_ARG(bool, dense, true);  // true: per-pixel scores [N, classes, H, W]; false: the classifier variant
};

class DilatedNet : public nn::Module {
 public:
  explicit DilatedNet(const DilatedNetOptions& options = {});
  Tensor forward(const Tensor& x) override;
  std::shared_ptr<nn::Sequential> features, classifier;
};

}  // namespace ember::models
