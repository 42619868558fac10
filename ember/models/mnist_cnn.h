#pragma once
// MnistCnn: the configurable network of the classic MNIST convolutional-network study
// (experiments/mnist-study): one or two conv(5x5) - activation - maxpool(2) stages, then fully
// connected layers, dropout before each of them if asked, and a final linear layer to the classes.
//
//   one conv layer:    conv 20                         - fc 100       (sigmoid)
//   two conv layers:   conv 20 - conv 40               - fc 100       (sigmoid or relu)
//   big FC + dropout:  conv 20 - conv 40               - fc 1000 - fc 1000, dropout 0.5 (relu)
//
// Children: features (Sequential of the conv stages), classifier (Sequential: flatten, then
// [dropout] linear activation per hidden layer, [dropout] linear to num_classes).
#include <memory>
#include <vector>

#include "ember/core/options.h"
#include "ember/core/random.h"
#include "ember/models/common.h"
#include "ember/nn/sequential.h"

namespace ember::models {

struct MnistCnnOptions {
  EMBER_ARG(int64_t, in_channels, 1);
  EMBER_ARG(int64_t, input_size, 28);                        // square inputs
  EMBER_ARG(int64_t, num_classes, 10);
  EMBER_ARG(std::vector<int64_t>, conv_channels, {20, 40});  // one entry per conv stage (1 or more)
  EMBER_ARG(int64_t, kernel_size, 5);
  EMBER_ARG(std::vector<int64_t>, hidden, {100});            // fully connected widths before the output layer
  EMBER_ARG(Activation, activation, Activation::relu);
  EMBER_ARG(float, dropout, 0.0f);                           // before every fully connected layer; 0 = none
  EMBER_ARG(GeneratorPtr, generator, nullptr);               // for dropout
};

class MnistCnn : public nn::Module {
 public:
  explicit MnistCnn(const MnistCnnOptions& options = {});
  Tensor forward(const Tensor& x) override;  // [N, in_channels, S, S] -> [N, num_classes]
  std::shared_ptr<nn::Sequential> features, classifier;
};

}  // namespace ember::models
