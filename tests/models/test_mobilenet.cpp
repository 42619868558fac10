// MobileNet-style CIFAR network: depthwise-separable blocks, BatchNorm modes, width multiplier.
#include "models/model_checks.h"

#include "ember/models/mobilenet.h"

using namespace ember;
using namespace ember::models;
using ember::test::check_error;

TEST_CASE("MobileNet: PyTorch's parameter count and state size, forward/backward") {
  manual_seed(0);
  MobileNet net;
  CHECK(parameter_count(net) == 136778);  // mobilenet() in tests/golden/golden_models.py
  CHECK(net.state_dict().size() == 68);   // parameters + BatchNorm buffers, as PyTorch
  const nn::StateDict s = net.state_dict();
  CHECK(s.at("features.3.0.weight").shape() == Shape{32, 1, 3, 3});   // depthwise
  CHECK(s.at("features.3.3.weight").shape() == Shape{64, 32, 1, 1});  // pointwise
  CHECK(s.contains("features.7.4.running_var"));
  CHECK(s.at("classifier.2.weight").shape() == Shape{10, 256});
  test::check_forward_backward(net, randn({2, 3, 32, 32}), Shape{2, 10});
}

TEST_CASE("MobileNet: width multiplier, train/eval (BatchNorm), bad options") {
  manual_seed(1);
  auto o = MobileNetOptions().width_multiplier(0.5);
  MobileNet half(o);
  CHECK(parameter_count(half) == 37162);  // mobilenet(0.5)
  const Tensor x = randn({2, 3, 32, 32});
  half(x);  // one training step updates the running statistics
  const Tensor rm = half.state_dict().at("features.1.running_mean").clone();
  half.eval();
  test::check_mode(half, false);
  const Tensor a = half(x);
  test::check_bitwise_equal(half.state_dict().at("features.1.running_mean"), rm);  // eval does not update
  test::check_bitwise_equal(half(x), a);
  half.train();
  test::check_mode(half, true);
  half(x);
  CHECK(half.state_dict().at("features.1.num_batches_tracked").item() == 2.0f);
  o.width_multiplier(0.0);
  check_error([&] { MobileNet bad(o); }, {"MobileNet", "width_multiplier"});
  o.width_multiplier(0.01);
  check_error([&] { MobileNet bad(o); }, {"MobileNet", "width_multiplier"});
  o.width_multiplier(1.0).num_classes(0);
  check_error([&] { MobileNet bad(o); }, {"MobileNet", "num_classes 0"});
}
