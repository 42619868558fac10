// nn::LocallyConnected2d: shapes from the input size, forward = the functional op, PyTorch-style
// init bounds, flops, repr, option errors.
#include <cmath>

#include "support/helpers.h"

#include "ember/nn/locally_connected.h"
#include "ember/nn/summary.h"

using namespace ember;
using namespace ember::nn;
using ember::test::check_bitwise_equal;
using ember::test::check_error;
using ember::test::random_tensor;

TEST_CASE("LocallyConnected2d: parameters sized from the input, forward = locally_connected2d") {
  manual_seed(0);
  LocallyConnected2d layer(nn::LocallyConnected2dOptions(3, 8, 3, {10, 9}).stride(2).padding(1));
  CHECK(layer.output_size() == Int2(5, 5));
  CHECK(layer.weight.shape() == Shape{5, 5, 8, 3, 3, 3});
  CHECK(layer.bias.shape() == Shape{8, 5, 5});
  const auto names = layer.named_parameters();
  REQUIRE(names.size() == 2);
  CHECK(names[0].first == "weight");
  CHECK(names[1].first == "bias");
  const Tensor x = random_tensor({2, 3, 10, 9}, 1);
  check_bitwise_equal(layer(x), locally_connected2d(x, layer.weight, layer.bias,
                                                    ember::LocallyConnected2dOptions().stride(2).padding(1)));
  // An input of another size does not fit the per-position weights.
  check_error([&] { layer(random_tensor({2, 3, 12, 12}, 2)); }, {"locally_connected2d", "input_size (10, 9)", "12x12"});
}

TEST_CASE("LocallyConnected2d initializes like Conv2d: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in * kh * kw") {
  manual_seed(1);
  LocallyConnected2d layer(nn::LocallyConnected2dOptions(4, 6, {3, 2}, {8, 8}));
  const double bound = 1.0 / std::sqrt(4.0 * 3 * 2);
  for (const Tensor& t : {layer.weight, layer.bias}) {
    const double hi = max(t.reshape({-1}), 0).item(), lo = -max(mul(t.reshape({-1}), -1.0f), 0).item();
    CHECK(hi < bound);
    CHECK(lo >= -bound);
    CHECK(hi > 0.9 * bound);  // thousands of draws fill the range
    CHECK(lo < -0.9 * bound);
  }
  LocallyConnected2d no_bias(nn::LocallyConnected2dOptions(4, 6, 3, {8, 8}).bias(false));
  CHECK(!no_bias.bias.defined());
  CHECK(no_bias.parameters().size() == 1);
}

TEST_CASE("LocallyConnected2d: flops, repr and summary") {
  LocallyConnected2d layer(nn::LocallyConnected2dOptions(3, 8, 3, {28, 28}).padding(1));
  CHECK(layer.flops({1, 3, 28, 28}, {1, 8, 28, 28}) == 2 * 8 * 28 * 28 * 3 * 3 * 3);
  CHECK(layer.to_string() == "LocallyConnected2d(3, 8, kernel_size=3, input_size=28, output_size=28, stride=1, padding=1)");
  CHECK(LocallyConnected2d(nn::LocallyConnected2dOptions(1, 2, {3, 2}, {6, 5}).stride({1, 2}).bias(false)).to_string() ==
        "LocallyConnected2d(1, 2, kernel_size=(3, 2), input_size=(6, 5), output_size=(4, 2), stride=(1, 2), bias=false)");
  const std::string table = summary(layer, {1, 3, 28, 28});
  CHECK(table.find("LocallyConnected2d") != std::string::npos);
  CHECK(table.find("175,616") != std::string::npos);  // 28*28*8*3*3*3 + 8*28*28 parameters
}

TEST_CASE("LocallyConnected2d rejects bad options, naming what it got") {
  check_error([] { LocallyConnected2d(nn::LocallyConnected2dOptions(0, 2, 3, {8, 8})); },
              {"LocallyConnected2d", "in_channels 0"});
  check_error([] { LocallyConnected2d(nn::LocallyConnected2dOptions(1, 2, 0, {8, 8})); },
              {"LocallyConnected2d", "kernel_size", "got 0"});
  check_error([] { LocallyConnected2d(nn::LocallyConnected2dOptions(1, 2, 5, {4, 8})); },
              {"LocallyConnected2d", "input_size (4, 8)", "5 kernel"});
  check_error([] { LocallyConnected2d(nn::LocallyConnected2dOptions(1, 2, 3, {8, 8}).stride(0)); },
              {"LocallyConnected2d", "stride", "got 0"});
  check_error([] { LocallyConnected2d(nn::LocallyConnected2dOptions(1, 2, 3, {8, 8}).padding(-1)); },
              {"LocallyConnected2d", "padding", "-1"});
}
