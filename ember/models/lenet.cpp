#include "ember/models/lenet.h"

#include "ember/nn/conv.h"
#include "ember/nn/fusion.h"
#include "ember/nn/linear.h"
#include "ember/nn/pool.h"

namespace ember::models {
namespace {

void check_options(const char* model, const LeNet5Options& o) {
  EMBER_CHECK(o.in_channels() >= 1 && o.num_classes() >= 1, "{}: in_channels {} and num_classes {} must be at least 1",
              model, o.in_channels(), o.num_classes());
}

}  // namespace

LeNet5Classic::LeNet5Classic(const LeNet5Options& o) : Module("LeNet5Classic") {
  check_options("LeNet5Classic", o);
  auto act = [&] { return make_activation(o.activation()); };
  features = register_module("features", nn::sequential({
      std::make_shared<nn::Conv2d>(nn::Conv2dOptions(o.in_channels(), 6, 5)), act(), std::make_shared<nn::AvgPool2d>(2),
      std::make_shared<nn::Conv2d>(nn::Conv2dOptions(6, 16, 5)), act(), std::make_shared<nn::AvgPool2d>(2),
      std::make_shared<nn::Conv2d>(nn::Conv2dOptions(16, 120, 5)), act()}));
  classifier = register_module("classifier", nn::sequential({
      std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(120, 84), act(),
      std::make_shared<nn::Linear>(84, o.num_classes())}));
  nn::fuse_relu(*this);  // its Conv2d/BatchNorm2d + ReLU pairs, one pass each (nn/fusion.h)
}

Tensor LeNet5Classic::forward(const Tensor& x) { return (*classifier)((*features)(x)); }

LeNet5::LeNet5(const LeNet5Options& o) : Module("LeNet5") {
  check_options("LeNet5", o);
  auto act = [&] { return make_activation(o.activation()); };
  features = register_module("features", nn::sequential({
      std::make_shared<nn::Conv2d>(nn::Conv2dOptions(o.in_channels(), 6, 5).padding(2)), act(),
      std::make_shared<nn::MaxPool2d>(2), std::make_shared<nn::Conv2d>(nn::Conv2dOptions(6, 16, 5)), act(),
      std::make_shared<nn::MaxPool2d>(2)}));
  classifier = register_module("classifier", nn::sequential({
      std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(16 * 5 * 5, 120), act(),
      std::make_shared<nn::Linear>(120, 84), act(), std::make_shared<nn::Linear>(84, o.num_classes())}));
  nn::fuse_relu(*this);  // its Conv2d/BatchNorm2d + ReLU pairs, one pass each (nn/fusion.h)
}

Tensor LeNet5::forward(const Tensor& x) { return (*classifier)((*features)(x)); }

}  // namespace ember::models
