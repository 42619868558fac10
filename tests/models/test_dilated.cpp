// Dilated context network: resolution kept through dilations 1, 2, 4, 8; dense and classifier heads.
#include "models/model_checks.h"

#include "ember/models/dilated.h"

using namespace ember;
using namespace ember::models;
using ember::test::check_error;

TEST_CASE("DilatedNet dense: [N, classes, H, W] out, PyTorch's parameter count") {
  manual_seed(0);
  DilatedNet net;
  CHECK(parameter_count(net) == 28805);  // dilated() in tests/golden/golden_models.py
  test::check_forward_backward(net, randn({2, 3, 24, 20}), Shape{2, 5, 24, 20});
  const nn::StateDict s = net.state_dict();
  CHECK(s.at("features.6.weight").shape() == Shape{32, 32, 3, 3});
  CHECK(s.at("classifier.0.weight").shape() == Shape{5, 32, 1, 1});
}

TEST_CASE("DilatedNet receptive field: one output pixel sees exactly 31x31 inputs") {
  manual_seed(1);
  DilatedNet net(DilatedNetOptions().in_channels(1).channels(4).num_classes(1).activation(Activation::tanh));
  const Tensor x = randn({1, 1, 40, 40}).requires_grad_(true);
  const Tensor out = net(x);
  sum(out.select(2, 20).select(2, 20)).backward();
  const Tensor g = x.grad();
  int64_t nonzero = 0, min_r = 99, max_r = -1;
  for (int64_t r = 0; r < 40; ++r) {
    for (int64_t c = 0; c < 40; ++c) {
      if (g.at({0, 0, r, c}) != 0.0f) {
        ++nonzero;
        min_r = std::min(min_r, r);
        max_r = std::max(max_r, r);
      }
    }
  }
  CHECK(min_r == 20 - 15);
  CHECK(max_r == 20 + 15);
  CHECK(nonzero <= 31 * 31);
}

TEST_CASE("DilatedNet classifier variant, modes, bad options") {
  manual_seed(2);
  auto o = DilatedNetOptions().dense(false);
  DilatedNet net(o);
  CHECK(parameter_count(net) == 28805);  // dilated(dense=False)
  test::check_forward_backward(net, randn({2, 3, 16, 16}), Shape{2, 5});
  net.eval();
  test::check_mode(net, false);
  net.train();
  test::check_mode(net, true);
  o.dilations({1, 0});
  check_error([&] { DilatedNet bad(o); }, {"DilatedNet", "dilations"});
  o.dilations({});
  check_error([&] { DilatedNet bad(o); }, {"DilatedNet", "dilations"});
  o.dilations({1}).channels(0);
  check_error([&] { DilatedNet bad(o); }, {"DilatedNet", "channels 0"});
}
