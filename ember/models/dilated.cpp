#include "ember/models/dilated.h"

#include "ember/nn/conv.h"
#include "ember/nn/fusion.h"
#include "ember/nn/linear.h"
#include "ember/nn/pool.h"

namespace ember::models {

DilatedNet::DilatedNet(const DilatedNetOptions& o) : Module("DilatedNet") {
  EMBER_CHECK(o.in_channels() >= 1 && o.num_classes() >= 1 && o.channels() >= 1,
              "DilatedNet: in_channels {}, num_classes {} and channels {} must be at least 1", o.in_channels(),
              o.num_classes(), o.channels());
  EMBER_CHECK(!o.dilations().empty(), "DilatedNet: dilations must not be empty");
  features = register_module("features", std::make_shared<nn::Sequential>());
  int64_t in = o.in_channels();
  for (int64_t d : o.dilations()) {
    EMBER_CHECK(d >= 1, "DilatedNet: dilations must be at least 1, got {}", d);
    features->push_back(std::make_shared<nn::Conv2d>(nn::Conv2dOptions(in, o.channels(), 3).padding(d).dilation(d)));
    features->push_back(make_activation(o.activation()));
    in = o.channels();
  }
  if (o.dense()) {
    classifier = register_module("classifier", nn::sequential({std::make_shared<nn::Conv2d>(
                                       nn::Conv2dOptions(o.channels(), o.num_classes(), 1))}));
  } else {
    classifier = register_module("classifier", nn::sequential({std::make_shared<nn::AdaptiveAvgPool2d>(1),
                                                   std::make_shared<nn::Flatten>(),
                                                   std::make_shared<nn::Linear>(o.channels(), o.num_classes())}));
  }
  nn::fuse_relu(*this);  // its Conv2d/BatchNorm2d + ReLU pairs, one pass each (nn/fusion.h)
}

Tensor DilatedNet::forward(const Tensor& x) { return (*classifier)((*features)(x)); }

}  // namespace ember::models
