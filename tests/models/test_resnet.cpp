// Small ResNet with bottleneck blocks: identity and projection shortcuts, BatchNorm modes.
#include "models/model_checks.h"

#include "ember/models/resnet.h"

using namespace ember;
using namespace ember::models;
using ember::test::check_close;
using ember::test::check_error;

TEST_CASE("Bottleneck: identity shortcut when shapes agree, 1x1 projection otherwise") {
  manual_seed(0);
  Bottleneck same(16, 4);
  CHECK_FALSE(same.downsample);
  const Tensor x = randn({2, 16, 8, 8});
  test::check_forward_backward(same, x, Shape{2, 16, 8, 8});
  // With the residual branch zeroed (bn3's scale and shift 0) the block is relu(x).
  {
    NoGradGuard guard;
    nn::init::zeros_(same.bn3->weight);
  }
  check_close(same(x), relu(x));
  Bottleneck proj(16, 8, 2);
  REQUIRE(proj.downsample);
  CHECK(proj.state_dict().at("downsample.0.weight").shape() == Shape{32, 16, 1, 1});
  test::check_forward_backward(proj, x, Shape{2, 32, 4, 4});
  check_error([] { Bottleneck bad(16, 4, 0); }, {"Bottleneck", "stride 0"});
}

TEST_CASE("ResNet: PyTorch's parameter counts and torchvision names, forward/backward, modes") {
  manual_seed(1);
  ResNet net;
  CHECK(parameter_count(net) == 127642);  // ResNet() in tests/golden/golden_models.py
  auto deeper = ResNetOptions().blocks({2, 2, 2});
  CHECK(parameter_count(ResNet(deeper)) == 220378);  // ResNet((2, 2, 2))
  const nn::StateDict s = net.state_dict();
  CHECK(s.size() == 80);  // len(ResNet().state_dict())
  CHECK(s.contains("layer1.0.downsample.1.running_mean"));
  CHECK(s.at("layer3.0.conv3.weight").shape() == Shape{256, 64, 1, 1});
  CHECK(s.at("fc.weight").shape() == Shape{10, 256});
  test::check_forward_backward(net, randn({2, 3, 16, 16}), Shape{2, 10});
  net.eval();
  test::check_mode(net, false);
  const Tensor x = randn({2, 3, 16, 16});
  test::check_bitwise_equal(net(x), net(x));
  net.train();
  test::check_mode(net, true);
  deeper.blocks({1, 0, 1});
  check_error([&] { ResNet bad(deeper); }, {"ResNet", "at least 1 block"});
}
