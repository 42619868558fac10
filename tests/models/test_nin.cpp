// Network in Network: mlpconv blocks and global average pooling.
#include "models/model_checks.h"

#include "ember/models/nin.h"

using namespace ember;
using namespace ember::models;
using ember::test::check_error;

TEST_CASE("NiN: PyTorch's parameter count, forward/backward, no fully connected layer") {
  manual_seed(0);
  NiN net(NiNOptions().channels({16, 24, 32}));
  test::check_forward_backward(net, randn({2, 3, 32, 32}), Shape{2, 10});
  for (const auto& [name, p] : net.named_parameters()) CHECK(p.dim() != 2);  // convs only
  NiN full;  // nin() in tests/golden/golden_models.py
  CHECK(parameter_count(full) == 931978);
  CHECK(full.features->named_children()[0].second->named_children().size() == 6);  // conv relu x3
  CHECK(full.state_dict().at("features.6.4.weight").shape() == Shape{10, 192, 1, 1});
}

TEST_CASE("NiN: any input size (global pooling), train/eval, bad options") {
  manual_seed(1);
  auto o = NiNOptions().channels({8, 8, 8}).num_classes(5).in_channels(1);
  NiN net(o);
  CHECK(net(randn({2, 1, 20, 17})).shape() == Shape{2, 5});
  net.eval();
  test::check_mode(net, false);
  const Tensor x = randn({2, 1, 16, 16});
  test::check_bitwise_equal(net(x), net(x));
  net.train();
  test::check_mode(net, true);
  o.channels({8, 0, 8});
  check_error([&] { NiN bad(o); }, {"NiN", "channels"});
  o.channels({8, 8, 8}).dropout(-0.1f);
  check_error([&] { NiN bad(o); }, {"NiN", "dropout"});
}
