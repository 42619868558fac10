// The zoo by name (ember/models/registry.h): every model builds from a ModelConfig and takes the
// input its ModelInfo names; the config reaches the model (same architecture as the class built
// directly); knobs a model lacks are rejected naming the models that have them; check_input and
// parse_activation errors. MnistCnn (ember/models/mnist_cnn.h): the study's shapes with exact
// parameter counts, dropout placement, forward, errors.
#include <cmath>
#include <cstring>

#include "models/model_checks.h"

#include "ember/models/alexnet.h"
#include "ember/models/autoencoder.h"
#include "ember/models/dilated.h"
#include "ember/models/inception.h"
#include "ember/models/lenet.h"
#include "ember/models/mnist_cnn.h"
#include "ember/models/mobilenet.h"
#include "ember/models/nin.h"
#include "ember/models/registry.h"
#include "ember/models/resnet.h"
#include "ember/models/simple_convnet.h"

using namespace ember;
using namespace ember::models;
using ember::test::check_error;

namespace {

// The parameter names and shapes of a model, for comparing two architectures.
std::vector<std::pair<std::string, Shape>> parameter_shapes(const nn::Module& m) {
  std::vector<std::pair<std::string, Shape>> out;
  for (const auto& [name, p] : m.named_parameters()) out.emplace_back(name, p.shape());
  return out;
}

bool same_bits(const Tensor& a, const Tensor& b) {
  const Tensor x = a.contiguous(), y = b.contiguous();
  return x.shape() == y.shape() &&
         std::memcmp(x.data<float>(), y.data<float>(), static_cast<size_t>(x.numel()) * sizeof(float)) == 0;
}

// The type names of a module's direct children.
std::vector<std::string> child_types(const nn::Module& m) {
  std::vector<std::string> types;
  for (const auto& [name, child] : m.named_children()) types.push_back(child->type_name());
  return types;
}

// Every module of the tree of type `type`, with its extra_repr.
std::vector<std::string> reprs_of(nn::Module& m, const std::string& type) {
  std::vector<std::string> out;
  m.apply([&](nn::Module& sub) {
    if (sub.type_name() == type) out.push_back(sub.extra_repr());
  });
  return out;
}

ModelConfig config_for(int64_t channels, int64_t size, int64_t classes = 10) {
  ModelConfig c;
  c.in_channels = channels;
  c.input_size = size;
  c.num_classes = classes;
  return c;
}

// The image shapes a model's input column stands for.
std::vector<Shape> inputs_for(const std::string& column) {
  if (column == "Cx28x28") return {{1, 28, 28}};
  if (column == "Cx32x32") return {{3, 32, 32}};
  if (column == "Cx227x227") return {{3, 227, 227}};
  if (column == "CxSxS") return {{1, 28, 28}, {3, 32, 32}};
  FAIL("unexpected input column " << column);
  return {};
}

// Options of type O with the config's channels and classes (the fields every zoo model has).
template <typename O>
O io_options(const ModelConfig& c) {
  return O().in_channels(c.in_channels).num_classes(c.num_classes);
}

// The model built directly from its class with the values make_model should pass on.
std::shared_ptr<nn::Module> build_directly(const std::string& name, const ModelConfig& c) {
  if (name == "lenet5") return std::make_shared<LeNet5>(io_options<LeNet5Options>(c).activation(Activation::relu));
  if (name == "lenet5_classic")
    return std::make_shared<LeNet5Classic>(io_options<LeNet5Options>(c).activation(Activation::tanh));
  if (name == "simplecnn")
    return std::make_shared<SimpleConvNet>(io_options<SimpleConvNetOptions>(c).input_size(c.input_size));
  if (name == "mnist_cnn") return std::make_shared<MnistCnn>(io_options<MnistCnnOptions>(c).input_size(c.input_size));
  if (name == "alexnet_cifar") return std::make_shared<AlexNetCifar>(io_options<AlexNetCifarOptions>(c));
  if (name == "nin") return std::make_shared<NiN>(io_options<NiNOptions>(c));
  if (name == "mobilenet") return std::make_shared<MobileNet>(io_options<MobileNetOptions>(c));
  if (name == "dilated") return std::make_shared<DilatedNet>(io_options<DilatedNetOptions>(c).dense(false));
  if (name == "inception") return std::make_shared<InceptionNet>(io_options<InceptionNetOptions>(c));
  if (name == "resnet") return std::make_shared<ResNet>(io_options<ResNetOptions>(c));
  if (name == "conv_autoencoder")
    return std::make_shared<ConvAutoencoder>(ConvAutoencoderOptions().in_channels(c.in_channels));
  FAIL("no direct build for " << name);
  return nullptr;
}

// MnistCnn's parameter count, layer by layer: conv(k x k) stages then linear layers.
int64_t mnist_cnn_count(int64_t in, int64_t size, const std::vector<int64_t>& convs, const std::vector<int64_t>& hidden,
                        int64_t classes, int64_t k = 5) {
  int64_t n = 0;
  for (int64_t out : convs) {
    n += out * in * k * k + out;
    in = out;
    size = (size - k + 1) / 2;
  }
  int64_t width = in * size * size;
  for (int64_t h : hidden) {
    n += width * h + h;
    width = h;
  }
  return n + width * classes + classes;
}

}  // namespace

TEST_CASE("model_infos: the zoo in order, with its input columns") {
  std::vector<std::string> names, inputs;
  for (const ModelInfo& info : model_infos()) {
    names.push_back(info.name);
    inputs.push_back(info.input);
    CHECK(!info.description.empty());
    CHECK(info.classifier == (info.name != "conv_autoencoder"));
  }
  CHECK(names == std::vector<std::string>{"lenet5", "lenet5_classic", "simplecnn", "mnist_cnn", "alexnet",
                                          "alexnet_cifar", "nin", "mobilenet", "dilated", "inception", "resnet",
                                          "conv_autoencoder"});
  CHECK(inputs == std::vector<std::string>{"Cx28x28", "Cx32x32", "CxSxS", "CxSxS", "Cx227x227", "Cx32x32",
                                           "Cx32x32", "CxSxS", "CxSxS", "CxSxS", "CxSxS", "Cx28x28"});
  CHECK(model_names() ==
        "lenet5, lenet5_classic, simplecnn, mnist_cnn, alexnet, alexnet_cifar, nin, mobilenet, dilated, inception, "
        "resnet, conv_autoencoder");
}

TEST_CASE("every zoo model builds for its input column and maps one image to [1, num_classes]") {
  manual_seed(0);
  for (const ModelInfo& info : model_infos()) {
    if (info.name == "alexnet") continue;  // below, once: 61M parameters
    for (const Shape& image : inputs_for(info.input)) {
      INFO(info.name, " on ", shape_str(image));
      const ModelConfig c = config_for(image[0], image[1], 7);
      auto model = make_model(info.name, c);
      REQUIRE(model != nullptr);
      CHECK(model->is_training());
      const Shape expected = info.classifier ? Shape{1, 7} : Shape{1, image[0], image[1], image[2]};
      CHECK(check_input(*model, info.name, image) == expected);
      CHECK(model->is_training());  // check_input restores the mode
      // The registry passed channels, size and classes on: the same layers as the class itself.
      auto direct = build_directly(info.name, c);
      CHECK(parameter_shapes(*model) == parameter_shapes(*direct));
      CHECK(model->type_name() == direct->type_name());
    }
  }
}

TEST_CASE("alexnet from the registry: 3x227x227 in, the published size") {
  manual_seed(0);
  ModelConfig c = config_for(3, 227, 1000);
  auto model = make_model("alexnet", c);
  CHECK(model->type_name() == "AlexNet");
  CHECK(parameter_count(*model) == 60965224);
  model->eval();
  CHECK(check_input(*model, "alexnet", {3, 227, 227}) == Shape{1, 1000});
  CHECK(!model->is_training());  // eval stays eval
  CHECK(reprs_of(*model, "Dropout") == std::vector<std::string>{"p=0.5", "p=0.5"});  // the default
  check_error([&] { check_input(*model, "alexnet", {3, 224, 224}); },
              {"model alexnet cannot take 3x224x224 images (it takes Cx227x227)"});
}

TEST_CASE("known parameter counts through the registry") {
  manual_seed(0);
  CHECK(parameter_count(*make_model("lenet5", config_for(1, 28))) == 61706);
  CHECK(parameter_count(*make_model("lenet5_classic", config_for(1, 32))) == 61706);
  // A 3-channel first layer adds 6 filters x 2 channels x 5x5 weights.
  CHECK(parameter_count(*make_model("lenet5_classic", config_for(3, 32))) == 61706 + 6 * 2 * 25);
  CHECK(parameter_count(*make_model("alexnet_cifar", config_for(3, 32))) == 1387786);
  CHECK(parameter_count(*make_model("simplecnn", config_for(1, 28))) == 433890);
  CHECK(parameter_count(*make_model("mobilenet", config_for(3, 32))) == 136778);
  CHECK(parameter_count(*make_model("resnet", config_for(3, 32))) == 127642);
  CHECK(parameter_count(*make_model("inception", config_for(3, 32))) == 240482);
  // The default mnist_cnn: conv 20 - conv 40 - fc 100, no dropout.
  CHECK(parameter_count(*make_model("mnist_cnn", config_for(1, 28))) == mnist_cnn_count(1, 28, {20, 40}, {100}, 10));
  CHECK(parameter_count(*make_model("mnist_cnn", config_for(1, 28))) == 85670);
}

TEST_CASE("knobs reach the models that have them") {
  manual_seed(0);
  ModelConfig c = config_for(3, 32);
  c.dropout = 0.25f;
  CHECK(reprs_of(*make_model("alexnet_cifar", c), "Dropout") == std::vector<std::string>{"p=0.25", "p=0.25"});
  CHECK(reprs_of(*make_model("nin", c), "Dropout") == std::vector<std::string>{"p=0.25", "p=0.25"});
  CHECK(reprs_of(*make_model("mnist_cnn", c), "Dropout") == std::vector<std::string>{"p=0.25", "p=0.25"});
  // Without the knob: alexnet_cifar and nin use 0.5, mnist_cnn none at all.
  CHECK(reprs_of(*make_model("nin", config_for(3, 32)), "Dropout") == std::vector<std::string>{"p=0.5", "p=0.5"});
  CHECK(reprs_of(*make_model("mnist_cnn", config_for(3, 32)), "Dropout").empty());

  ModelConfig act = config_for(1, 28);
  CHECK(reprs_of(*make_model("lenet5", act), "ReLU").size() == 4);
  CHECK(reprs_of(*make_model("lenet5_classic", config_for(1, 32)), "Tanh").size() == 4);
  act.activation = Activation::tanh;
  auto lenet = make_model("lenet5", act);
  CHECK(reprs_of(*lenet, "Tanh").size() == 4);
  CHECK(reprs_of(*lenet, "ReLU").empty());
  act.activation = Activation::sigmoid;
  CHECK(reprs_of(*make_model("mnist_cnn", act), "Sigmoid").size() == 3);  // two conv stages, one hidden layer
  CHECK(reprs_of(*make_model("dilated", act), "Sigmoid").size() == 4);    // dilations 1, 2, 4, 8

  ModelConfig study = config_for(1, 28);
  study.conv_channels = {20};
  study.hidden = {100};
  CHECK(parameter_count(*make_model("mnist_cnn", study)) == 20 * 1 * 25 + 20 + 20 * 12 * 12 * 100 + 100 + 100 * 10 + 10);

  ModelConfig width = config_for(3, 32);
  width.width = 0.5;
  CHECK(parameter_count(*make_model("mobilenet", width)) == 37162);
  width.width = 16;
  CHECK(parameter_count(*make_model("resnet", width)) == 127642);
  width.width = 8;
  CHECK(parameter_count(*make_model("resnet", width)) < 127642 / 2);

  ModelConfig normal = config_for(1, 28);
  normal.normal_init = true;
  manual_seed(3);
  auto simple = make_model("simplecnn", normal);
  // The classic init: N(0, 0.01^2) weights and zero biases.
  for (const auto& [name, p] : simple->named_parameters()) {
    INFO(name);
    const Tensor v = p.contiguous();
    double sum_sq = 0, max_abs = 0;
    for (int64_t i = 0; i < v.numel(); ++i) {
      sum_sq += double(v.data<float>()[i]) * v.data<float>()[i];
      max_abs = std::max(max_abs, std::abs(double(v.data<float>()[i])));
    }
    if (name.find("bias") != std::string::npos) {
      CHECK(max_abs == 0.0);
    } else {
      CHECK(std::sqrt(sum_sq / static_cast<double>(v.numel())) == doctest::Approx(0.01).epsilon(0.1));
    }
  }
}

TEST_CASE("make_model: names in any case; unknown names list the zoo and the nearest; knobs a model lacks name the models that have them") {
  check_error([] { make_model("nope", {}); },
              {"unknown model 'nope'", "(the zoo has: lenet5, lenet5_classic, simplecnn, mnist_cnn, alexnet, "
                                       "alexnet_cifar, nin, mobilenet, dilated, inception, resnet, conv_autoencoder)"});
  CHECK(make_model("LeNet5", {})->type_name() == make_model("lenet5", {})->type_name());
  CHECK(canonical_model_name("AlexNet_CIFAR") == "alexnet_cifar");
  CHECK(usual_input("LeNet5") == Shape{1, 28, 28});
  CHECK(usual_classes("AlexNet") == 1000);
  check_error([] { make_model("lenet", {}); }, {"unknown model 'lenet'; did you mean 'lenet5'? (the zoo has: lenet5,"});
  check_error([] { make_model("resnt", {}); }, {"did you mean 'resnet'?"});

  ModelConfig c = config_for(1, 28);
  c.dropout = 0.3f;
  check_error([&] { make_model("lenet5", c); },
              {"model lenet5 has no dropout option", "(models with one: alexnet, alexnet_cifar, nin, mnist_cnn)"});
  c = config_for(3, 32);
  c.activation = Activation::tanh;
  check_error([&] { make_model("alexnet_cifar", c); },
              {"model alexnet_cifar has no activation option",
               "(models with one: lenet5, lenet5_classic, dilated, mnist_cnn)"});
  c = config_for(1, 28);
  c.conv_channels = {8};
  check_error([&] { make_model("simplecnn", c); }, {"model simplecnn has no conv-channels option", "mnist_cnn"});
  c = config_for(3, 32);
  c.hidden = {50};
  check_error([&] { make_model("resnet", c); }, {"model resnet has no hidden option", "(models with one: mnist_cnn)"});
  c = config_for(1, 28);
  c.normal_init = true;
  check_error([&] { make_model("mnist_cnn", c); },
              {"model mnist_cnn has no normal-init option", "(models with one: simplecnn)"});
  c = config_for(1, 28);
  c.width = 2.0;
  check_error([&] { make_model("lenet5", c); }, {"model lenet5 has no width option", "(models with one: mobilenet, resnet)"});

  c = config_for(0, 28);
  check_error([&] { make_model("lenet5", c); },
              {"model lenet5: in_channels (0), num_classes (10) and input_size (28) must be at least 1"});
  c = config_for(1, 28, 0);
  check_error([&] { make_model("resnet", c); }, {"model resnet", "num_classes (0)"});
  c = config_for(1, 0);
  check_error([&] { make_model("simplecnn", c); }, {"model simplecnn", "input_size (0)"});
}

TEST_CASE("check_input: images a model cannot take name the model and its input") {
  manual_seed(0);
  auto lenet = make_model("lenet5", config_for(1, 28));
  check_error([&] { check_input(*lenet, "lenet5", {3, 32, 32}); },
              {"model lenet5 cannot take 3x32x32 images (it takes Cx28x28)"});
  CHECK(lenet->is_training());  // the mode is restored after a failure too
  auto lenet3 = make_model("lenet5", config_for(3, 28));
  check_error([&] { check_input(*lenet3, "lenet5", {3, 32, 32}); }, {"model lenet5 cannot take 3x32x32", "Cx28x28"});
  auto classic = make_model("lenet5_classic", config_for(1, 32));
  check_error([&] { check_input(*classic, "lenet5_classic", {1, 28, 28}); },
              {"model lenet5_classic cannot take 1x28x28 images (it takes Cx32x32)"});
  // A name outside the zoo gets "?" as its input.
  check_error([&] { check_input(*lenet, "mine", {1, 20, 20}); }, {"model mine cannot take 1x20x20 images (it takes ?)"});
  check_error([&] { check_input(*lenet, "lenet5", {28, 28}); }, {"check_input", "[C, H, W]", "got 2"});
  // A model built for 28x28 takes 28x28 after all those failures.
  CHECK(check_input(*lenet, "lenet5", {1, 28, 28}) == Shape{1, 10});
}

TEST_CASE("parse_activation") {
  CHECK(parse_activation("relu") == Activation::relu);
  CHECK(parse_activation("tanh") == Activation::tanh);
  CHECK(parse_activation("sigmoid") == Activation::sigmoid);
  check_error([] { parse_activation("gelu"); }, {"unknown activation 'gelu'", "(expected relu, tanh or sigmoid)"});
  check_error([] { parse_activation("ReLU"); }, {"unknown activation 'ReLU'"});
  check_error([] { parse_activation(""); }, {"unknown activation ''"});
}

TEST_CASE("MnistCnn: the one-conv study net, conv 20 - fc 100") {
  manual_seed(0);
  MnistCnn net(MnistCnnOptions().conv_channels({20}).hidden({100}).activation(Activation::sigmoid));
  // conv 20x1x5x5 (+20); 28 -> 24 -> pool 12; fc 20*12*12 -> 100; fc 100 -> 10.
  CHECK(parameter_count(net) == 20 * 1 * 25 + 20 + 20 * 12 * 12 * 100 + 100 + 100 * 10 + 10);
  CHECK(parameter_count(net) == 289630);
  CHECK(child_types(*net.features) == std::vector<std::string>{"Conv2d", "Sigmoid", "MaxPool2d"});
  CHECK(child_types(*net.classifier) == std::vector<std::string>{"Flatten", "Linear", "Sigmoid", "Linear"});
  CHECK(test::state_dict_keys(net) == std::vector<std::string>{"features.0.weight", "features.0.bias",
                                                               "classifier.1.weight", "classifier.1.bias",
                                                               "classifier.3.weight", "classifier.3.bias"});
  CHECK(net.state_dict().at("classifier.1.weight").shape() == Shape{100, 2880});
  test::check_forward_backward(net, randn({3, 1, 28, 28}), Shape{3, 10});
}

TEST_CASE("MnistCnn: conv 20 - conv 40 - fc 1000 - fc 1000 with dropout 0.5") {
  manual_seed(1);
  auto o = MnistCnnOptions().conv_channels({20, 40}).hidden({1000, 1000}).dropout(0.5f);
  MnistCnn net(o);
  // 28 -> 24 -> 12 -> 8 -> 4: 40*4*4 = 640 features.
  const int64_t expected = (20 * 1 * 25 + 20) + (40 * 20 * 25 + 40) + (640 * 1000 + 1000) + (1000 * 1000 + 1000) +
                           (1000 * 10 + 10);
  CHECK(expected == 1672570);
  CHECK(parameter_count(net) == expected);
  CHECK(parameter_count(net) == mnist_cnn_count(1, 28, {20, 40}, {1000, 1000}, 10));
  CHECK(child_types(*net.features) ==
        std::vector<std::string>{"Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d"});
  // Dropout before every fully connected layer.
  CHECK(child_types(*net.classifier) == std::vector<std::string>{"Flatten", "Dropout", "Linear", "ReLU", "Dropout",
                                                                 "Linear", "ReLU", "Dropout", "Linear"});
  CHECK(reprs_of(net, "Dropout") == std::vector<std::string>{"p=0.5", "p=0.5", "p=0.5"});
  CHECK(test::state_dict_keys(net) ==
        std::vector<std::string>{"features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias",
                                 "classifier.2.weight", "classifier.2.bias", "classifier.5.weight",
                                 "classifier.5.bias", "classifier.8.weight", "classifier.8.bias"});
  const Tensor x = randn({4, 1, 28, 28});
  test::check_forward_backward(net, x, Shape{4, 10});
  // Dropout is random in training and off in eval.
  net.eval();
  test::check_bitwise_equal(net(x), net(x));
  net.train();
  CHECK(!same_bits(net(x), net(x)));

  // The same shapes without dropout: no Dropout modules, the linear layers renumbered.
  o.dropout(0.0f);
  MnistCnn plain(o);
  CHECK(parameter_count(plain) == expected);
  CHECK(reprs_of(plain, "Dropout").empty());
  CHECK(child_types(*plain.classifier) ==
        std::vector<std::string>{"Flatten", "Linear", "ReLU", "Linear", "ReLU", "Linear"});
  CHECK(test::state_dict_keys(plain) ==
        std::vector<std::string>{"features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias",
                                 "classifier.1.weight", "classifier.1.bias", "classifier.3.weight",
                                 "classifier.3.bias", "classifier.5.weight", "classifier.5.bias"});
  const Tensor y = plain(x);
  CHECK(y.shape() == Shape{4, 10});
  test::check_bitwise_equal(plain(x), y);  // deterministic in training mode without dropout
}

TEST_CASE("MnistCnn: other sizes, channels and classes") {
  manual_seed(2);
  auto o = MnistCnnOptions().in_channels(3).input_size(32).num_classes(5);
  MnistCnn net(o);  // 32 -> 28 -> 14 -> 10 -> 5: 40*5*5 features
  CHECK(parameter_count(net) == mnist_cnn_count(3, 32, {20, 40}, {100}, 5));
  CHECK(net.state_dict().at("classifier.1.weight").shape() == Shape{100, 1000});
  CHECK(net(randn({2, 3, 32, 32})).shape() == Shape{2, 5});
  o.hidden({});
  MnistCnn no_hidden(o);
  CHECK(child_types(*no_hidden.classifier) == std::vector<std::string>{"Flatten", "Linear"});
  CHECK(parameter_count(no_hidden) == mnist_cnn_count(3, 32, {20, 40}, {}, 5));
}

TEST_CASE("MnistCnn: bad options") {
  auto o = MnistCnnOptions().conv_channels({});
  check_error([&] { MnistCnn bad(o); }, {"MnistCnn", "needs at least one conv stage"});
  o = MnistCnnOptions().input_size(8);  // 8 -> 4 -> 2, too small for a second 5x5 conv
  check_error([&] { MnistCnn bad(o); }, {"MnistCnn", "a 8x8 input is too small for 2 conv(5x5) - maxpool(2) stages"});
  o = MnistCnnOptions().conv_channels({20}).input_size(5);  // 5 -> 1: nothing left to pool
  check_error([&] { MnistCnn bad(o); }, {"MnistCnn", "a 5x5 input is too small for 1 conv(5x5)"});
  o = MnistCnnOptions().dropout(1.0f);
  check_error([&] { MnistCnn bad(o); }, {"MnistCnn", "dropout 1 must be in [0, 1)"});
  o.dropout(-0.1f);
  check_error([&] { MnistCnn bad(o); }, {"MnistCnn", "must be in [0, 1)"});
  o = MnistCnnOptions().conv_channels({20, 0});
  check_error([&] { MnistCnn bad(o); }, {"MnistCnn", "conv channels must be >= 1, got 0"});
  o = MnistCnnOptions().hidden({100, -5});
  check_error([&] { MnistCnn bad(o); }, {"MnistCnn", "hidden widths must be >= 1, got -5"});
  o = MnistCnnOptions().num_classes(0);
  check_error([&] { MnistCnn bad(o); }, {"MnistCnn", "num_classes 0"});
  o = MnistCnnOptions().kernel_size(0);
  check_error([&] { MnistCnn bad(o); }, {"MnistCnn", "kernel_size 0"});
  // Through the registry, with the study's flags.
  ModelConfig c = config_for(1, 28);
  c.dropout = 1.0f;
  check_error([&] { make_model("mnist_cnn", c); }, {"MnistCnn: dropout 1 must be in [0, 1)"});
  c = config_for(1, 12);
  check_error([&] { make_model("mnist_cnn", c); }, {"a 12x12 input is too small"});
}
