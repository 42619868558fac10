#include "ember/models/simple_convnet.h"

#include "ember/core/error.h"
#include "ember/nn/fusion.h"
#include "ember/nn/init.h"

namespace ember::models {

SimpleConvNet::SimpleConvNet(const SimpleConvNetOptions& o) : Module("SimpleConvNet"), options_(o) {
  EMBER_CHECK(o.in_channels() >= 1 && o.conv_channels() >= 1 && o.hidden() >= 1 && o.num_classes() >= 1,
              "SimpleConvNet: in_channels {}, conv_channels {}, hidden {} and num_classes {} must be at least 1",
              o.in_channels(), o.conv_channels(), o.hidden(), o.num_classes());
  EMBER_CHECK(o.kernel_size() >= 1 && o.input_size() >= o.kernel_size() + 1,
              "SimpleConvNet: input_size {} must exceed kernel_size {} (>= 1)", o.input_size(), o.kernel_size());
  EMBER_CHECK(o.init_std() >= 0, "SimpleConvNet: init_std {} must be >= 0", o.init_std());
  const int64_t pooled = (o.input_size() - o.kernel_size() + 1) / 2;
  conv1 = register_module(
      "conv1", std::make_shared<nn::Conv2d>(nn::Conv2dOptions(o.in_channels(), o.conv_channels(), o.kernel_size())));
  relu1 = register_module("relu1", std::make_shared<nn::ReLU>());
  pool1 = register_module("pool1", std::make_shared<nn::MaxPool2d>(2));
  flatten = register_module("flatten", std::make_shared<nn::Flatten>());
  fc1 = register_module("fc1", std::make_shared<nn::Linear>(o.conv_channels() * pooled * pooled, o.hidden()));
  relu2 = register_module("relu2", std::make_shared<nn::ReLU>());
  fc2 = register_module("fc2", std::make_shared<nn::Linear>(o.hidden(), o.num_classes()));
  conv1->fuse_relu();  // conv1 then relu1, in one pass (nn/fusion.h)
  if (o.normal_init()) {
    nn::init::normal_init(conv1->weight, conv1->bias, o.init_std(), o.generator());
    nn::init::normal_init(fc1->weight, fc1->bias, o.init_std(), o.generator());
    nn::init::normal_init(fc2->weight, fc2->bias, o.init_std(), o.generator());
  }
}

Tensor SimpleConvNet::forward(const Tensor& x) {
  Tensor h = (*pool1)((*conv1)(x));  // conv1 applies relu1 itself (fused in the constructor)
  return (*fc2)((*relu2)((*fc1)((*flatten)(h))));
}

}  // namespace ember::models
