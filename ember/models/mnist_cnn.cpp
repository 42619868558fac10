#include "ember/models/mnist_cnn.h"

#include "ember/core/error.h"
#include "ember/nn/conv.h"
#include "ember/nn/fusion.h"
#include "ember/nn/linear.h"
#include "ember/nn/norm.h"
#include "ember/nn/pool.h"

namespace ember::models {

MnistCnn::MnistCnn(const MnistCnnOptions& o) : Module("MnistCnn") {
  EMBER_CHECK(!o.conv_channels().empty(), "MnistCnn: needs at least one conv stage");
  EMBER_CHECK(o.dropout() >= 0 && o.dropout() < 1, "MnistCnn: dropout {} must be in [0, 1)", o.dropout());
  EMBER_CHECK(o.in_channels() >= 1 && o.num_classes() >= 1 && o.kernel_size() >= 1,
              "MnistCnn: in_channels {}, num_classes {} and kernel_size {} must be at least 1", o.in_channels(),
              o.num_classes(), o.kernel_size());
  features = register_module("features", std::make_shared<nn::Sequential>());
  int64_t channels = o.in_channels(), size = o.input_size();
  for (int64_t out : o.conv_channels()) {
    EMBER_CHECK(out >= 1, "MnistCnn: conv channels must be >= 1, got {}", out);
    EMBER_CHECK(size - o.kernel_size() + 1 >= 2,
                "MnistCnn: a {}x{} input is too small for {} conv({}x{}) - maxpool(2) stages", o.input_size(),
                o.input_size(), o.conv_channels().size(), o.kernel_size(), o.kernel_size());
    features->push_back(std::make_shared<nn::Conv2d>(nn::Conv2dOptions(channels, out, o.kernel_size())));
    features->push_back(make_activation(o.activation()));
    features->push_back(std::make_shared<nn::MaxPool2d>(2));
    channels = out;
    size = (size - o.kernel_size() + 1) / 2;
  }
  classifier = register_module("classifier", std::make_shared<nn::Sequential>());
  classifier->push_back(std::make_shared<nn::Flatten>());
  int64_t width = channels * size * size;
  for (int64_t h : o.hidden()) {
    EMBER_CHECK(h >= 1, "MnistCnn: hidden widths must be >= 1, got {}", h);
    if (o.dropout() > 0) classifier->push_back(std::make_shared<nn::Dropout>(o.dropout(), o.generator()));
    classifier->push_back(std::make_shared<nn::Linear>(width, h));
    classifier->push_back(make_activation(o.activation()));
    width = h;
  }
  if (o.dropout() > 0) classifier->push_back(std::make_shared<nn::Dropout>(o.dropout(), o.generator()));
  classifier->push_back(std::make_shared<nn::Linear>(width, o.num_classes()));
  nn::fuse_relu(*this);  // its Conv2d/BatchNorm2d + ReLU pairs, one pass each (nn/fusion.h)
}

Tensor MnistCnn::forward(const Tensor& x) { return (*classifier)((*features)(x)); }

}  // namespace ember::models
