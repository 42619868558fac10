#include "ember/models/nin.h"

#include "ember/nn/conv.h"
#include "ember/nn/fusion.h"
#include "ember/nn/norm.h"
#include "ember/nn/pool.h"

namespace ember::models {

std::shared_ptr<nn::Sequential> mlpconv(int64_t in_channels, int64_t channels, int64_t out_channels,
                                        int64_t kernel_size, int64_t padding) {
  return nn::sequential({
      std::make_shared<nn::Conv2d>(nn::Conv2dOptions(in_channels, channels, kernel_size).padding(padding)),
      std::make_shared<nn::ReLU>(), std::make_shared<nn::Conv2d>(nn::Conv2dOptions(channels, channels, 1)),
      std::make_shared<nn::ReLU>(), std::make_shared<nn::Conv2d>(nn::Conv2dOptions(channels, out_channels, 1)),
      std::make_shared<nn::ReLU>()});
}

NiN::NiN(const NiNOptions& o) : Module("NiN") {
  EMBER_CHECK(o.in_channels() >= 1 && o.num_classes() >= 1, "NiN: in_channels {} and num_classes {} must be at least 1",
              o.in_channels(), o.num_classes());
  for (int64_t c : o.channels()) EMBER_CHECK(c >= 1, "NiN: channels must be at least 1, got {}", c);
  EMBER_CHECK(o.dropout() >= 0 && o.dropout() < 1, "NiN: dropout {} must be in [0, 1)", o.dropout());
  auto pool = [] { return std::make_shared<nn::MaxPool2d>(MaxPool2dOptions(3).stride(2).padding(1)); };
  const auto& c = o.channels();
  features = register_module("features", nn::sequential({
      mlpconv(o.in_channels(), c[0], c[0], 5, 2), pool(), std::make_shared<nn::Dropout>(o.dropout(), o.generator()),
      mlpconv(c[0], c[1], c[1], 5, 2), pool(), std::make_shared<nn::Dropout>(o.dropout(), o.generator()),
      mlpconv(c[1], c[2], o.num_classes(), 3, 1)}));
  classifier = register_module("classifier", nn::sequential({std::make_shared<nn::AdaptiveAvgPool2d>(1),
                                                              std::make_shared<nn::Flatten>()}));
  nn::fuse_relu(*this);  // its Conv2d/BatchNorm2d + ReLU pairs, one pass each (nn/fusion.h)
}

Tensor NiN::forward(const Tensor& x) { return (*classifier)((*features)(x)); }

}  // namespace ember::models
