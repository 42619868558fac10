#pragma once
// One initialization for every convolution and fully connected layer of a model, chosen by name,
// as Keras's kernel_initializer / bias_initializer pair does for each layer:
//
//   pytorch         each layer's own reset_parameters (PyTorch's defaults): leaves the model as built
//   xavier          Glorot uniform weights, zero biases (Keras's default); `glorot_uniform` is the
//                   same scheme by its Keras name
//   kaiming         He normal weights (fan_in, ReLU gain sqrt(2)), zero biases
//   normal:STD      N(0, STD^2) weights, zero biases (Caffe's "gaussian" filler; normal:0.01)
//
// A layer here is any module with a parameter named "weight" of 2 or more dims (Linear, Conv1d/2d/3d,
// ConvTranspose2d, LocallyConnected2d); its "bias", if any, becomes zero. Normalization layers
// (1-D weights) keep their ones and zeros.
#include <string>
#include <string_view>

#include "ember/core/random.h"
#include "ember/nn/module.h"

namespace ember::nn::init {

struct InitScheme {
  enum class Kind { pytorch, xavier_uniform, kaiming_normal, normal };
  Kind kind = Kind::pytorch;
  double stddev = 0;  // normal's
};

// The names parse_init_scheme accepts, for messages and help.
inline constexpr std::string_view kInitSchemeNames = "pytorch, xavier, glorot_uniform, kaiming, normal:STD";

// "xavier" -> {xavier_uniform}; ember::Error naming `what` (e.g. "--init") for an unknown name or a
// STD that is not a finite number greater than 0.
InitScheme parse_init_scheme(std::string_view text, std::string_view what = "init");

// Re-initializes every layer of `model` by `scheme`, in the order of model.apply (children
// first), drawing from `gen` (the default generator when null). pytorch does nothing.
void initialize(Module& model, const InitScheme& scheme, Generator* gen = nullptr);

}  // namespace ember::nn::init
