// Module, Sequential and the layers: naming, modes, state dicts, and forward = the functional op.
#include "support/helpers.h"

#include "ember/nn/activation.h"
#include "ember/nn/conv.h"
#include "ember/nn/linear.h"
#include "ember/nn/module.h"
#include "ember/nn/norm.h"
#include "ember/nn/pool.h"
#include "ember/nn/sequential.h"

using namespace ember;
using namespace ember::nn;
using ember::test::check_close;
using ember::test::check_error;

namespace {

// LeNet-5's layout with nested Sequentials, as one would write it in PyTorch.
struct LeNet : Module {
  std::shared_ptr<Sequential> features, classifier;
  LeNet() : Module("LeNet") {
    features = register_module("features", sequential({
                                               std::make_shared<Conv2d>(nn::Conv2dOptions(1, 6, 5).padding(2)),
                                               std::make_shared<BatchNorm2d>(6), std::make_shared<ReLU>(),
                                               std::make_shared<MaxPool2d>(2),
                                               std::make_shared<Conv2d>(nn::Conv2dOptions(6, 16, 5)),
                                               std::make_shared<ReLU>(), std::make_shared<MaxPool2d>(2)}));
    classifier = register_module("classifier", sequential({
                                                   std::make_shared<Flatten>(), std::make_shared<Linear>(400, 120),
                                                   std::make_shared<ReLU>(), std::make_shared<Linear>(120, 10)}));
  }
  Tensor forward(const Tensor& x) override { return classifier->forward(features->forward(x)); }
};

}  // namespace

TEST_CASE("named_parameters and state_dict use PyTorch's dotted names") {
  manual_seed(0);
  LeNet net;
  std::vector<std::string> names;
  for (const auto& [name, p] : net.named_parameters()) names.push_back(name);
  CHECK(names == std::vector<std::string>{"features.0.weight", "features.0.bias", "features.1.weight",
                                          "features.1.bias", "features.4.weight", "features.4.bias",
                                          "classifier.1.weight", "classifier.1.bias", "classifier.3.weight",
                                          "classifier.3.bias"});
  const StateDict state = net.state_dict();
  CHECK(state.size() == 13);  // 10 parameters + BatchNorm's 3 buffers
  CHECK(state.contains("features.1.running_mean"));
  CHECK(state.contains("features.1.num_batches_tracked"));
  CHECK(state.at("classifier.3.weight").shape() == Shape{10, 120});
  CHECK(net.parameters().size() == 10);
  for (const Tensor& p : net.parameters()) CHECK(p.requires_grad());
  for (const Tensor& b : net.buffers()) CHECK_FALSE(b.requires_grad());
}

TEST_CASE("a model runs forward and backward; zero_grad clears every gradient") {
  manual_seed(1);
  LeNet net;
  const Tensor x = randn({4, 1, 28, 28});
  const Tensor out = net(x);
  CHECK(out.shape() == Shape{4, 10});
  cross_entropy(out, labels({1, 2, 3, 4})).backward();
  for (const Tensor& p : net.parameters()) CHECK(p.grad().defined());
  net.zero_grad();
  for (const Tensor& p : net.parameters()) CHECK_FALSE(p.grad().defined());
}

TEST_CASE("train and eval reach every module") {
  LeNet net;
  net.eval();
  int modules = 0;
  net.apply([&](Module& m) {
    CHECK_FALSE(m.is_training());
    ++modules;
  });
  CHECK(modules == 1 + 1 + 7 + 1 + 4);
  net.train();
  net.apply([](Module& m) { CHECK(m.is_training()); });
}

TEST_CASE("load_state_dict copies values in place and reports every problem at once") {
  manual_seed(2);
  LeNet a, b;
  const Tensor weight_handle = b.features->named_children()[0].second->parameters()[0];
  b.load_state_dict(a.state_dict());
  for (size_t i = 0; i < a.parameters().size(); ++i) {
    ember::test::check_bitwise_equal(a.parameters()[i], b.parameters()[i]);
  }
  // The handle an optimizer would hold sees the loaded values.
  ember::test::check_bitwise_equal(weight_handle, a.parameters()[0]);

  StateDict broken;
  for (const auto& [name, t] : a.state_dict()) {
    if (name == "features.0.bias") continue;                              // missing
    if (name == "classifier.3.weight") {
      broken.insert(name, zeros({5, 120}));                               // wrong shape
      continue;
    }
    broken.insert(name, t);
  }
  broken.insert("features.9.weight", zeros({1}));                         // unexpected
  check_error([&] { b.load_state_dict(broken); },
              {"missing keys (1): features.0.bias", "unexpected keys (1): features.9.weight",
               "classifier.3.weight (model float32 [10, 120], state float32 [5, 120])"});
  // Not strict: missing and unexpected keys are fine, a wrong shape is not.
  StateDict partial;
  partial.insert("classifier.1.bias", full({120}, 0.5f));
  partial.insert("something.else", zeros({1}));
  b.load_state_dict(partial, /*strict=*/false);
  CHECK(b.classifier->named_children()[1].second->parameters()[1].at({7}) == 0.5f);
}

TEST_CASE("layers compute what their functional ops compute") {
  manual_seed(3);
  const Tensor x = randn({2, 3, 8, 8});
  Conv2d conv(nn::Conv2dOptions(3, 4, 3).stride(2).padding(1));
  check_close(conv(x), conv2d(x, conv.weight, conv.bias, ember::Conv2dOptions().stride(2).padding(1)));
  ConvTranspose2d deconv(nn::ConvTranspose2dOptions(3, 2, 4).stride(2).padding(1));
  check_close(deconv(x), conv_transpose2d(x, deconv.weight, deconv.bias, ember::ConvTranspose2dOptions().stride(2).padding(1)));
  Linear fc(8, 5);
  check_close(fc(x), linear(x, fc.weight, fc.bias));
  CHECK(MaxPool2d(MaxPool2dOptions(3).stride(2))(x).shape() == Shape{2, 3, 3, 3});
  CHECK(AdaptiveAvgPool2d(1)(x).shape() == Shape{2, 3, 1, 1});
  CHECK(SpatialPyramidPool({1, 2})(x).shape() == Shape{2, 15});
  check_close(Softmax(1)(x), softmax(x, 1));
  check_close(LeakyReLU(0.2f)(x), leaky_relu(x, 0.2f));
  check_close(GELU()(x), gelu(x));
  check_close(Hardswish()(x), hardswish(x));
  CHECK(Flatten()(x).shape() == Shape{2, 192});
  CHECK(Identity()(x).is_same(x));
  Dropout drop(0.5f);
  drop.eval();
  CHECK(drop(x).is_same(x));
}

TEST_CASE("BatchNorm2d updates running statistics in training only") {
  BatchNorm2d bn(3);
  const Tensor x = randn({4, 3, 5, 5}) * 2.0f + 1.0f;
  (void)bn(x);
  CHECK(bn.num_batches_tracked.item<int64_t>() == 1);
  const float mean0 = bn.running_mean.at({0});
  CHECK(mean0 != 0.0f);
  bn.eval();
  (void)bn(x);
  CHECK(bn.running_mean.at({0}) == mean0);
  CHECK(bn.num_batches_tracked.item<int64_t>() == 1);
}

TEST_CASE("PyTorch's default initialization bounds for Linear and Conv2d") {
  manual_seed(4);
  Linear fc(100, 30);
  const float bound = 1.0f / std::sqrt(100.0f);  // kaiming_uniform(a=sqrt(5)) gives 1/sqrt(fan_in) too
  for (float v : fc.weight.to_vector()) REQUIRE(std::abs(v) <= bound);
  for (float v : fc.bias.to_vector()) REQUIRE(std::abs(v) <= bound);
  Conv2d conv(nn::Conv2dOptions(4, 8, 3));
  const float conv_bound = 1.0f / std::sqrt(36.0f);
  for (float v : conv.weight.to_vector()) REQUIRE(std::abs(v) <= conv_bound);
}

TEST_CASE("printing a model shows its tree") {
  LeNet net;
  const std::string text = net.to_string();
  CHECK(text.find("LeNet(\n  (features): Sequential(\n    (0): Conv2d(1, 6, kernel_size=5, stride=1, padding=2)") == 0);
  CHECK(text.find("(1): Linear(in_features=400, out_features=120, bias=true)") != std::string::npos);
}

TEST_CASE("module misuse is reported") {
  struct Bad : Module {
    Bad() : Module("Bad") {}
    Tensor forward(const Tensor& x) override { return x; }
  } bad;
  bad.register_parameter("w", zeros({2}));
  check_error([&] { bad.register_parameter("w", zeros({2})); }, {"Bad", "'w'", "already used"});
  check_error([&] { bad.register_buffer("a.b", zeros({2})); }, {"Bad", "'a.b'", "no '.'"});
  check_error([&] { bad.register_parameter("i", labels({1})); }, {"Bad", "float32"});
  check_error([&] { bad.register_parameter("v", ones({2}).requires_grad_() * 2.0f); }, {"Bad", "leaf"});
  check_error([] { Linear(0, 3); }, {"Linear", "in_features 0"});
  check_error([] { Conv2d(nn::Conv2dOptions(3, 4, 3).groups(2)); }, {"Conv2d", "groups 2"});
  check_error([] { (void)Sequential()[0]; }, {"Sequential", "index 0"});
  check_error([] { BatchNorm2d(3, 0.0f); }, {"BatchNorm2d", "eps"});
}

TEST_CASE("the functional API names the same ops") {
  const Tensor x = randn({1, 2, 6, 6}), w = randn({3, 2, 3, 3});
  ember::test::check_bitwise_equal(F::conv2d(x, w, Tensor(), ember::Conv2dOptions().padding(1)),
                                   conv2d(x, w, Tensor(), ember::Conv2dOptions().padding(1)));
  ember::test::check_bitwise_equal(F::relu(x), relu(x));
  ember::test::check_bitwise_equal(F::gelu(x), gelu(x));
  ember::test::check_bitwise_equal(F::hardswish(x), hardswish(x));
  ember::test::check_bitwise_equal(F::max_pool2d(x, MaxPool2dOptions(2)), max_pool2d(x, MaxPool2dOptions(2)));
}

TEST_CASE("summary lists every layer with output shape, parameters and FLOPs") {
  LeNet net;
  net.train();
  const float mean_before = net.features->named_children()[1].second->buffers()[0].at({0});
  const std::string text = summary(net, {1, 1, 28, 28});
  INFO(text);
  CHECK(text.find("features.0 (Conv2d)") != std::string::npos);
  CHECK(text.find("[1, 6, 28, 28]") != std::string::npos);
  CHECK(text.find("235,200") != std::string::npos);            // conv1: 2 * 6*28*28 * 25
  CHECK(text.find("classifier.3 (Linear)") != std::string::npos);
  CHECK(text.find("[1, 10]") != std::string::npos);
  CHECK(text.find("48,120") != std::string::npos);             // fc 400 -> 120: 48,000 + 120
  const int64_t total = [&] {
    int64_t n = 0;
    for (const Tensor& p : net.parameters()) n += p.numel();
    return n;
  }();
  const size_t at = text.find("\ntotal params: ");
  REQUIRE(at != std::string::npos);
  std::string digits = text.substr(at + 15, text.find('\n', at + 1) - at - 15);
  std::erase(digits, ',');  // grouped: 1,234,567
  CHECK(digits == std::to_string(total));
  // The pass changed nothing: still training, running statistics untouched.
  net.apply([](Module& m) { CHECK(m.is_training()); });
  CHECK(net.features->named_children()[1].second->buffers()[0].at({0}) == mean_before);
  check_error([&] { (void)summary(net, {1, 3, 28, 28}); }, {"conv2d", "3 channels"});
  net.apply([](Module& m) { CHECK(m.is_training()); });
}

TEST_CASE("forward hooks see every call through operator(), in registration order, until removed") {
  manual_seed(4);
  auto net = sequential({std::make_shared<Linear>(3, 2), std::make_shared<ReLU>()});
  std::vector<std::string> seen;
  const int64_t first = (*net)[0]->register_forward_hook([&](Module& m, const Tensor& in, const Tensor& out) {
    seen.push_back(fmt::format("{} {} -> {}", m.type_name(), shape_str(in.shape()), shape_str(out.shape())));
  });
  (*net)[0]->register_forward_hook([&](Module&, const Tensor&, const Tensor&) { seen.push_back("second"); });
  const Tensor x = ember::test::random_tensor({4, 3}, 5);
  (*net)(x);
  CHECK(seen == std::vector<std::string>{"Linear [4, 3] -> [4, 2]", "second"});
  (*net)[0]->forward(x);  // forward itself runs no hooks
  CHECK(seen.size() == 2);
  (*net)[0]->remove_forward_hook(first);
  (*net)[0]->remove_forward_hook(12345);  // unknown: ignored
  (*net)(x);
  CHECK(seen == std::vector<std::string>{"Linear [4, 3] -> [4, 2]", "second", "second"});
  {
    ForwardHooks scoped;
    scoped.add(*net, [&](Module& m, const Tensor&, const Tensor&) { seen.push_back(m.type_name()); });
    (*net)(x);
    CHECK(seen.back() == "Sequential");
  }
  const size_t count = seen.size();
  (*net)(x);
  CHECK(seen.size() == count + 1);  // the scoped hook is gone; "second" remains
  check_error([&] { net->register_forward_hook(nullptr); }, {"Sequential", "register_forward_hook", "empty"});
}
