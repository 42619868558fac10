#pragma once
// SimpleConvNet: conv(30, 5x5) - relu - maxpool 2 - linear 100 - relu - linear 10 on 1x28x28
// (bench/bench_train.cpp's simplecnn row). Children conv1, relu1, pool1, flatten, fc1, relu2, fc2, so the
// state_dict keys are PyTorch's conv1.weight, ..., fc2.bias.
#include <memory>

#include "ember/core/options.h"
#include "ember/core/random.h"
#include "ember/models/common.h"
#include "ember/nn/activation.h"
#include "ember/nn/conv.h"
#include "ember/nn/linear.h"
#include "ember/nn/module.h"
#include "ember/nn/pool.h"

namespace ember::models {

struct SimpleConvNetOptions {
  EMBER_ARG(int64_t, in_channels, 1);
  EMBER_ARG(int64_t, input_size, 28);           // square input H = W
  EMBER_ARG(int64_t, conv_channels, 30);
  EMBER_ARG(int64_t, kernel_size, 5);
  EMBER_ARG(int64_t, hidden, 100);
  EMBER_ARG(int64_t, num_classes, 10);
  EMBER_ARG(bool, normal_init, false);          // the classic N(0, init_std^2) weights, zero biases
  EMBER_ARG(double, init_std, 0.01);
  EMBER_ARG(GeneratorPtr, generator, nullptr);  // for normal_init (the default generator if null)
};

class SimpleConvNet : public nn::Module {
 public:
  explicit SimpleConvNet(const SimpleConvNetOptions& options = {});
  Tensor forward(const Tensor& x) override;  // [N, in_channels, S, S] -> [N, num_classes]
  std::shared_ptr<nn::Conv2d> conv1;
  std::shared_ptr<nn::ReLU> relu1, relu2;
  std::shared_ptr<nn::MaxPool2d> pool1;
  std::shared_ptr<nn::Flatten> flatten;
  std::shared_ptr<nn::Linear> fc1, fc2;
  const SimpleConvNetOptions& options() const { return options_; }

 private:
  SimpleConvNetOptions options_;
};

}  // namespace ember::models
