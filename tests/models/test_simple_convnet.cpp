// SimpleConvNet: shapes, gradients, PyTorch's parameter count and names, the classic init.
#include "models/model_checks.h"

#include "ember/models/simple_convnet.h"

using namespace ember;
using namespace ember::models;
using ember::test::check_error;

// PyTorch counts from tests/golden/golden_models.py (python3 tests/golden/golden_models.py).
TEST_CASE("SimpleConvNet matches PyTorch's parameter count and names, trains end to end") {
  manual_seed(0);
  SimpleConvNet net;
  CHECK(parameter_count(net) == 433890);
  CHECK(test::state_dict_keys(net) ==
        std::vector<std::string>{"conv1.weight", "conv1.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"});
  test::check_forward_backward(net, randn({2, 1, 28, 28}), Shape{2, 10});
  net.eval();
  test::check_mode(net, false);
  net.train();
  test::check_mode(net, true);
}

TEST_CASE("SimpleConvNet's classic init draws N(0, 0.01^2) weights and zero biases") {
  Generator gen(7);
  SimpleConvNet net(SimpleConvNetOptions().normal_init(true).generator(&gen));
  const Tensor w = net.fc1->weight;
  const float m = w.mean().item();
  const float var = mean(mul(add(w, -m), add(w, -m))).item();
  CHECK(std::abs(m) < 1e-3);
  CHECK(std::sqrt(var) == doctest::Approx(0.01).epsilon(0.02));
  CHECK(sum(mul(net.fc2->bias, net.fc2->bias)).item() == 0.0f);
  CHECK(sum(mul(net.conv1->bias, net.conv1->bias)).item() == 0.0f);
}

TEST_CASE("SimpleConvNet options: other sizes work, bad ones throw") {
  auto o = SimpleConvNetOptions().in_channels(3).input_size(32).num_classes(7);
  SimpleConvNet net(o);
  CHECK(net(randn({2, 3, 32, 32})).shape() == Shape{2, 7});
  o.num_classes(0);
  check_error([&] { SimpleConvNet bad(o); }, {"SimpleConvNet", "num_classes 0"});
  check_error([&] { SimpleConvNet bad(SimpleConvNetOptions().input_size(4)); }, {"SimpleConvNet", "input_size 4"});
  check_error([&] { SimpleConvNet bad(SimpleConvNetOptions().init_std(-1)); }, {"init_std"});
}
