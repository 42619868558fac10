#include "ember/models/mobilenet.h"

#include <cmath>

#include "ember/nn/conv.h"
#include "ember/nn/fusion.h"
#include "ember/nn/linear.h"
#include "ember/nn/norm.h"
#include "ember/nn/pool.h"

namespace ember::models {

std::shared_ptr<nn::Sequential> depthwise_separable(int64_t in_channels, int64_t out_channels, int64_t stride) {
  return nn::sequential({
      std::make_shared<nn::Conv2d>(
          nn::Conv2dOptions(in_channels, in_channels, 3).stride(stride).padding(1).groups(in_channels).bias(false)),
      std::make_shared<nn::BatchNorm2d>(in_channels), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Conv2d>(nn::Conv2dOptions(in_channels, out_channels, 1).bias(false)),
      std::make_shared<nn::BatchNorm2d>(out_channels), std::make_shared<nn::ReLU>()});
}

MobileNet::MobileNet(const MobileNetOptions& o) : Module("MobileNet") {
  EMBER_CHECK(o.in_channels() >= 1 && o.num_classes() >= 1,
              "MobileNet: in_channels {} and num_classes {} must be at least 1", o.in_channels(), o.num_classes());
  const double m = o.width_multiplier();
  EMBER_CHECK(std::isfinite(m) && m > 0 && int64_t(32 * m) >= 1,
              "MobileNet: width_multiplier {} must be finite and leave at least 1 channel (>= 1/32)", m);
  auto w = [&](int64_t c) { return static_cast<int64_t>(static_cast<double>(c) * m); };
  features = register_module("features", std::make_shared<nn::Sequential>());
  features->push_back(
      std::make_shared<nn::Conv2d>(nn::Conv2dOptions(o.in_channels(), w(32), 3).padding(1).bias(false)));
  features->push_back(std::make_shared<nn::BatchNorm2d>(w(32)));
  features->push_back(std::make_shared<nn::ReLU>());
  int64_t in = w(32);
  const std::pair<int64_t, int64_t> blocks[] = {{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}};
  for (const auto& [c, s] : blocks) {
    features->push_back(depthwise_separable(in, w(c), s));
    in = w(c);
  }
  classifier = register_module("classifier", nn::sequential({std::make_shared<nn::AdaptiveAvgPool2d>(1),
                                                              std::make_shared<nn::Flatten>(),
                                                              std::make_shared<nn::Linear>(in, o.num_classes())}));
  nn::fuse_relu(*this);  // its Conv2d/BatchNorm2d + ReLU pairs, one pass each (nn/fusion.h)
}

Tensor MobileNet::forward(const Tensor& x) { return (*classifier)((*features)(x)); }

}  // namespace ember::models
