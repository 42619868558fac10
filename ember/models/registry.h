#pragma once
// The model zoo by name, for the `ember` command and for code that picks a model at run time:
//
//   models::ModelConfig config;
//   config.in_channels = 3;
//   auto model = models::make_model("mobilenet", config);
//
// ModelConfig carries what varies between datasets (channels, image size, classes) and the few
// architecture knobs the zoo exposes. Setting a knob the chosen model does not have is an
// ember::Error that says which models have it, so a typo in an experiment never goes unnoticed.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ember/models/common.h"
#include "ember/nn/module.h"

namespace ember::models {

struct ModelConfig {
  int64_t in_channels = 1;
  int64_t input_size = 28;  // square images; used by models whose layer sizes depend on it
  int64_t num_classes = 10;
  std::optional<float> dropout;             // alexnet, alexnet_cifar, nin, mnist_cnn
  std::optional<Activation> activation;     // lenet5, lenet5_classic, dilated, mnist_cnn
  std::vector<int64_t> conv_channels;       // mnist_cnn: one width per conv stage (default 20,40)
  std::vector<int64_t> hidden;              // mnist_cnn: fully connected widths (default 100)
  bool normal_init = false;                 // simplecnn: the classic N(0, 0.01^2) init
  std::optional<double> width;              // mobilenet: width multiplier; resnet: base width
};

struct ModelInfo {
  std::string name;
  std::string description;
  std::string input;        // what it takes, e.g. "Cx28x28"
  bool classifier = true;   // false: not trainable by the classification trainer
};

// Every model of the zoo, in the order `ember summary --list` shows them.
const std::vector<ModelInfo>& model_infos();
// The one square size a model takes (32 for lenet5_classic's "Cx32x32"), 0 when it takes any
// ("CxSxS") or the name is not in the zoo.
int64_t fixed_input_size(const std::string& name);
// Names joined for messages: "lenet5, lenet5_classic, ...".
std::string model_names();
// The names as a list, all of them or only the classifiers (what the trainer can train).
std::vector<std::string> model_name_list(bool classifiers_only = false);

// The zoo's spelling of a model name typed in any case ("LeNet5" -> "lenet5"); an unknown name is
// an ember::Error listing the zoo and suggesting the nearest name ("lenet" -> did you mean 'lenet5'?).
std::string canonical_model_name(const std::string& name);

// The input a model is built for when nothing says otherwise, [C, S, S]: 1x28x28 for the MNIST
// models (lenet5, simplecnn, mnist_cnn, conv_autoencoder), 3x227x227 for alexnet, 3x32x32 for the
// rest; and its usual number of classes (1000 for alexnet, else 10). Names in any case; ember::Error
// for an unknown one.
Shape usual_input(const std::string& name);
int64_t usual_classes(const std::string& name);

// A new model with its default initialization (drawn from the default generator). The name is
// taken in any case (canonical_model_name).
std::shared_ptr<nn::Module> make_model(const std::string& name, const ModelConfig& config);

// Runs one image [C, H, W] through the model (no grad, eval mode restored afterwards) and
// returns the output shape; an ember::Error that says the model does not take such images if not.
Shape check_input(nn::Module& model, const std::string& name, const Shape& image_shape);

Activation parse_activation(const std::string& text);

}  // namespace ember::models
