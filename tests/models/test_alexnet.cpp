// AlexNet (two towers and one tower) and AlexNet-CIFAR: shapes, gradients, PyTorch's counts and
// names, dropout in train/eval.
#include "models/model_checks.h"

#include "ember/models/alexnet.h"

using namespace ember;
using namespace ember::models;
using ember::test::check_close;
using ember::test::check_error;

TEST_CASE("AlexNet as published: 60,965,224 parameters (two towers), 62,378,344 (one tower)") {
  manual_seed(0);
  CHECK(parameter_count(AlexNet(AlexNetOptions().two_tower(false))) == 62378344);
  AlexNet net;
  CHECK(parameter_count(net) == 60965224);
  const auto keys = test::state_dict_keys(net);
  CHECK(keys == std::vector<std::string>{"features.0.weight", "features.0.bias", "features.4.weight",
                                         "features.4.bias", "features.8.weight", "features.8.bias",
                                         "features.10.weight", "features.10.bias", "features.12.weight",
                                         "features.12.bias", "classifier.2.weight", "classifier.2.bias",
                                         "classifier.5.weight", "classifier.5.bias", "classifier.7.weight",
                                         "classifier.7.bias"});
  CHECK(net.state_dict().at("features.4.weight").shape() == Shape{256, 48, 5, 5});  // groups = 2
  // One 227x227 image, once: forward and backward through all 61M parameters.
  test::check_forward_backward(net, randn({1, 3, 227, 227}), Shape{1, 1000});
  check_error([&] { net(randn({1, 3, 224, 224})); }, {"AlexNet", "227"});
  check_error([&] { AlexNet b(AlexNetOptions().dropout(1.0f)); }, {"AlexNet", "dropout"});
  check_error([&] { AlexNet b(AlexNetOptions().num_classes(0)); }, {"AlexNet", "num_classes 0"});
}

TEST_CASE("AlexNetCifar: PyTorch's state_dict keys and count, forward/backward") {
  manual_seed(1);
  AlexNetCifar net;
  CHECK(parameter_count(net) == 1387786);
  // print(list(alexnet_cifar().state_dict().keys())) in tests/golden/golden_models.py
  CHECK(test::state_dict_keys(net) ==
        std::vector<std::string>{"features.0.weight", "features.0.bias", "features.4.weight", "features.4.bias",
                                 "classifier.1.weight", "classifier.1.bias", "classifier.4.weight",
                                 "classifier.4.bias", "classifier.7.weight", "classifier.7.bias"});
  CHECK(net.features->named_children()[3].second->type_name() == "LocalResponseNorm");
  test::check_forward_backward(net, randn({2, 3, 32, 32}), Shape{2, 10});
}

TEST_CASE("AlexNetCifar: dropout is random in training and off in eval") {
  manual_seed(2);
  AlexNetCifar net;
  const Tensor x = randn({2, 3, 32, 32});
  net.eval();
  test::check_mode(net, false);
  const Tensor a = net(x), b = net(x);
  test::check_bitwise_equal(a, b);
  net.train();
  test::check_mode(net, true);
  const Tensor c = net(x), d = net(x);
  CHECK(sum(mul(add(c, mul(d, -1.0f)), add(c, mul(d, -1.0f)))).item() > 0.0f);
  check_error([&] { AlexNetCifar n(AlexNetCifarOptions().in_channels(0)); }, {"AlexNetCifar", "in_channels 0"});
}
