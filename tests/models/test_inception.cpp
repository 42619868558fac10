// Inception-style block net: four parallel branches concatenated along channels.
#include "models/model_checks.h"

#include "ember/models/inception.h"

using namespace ember;
using namespace ember::models;
using ember::test::check_close;
using ember::test::check_error;

TEST_CASE("InceptionBlock concatenates its four branches in order") {
  manual_seed(0);
  InceptionBlock block(
      InceptionBlockOptions().in_channels(8).c1(2).c3_reduce(3).c3(4).c5_reduce(2).c5(3).pool_proj(5));
  CHECK(block.named_children().size() == 4);
  const Tensor x = randn({2, 8, 6, 6});
  const Tensor out = test::check_forward_backward(block, x, Shape{2, 14, 6, 6});
  check_close(out.narrow(1, 0, 2), (*block.branch1)(x));
  check_close(out.narrow(1, 2, 4), (*block.branch2)(x));
  check_close(out.narrow(1, 6, 3), (*block.branch3)(x));
  check_close(out.narrow(1, 9, 5), (*block.branch4)(x));
  const auto no_c3 = InceptionBlockOptions().in_channels(8).c1(2).c3_reduce(3).c3(0).c5_reduce(2).c5(3).pool_proj(5);
  check_error([&] { InceptionBlock bad(no_c3); }, {"InceptionBlock", "c3=0"});
}

TEST_CASE("InceptionNet: PyTorch's parameter count and names, forward/backward, modes") {
  manual_seed(1);
  InceptionNet net;
  CHECK(parameter_count(net) == 240482);  // inception_net() in tests/golden/golden_models.py
  const nn::StateDict s = net.state_dict();
  CHECK(s.size() == 40);
  CHECK(s.at("features.2.branch2.2.weight").shape() == Shape{64, 48, 3, 3});
  CHECK(s.at("features.5.branch4.1.weight").shape() == Shape{32, 224, 1, 1});
  CHECK(s.at("classifier.2.weight").shape() == Shape{10, 224});
  test::check_forward_backward(net, randn({2, 3, 16, 16}), Shape{2, 10});
  net.eval();
  test::check_mode(net, false);
  net.train();
  test::check_mode(net, true);
  check_error([] { InceptionNet bad(InceptionNetOptions().num_classes(0)); }, {"InceptionNet", "num_classes 0"});
}
