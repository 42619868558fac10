#include "ember/models/registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "ember/autograd/grad_mode.h"
#include "ember/core/error.h"
#include "ember/core/suggest.h"
#include "ember/models/alexnet.h"
#include "ember/models/autoencoder.h"
#include "ember/models/dilated.h"
#include "ember/models/inception.h"
#include "ember/models/lenet.h"
#include "ember/models/mnist_cnn.h"
#include "ember/models/mobilenet.h"
#include "ember/models/nin.h"
#include "ember/models/resnet.h"
#include "ember/models/simple_convnet.h"

namespace ember::models {

const std::vector<ModelInfo>& model_infos() {
  static const std::vector<ModelInfo> infos = {
      {"lenet5", "LeNet-5, modern: conv6(5,p2)-relu-maxpool-conv16(5)-relu-maxpool-fc120-fc84-fc10", "Cx28x28"},
      {"lenet5_classic", "LeNet-5 as in LeCun 1998: tanh, average pooling, C5 as a conv", "Cx32x32"},
      {"simplecnn", "conv30(5)-relu-maxpool-fc100-relu-fc10", "CxSxS"},
      {"mnist_cnn", "the MNIST study net: 1-2 conv(5)+maxpool stages, FC layers, optional dropout", "CxSxS"},
      {"alexnet", "AlexNet as published (two towers, LRN, dropout), 61M parameters", "Cx227x227"},
      {"alexnet_cifar", "AlexNet for CIFAR: conv64(5)-pool-LRN-conv64(5)-LRN-pool-fc384-fc192-fc10", "Cx32x32"},
      {"nin", "Network in Network: mlpconv blocks of 1x1 convs, global average pooling", "Cx32x32"},
      {"mobilenet", "MobileNet-style: depthwise-separable blocks with batch norm, global average pooling", "CxSxS"},
      {"dilated", "dilated context net: 3x3 convs with dilation 1,2,4,8, global average pooling", "CxSxS"},
      {"inception", "Inception-style: parallel 1x1/3x3/5x5/pool branches concatenated", "CxSxS"},
      {"resnet", "bottleneck ResNet for small images (3 stages)", "CxSxS"},
      {"conv_autoencoder", "convolutional autoencoder (strided conv encoder, transposed conv decoder)", "Cx28x28", false},
  };
  return infos;
}

int64_t fixed_input_size(const std::string& name) {
  for (const auto& info : model_infos()) {
    if (info.name != name) continue;
    const size_t last = info.input.rfind('x');
    const std::string size = info.input.substr(last + 1);
    return size == "S" ? 0 : std::stoll(size);
  }
  return 0;
}

std::string model_names() {
  std::string out;
  for (const auto& info : model_infos()) out += (out.empty() ? "" : ", ") + info.name;
  return out;
}

std::vector<std::string> model_name_list(bool classifiers_only) {
  std::vector<std::string> names;
  for (const auto& info : model_infos()) {
    if (info.classifier || !classifiers_only) names.push_back(info.name);
  }
  return names;
}

std::string canonical_model_name(const std::string& name) {
  const std::vector<std::string> names = model_name_list();
  const auto found = match_ignoring_case(name, names);
  EMBER_CHECK(found, "unknown model '{}'{} (the zoo has: {})", name, did_you_mean(name, names), model_names());
  return *found;
}

Shape usual_input(const std::string& typed) {
  const std::string name = canonical_model_name(typed);
  if (name == "lenet5" || name == "simplecnn" || name == "mnist_cnn" || name == "conv_autoencoder") return {1, 28, 28};
  if (name == "alexnet") return {3, 227, 227};
  return {3, 32, 32};
}

int64_t usual_classes(const std::string& name) { return to_lower(name) == "alexnet" ? 1000 : 10; }

Activation parse_activation(const std::string& text) {
  if (text == "relu") return Activation::relu;
  if (text == "tanh") return Activation::tanh;
  if (text == "sigmoid") return Activation::sigmoid;
  fail("unknown activation '{}' (expected relu, tanh or sigmoid)", text);
}

namespace {

// Rejects knobs the model does not have, naming the models that do.
void check_knobs(const std::string& name, const ModelConfig& c) {
  auto reject = [&](bool set, const char* knob, std::initializer_list<const char*> owners) {
    if (!set) return;
    for (const char* owner : owners) {
      if (name == owner) return;
    }
    std::string list;
    for (const char* owner : owners) list += (list.empty() ? "" : ", ") + std::string(owner);
    fail("model {} has no {} option (models with one: {})", name, knob, list);
  };
  reject(c.dropout.has_value(), "dropout", {"alexnet", "alexnet_cifar", "nin", "mnist_cnn"});
  reject(c.activation.has_value(), "activation", {"lenet5", "lenet5_classic", "dilated", "mnist_cnn"});
  reject(!c.conv_channels.empty(), "conv-channels", {"mnist_cnn"});
  reject(!c.hidden.empty(), "hidden", {"mnist_cnn"});
  reject(c.normal_init, "normal-init", {"simplecnn"});
  reject(c.width.has_value(), "width", {"mobilenet", "resnet"});
}

// An options struct with the fields every zoo model has filled from the config.
template <typename Options>
Options with_shape(const ModelConfig& c) {
  return Options().in_channels(c.in_channels).num_classes(c.num_classes);
}

}  // namespace

std::shared_ptr<nn::Module> make_model(const std::string& typed, const ModelConfig& c) {
  const std::string name = canonical_model_name(typed);
  EMBER_CHECK(c.in_channels >= 1 && c.num_classes >= 1 && c.input_size >= 1,
              "model {}: in_channels ({}), num_classes ({}) and input_size ({}) must be at least 1", name,
              c.in_channels, c.num_classes, c.input_size);
  check_knobs(name, c);
  const float dropout = c.dropout.value_or(0.5f);
  if (name == "lenet5" || name == "lenet5_classic") {
    auto o = with_shape<LeNet5Options>(c).activation(
        c.activation.value_or(name == "lenet5" ? Activation::relu : Activation::tanh));
    if (name == "lenet5") return std::make_shared<LeNet5>(o);
    return std::make_shared<LeNet5Classic>(o);
  }
  if (name == "simplecnn") {
    auto o = with_shape<SimpleConvNetOptions>(c).input_size(c.input_size).normal_init(c.normal_init);
    return std::make_shared<SimpleConvNet>(o);
  }
  if (name == "mnist_cnn") {
    auto o = with_shape<MnistCnnOptions>(c)
                 .input_size(c.input_size)
                 .activation(c.activation.value_or(Activation::relu))
                 .dropout(c.dropout.value_or(0.0f));
    if (!c.conv_channels.empty()) o.conv_channels(c.conv_channels);
    if (!c.hidden.empty()) o.hidden(c.hidden);
    return std::make_shared<MnistCnn>(o);
  }
  if (name == "alexnet") {
    return std::make_shared<AlexNet>(with_shape<AlexNetOptions>(c).dropout(dropout));
  }
  if (name == "alexnet_cifar") {
    return std::make_shared<AlexNetCifar>(with_shape<AlexNetCifarOptions>(c).dropout(dropout));
  }
  if (name == "nin") {
    return std::make_shared<NiN>(with_shape<NiNOptions>(c).dropout(dropout));
  }
  if (name == "mobilenet") {
    return std::make_shared<MobileNet>(with_shape<MobileNetOptions>(c).width_multiplier(c.width.value_or(1.0)));
  }
  if (name == "dilated") {
    auto o = with_shape<DilatedNetOptions>(c)
                 .activation(c.activation.value_or(Activation::relu))
                 .dense(false);  // the classifier variant: [N, num_classes], not per-pixel scores
    return std::make_shared<DilatedNet>(o);
  }
  if (name == "inception") {
    return std::make_shared<InceptionNet>(with_shape<InceptionNetOptions>(c));
  }
  if (name == "resnet") {
    auto o = with_shape<ResNetOptions>(c);
    if (c.width) {
      EMBER_CHECK(*c.width >= 1 && *c.width == static_cast<double>(static_cast<int64_t>(*c.width)),
                  "model resnet: width is its base number of channels, a whole number >= 1; got {}", *c.width);
      o.width(static_cast<int64_t>(*c.width));
    }
    return std::make_shared<ResNet>(o);
  }
  return std::make_shared<ConvAutoencoder>(ConvAutoencoderOptions().in_channels(c.in_channels));
}

Shape check_input(nn::Module& model, const std::string& name, const Shape& image_shape) {
  EMBER_CHECK(image_shape.size() == 3, "check_input: image shape must be [C, H, W], got {}", image_shape.size());
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  try {
    Tensor out = model(zeros({1, image_shape[0], image_shape[1], image_shape[2]}));
    model.train(was_training);
    return out.shape();
  } catch (const Error& e) {
    model.train(was_training);
    const auto& infos = model_infos();
    auto info = std::find_if(infos.begin(), infos.end(), [&](const ModelInfo& i) { return i.name == name; });
    fail("model {} cannot take {}x{}x{} images (it takes {}): {}", name, image_shape[0], image_shape[1],
         image_shape[2], info == infos.end() ? "?" : info->input, e.what());
  }
}

}  // namespace ember::models
