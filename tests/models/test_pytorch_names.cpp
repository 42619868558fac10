// Every model's state_dict (keys, order-independent, and shapes) equals its PyTorch twin's,
// recorded by tests/golden/golden_models.py as keys.<model>.<key> -> shape (the AlexNets at
// 227x227 are checked by hand in test_alexnet.cpp).
#include "models/model_checks.h"
#include "support/golden.h"

using namespace ember;
using namespace ember::models;

namespace {

void check_layout(const test::Golden& g, const std::string& model, const nn::Module& m) {
  INFO("model ", model);
  const nn::StateDict state = m.state_dict();
  CHECK(static_cast<float>(state.size()) == g.scalar("keys." + model));
  for (const auto& [key, t] : state) {
    INFO("key ", key);
    const std::string name = "keys." + model + "." + key;
    REQUIRE(g.contains(name));
    const Tensor shape = g[name];
    Shape expected;
    for (int64_t i = 0; i < shape.numel(); ++i) expected.push_back(static_cast<int64_t>(shape.at({i})));
    CHECK(t.shape() == expected);
  }
}

}  // namespace

TEST_CASE("state_dict keys and shapes equal PyTorch's for every model") {
  const test::Golden g("models");
  check_layout(g, "simple_convnet", SimpleConvNet());
  check_layout(g, "lenet5_classic", LeNet5Classic());
  check_layout(g, "lenet5", LeNet5());
  check_layout(g, "alexnet_cifar", AlexNetCifar());
  check_layout(g, "nin", NiN());
  check_layout(g, "mobilenet", MobileNet());
  check_layout(g, "mobilenet_0.5", MobileNet(MobileNetOptions().width_multiplier(0.5)));
  check_layout(g, "dilated_dense", DilatedNet());
  check_layout(g, "dilated_classifier", DilatedNet(DilatedNetOptions().dense(false)));
  check_layout(g, "autoencoder", ConvAutoencoder());
  check_layout(g, "inception_net", InceptionNet());
  check_layout(g, "resnet_bottleneck", ResNet());
  check_layout(g, "resnet_bottleneck_2_2_2", ResNet(ResNetOptions().blocks({2, 2, 2})));
}
