// nn::Conv1d and nn::Conv3d: shapes, PyTorch's parameter names and default init bounds, forward =
// the functional op, printing, FLOPs, state-dict and file round trips, bad options.
#include "support/helpers.h"

#include "ember/nn/conv_nd.h"
#include "ember/nn/sequential.h"
#include "ember/nn/serialize.h"
#include "ember/nn/summary.h"

using namespace ember;
using namespace ember::nn;
using ember::test::check_bitwise_equal;
using ember::test::check_close;
using ember::test::check_error;

namespace {

std::vector<std::string> parameter_names(const Module& m) {
  std::vector<std::string> names;
  for (const auto& [name, p] : m.named_parameters()) names.push_back(name);
  return names;
}

}  // namespace

TEST_CASE("Conv1d: shapes, parameter names, init bounds, forward = conv1d") {
  manual_seed(1);
  Conv1d conv(nn::Conv1dOptions(4, 6, 5).stride(2).padding(2).groups(2));
  CHECK(parameter_names(conv) == std::vector<std::string>{"weight", "bias"});
  CHECK(conv.weight.shape() == Shape{6, 2, 5});
  CHECK(conv.bias.shape() == Shape{6});
  // PyTorch's _ConvNd.reset_parameters: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = 2 * 5.
  const float bound = 1.0f / std::sqrt(10.0f);
  for (float v : conv.weight.to_vector()) REQUIRE(std::abs(v) <= bound);
  for (float v : conv.bias.to_vector()) REQUIRE(std::abs(v) <= bound);
  const Tensor x = randn({3, 4, 17});
  const Tensor out = conv(x);
  CHECK(out.shape() == Shape{3, 6, 9});
  check_bitwise_equal(out, conv1d(x, conv.weight, conv.bias, ember::Conv1dOptions().stride(2).padding(2).groups(2)));
  CHECK(conv(randn({4, 17})).shape() == Shape{6, 9});  // unbatched
  check_bitwise_equal(F::conv1d(x, conv.weight, Tensor(), ember::Conv1dOptions().groups(2)),
                      conv1d(x, conv.weight, Tensor(), ember::Conv1dOptions().groups(2)));

  Conv1d plain(nn::Conv1dOptions(3, 2, 3).bias(false).padding("same"));
  CHECK(parameter_names(plain) == std::vector<std::string>{"weight"});
  CHECK_FALSE(plain.bias.defined());
  CHECK(plain(randn({1, 3, 10})).shape() == Shape{1, 2, 10});
}

TEST_CASE("Conv3d: shapes, parameter names, init bounds, forward = conv3d") {
  manual_seed(2);
  Conv3d conv(nn::Conv3dOptions(2, 4, {3, 3, 2}).stride({1, 2, 2}).padding(1, 1, 0));
  CHECK(parameter_names(conv) == std::vector<std::string>{"weight", "bias"});
  CHECK(conv.weight.shape() == Shape{4, 2, 3, 3, 2});
  const float bound = 1.0f / std::sqrt(36.0f);  // fan_in = 2 * 3 * 3 * 2
  for (float v : conv.weight.to_vector()) REQUIRE(std::abs(v) <= bound);
  for (float v : conv.bias.to_vector()) REQUIRE(std::abs(v) <= bound);
  const Tensor x = randn({2, 2, 5, 8, 7});
  const Tensor out = conv(x);
  CHECK(out.shape() == Shape{2, 4, 5, 4, 3});
  check_bitwise_equal(out, conv3d(x, conv.weight, conv.bias,
                                  ember::Conv3dOptions().stride({1, 2, 2}).padding(1, 1, 0)));
  CHECK(conv(randn({2, 5, 8, 7})).shape() == Shape{4, 5, 4, 3});  // unbatched
  check_bitwise_equal(F::conv3d(x, conv.weight), conv3d(x, conv.weight));

  // Training through it: gradients reach both parameters.
  conv(x).sum().backward();
  CHECK(conv.weight.grad().shape() == conv.weight.shape());
  CHECK(conv.bias.grad().shape() == Shape{4});
}

TEST_CASE("Conv1d and Conv3d print as PyTorch and count FLOPs") {
  CHECK(Conv1d(nn::Conv1dOptions(16, 32, 5)).extra_repr() == "16, 32, kernel_size=5, stride=1");
  CHECK(Conv1d(nn::Conv1dOptions(4, 8, 3).stride(2).padding(1).dilation(2).groups(4).bias(false)).extra_repr() ==
        "4, 8, kernel_size=3, stride=2, padding=1, dilation=2, groups=4, bias=false");
  CHECK(Conv1d(nn::Conv1dOptions(4, 8, 4).padding("same")).extra_repr() == "4, 8, kernel_size=4, stride=1, padding=same");
  CHECK(Conv1d(nn::Conv1dOptions(4, 8, 4).padding(0, 1)).extra_repr() == "4, 8, kernel_size=4, stride=1, padding=(0, 1)");
  CHECK(Conv3d(nn::Conv3dOptions(3, 8, 3).padding(1)).extra_repr() == "3, 8, kernel_size=3, stride=1, padding=1");
  CHECK(Conv3d(nn::Conv3dOptions(3, 8, {1, 3, 3}).stride({1, 2, 2}).padding(0, 1, 1)).extra_repr() ==
        "3, 8, kernel_size=(1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1)");
  CHECK(Conv3d(nn::Conv3dOptions(3, 8, 2).padding("valid").dilation({2, 1, 1})).extra_repr() ==
        "3, 8, kernel_size=2, stride=1, padding=valid, dilation=(2, 1, 1)");

  // FLOPs: 2 * outputs * (in / groups) * kernel volume.
  Conv1d c1(nn::Conv1dOptions(4, 6, 5).groups(2));
  CHECK(c1.flops({1, 4, 20}, {1, 6, 16}) == 2 * 6 * 16 * 2 * 5);
  Conv3d c3(nn::Conv3dOptions(2, 4, {3, 3, 2}));
  CHECK(c3.flops({1, 2, 5, 5, 5}, {1, 4, 3, 3, 4}) == 2 * 4 * 3 * 3 * 4 * 2 * 3 * 3 * 2);
  auto net = sequential({std::make_shared<Conv3d>(nn::Conv3dOptions(1, 2, 3))});
  const std::string text = summary(*net, {1, 1, 4, 4, 4});
  INFO(text);
  CHECK(text.find("[1, 2, 2, 2, 2]") != std::string::npos);
  CHECK(text.find("864") != std::string::npos);  // 2 * 16 outputs * 27
}

TEST_CASE("Conv1d and Conv3d state dicts round-trip, in memory and through a file") {
  manual_seed(3);
  Conv1d a1(nn::Conv1dOptions(3, 4, 3).padding(1)), b1(nn::Conv1dOptions(3, 4, 3).padding(1));
  Conv3d a3(nn::Conv3dOptions(2, 3, {2, 3, 3})), b3(nn::Conv3dOptions(2, 3, {2, 3, 3}));
  const StateDict state1 = a1.state_dict();
  CHECK(state1.size() == 2);
  CHECK(state1.at("weight").shape() == Shape{4, 3, 3});
  b1.load_state_dict(state1);
  const Tensor x1 = randn({2, 3, 9});
  check_bitwise_equal(b1(x1), a1(x1));

  ember::test::TempDir dir;
  nn::save(a3, dir.file("conv3d.safetensors"));
  nn::load(b3, dir.file("conv3d.safetensors"));
  const Tensor x3 = randn({1, 2, 4, 5, 5});
  check_bitwise_equal(b3(x3), a3(x3));
  check_bitwise_equal(b3.bias, a3.bias);

  // A Conv2d-shaped weight is refused, naming the key.
  Conv3d c3(nn::Conv3dOptions(2, 3, {2, 3, 3}));
  check_error([&] { c3.load_state_dict(b1.state_dict()); }, {"weight"});
}

TEST_CASE("Conv1d and Conv3d reject bad options, naming the layer") {
  check_error([] { Conv1d(nn::Conv1dOptions(3, 4, 3).groups(2)); }, {"Conv1d", "groups 2", "in_channels 3"});
  check_error([] { Conv1d(nn::Conv1dOptions(0, 4, 3)); }, {"Conv1d", "in_channels 0"});
  check_error([] { Conv1d(nn::Conv1dOptions(3, 4, 0)); }, {"Conv1d", "kernel_size", "0"});
  check_error([] { Conv3d(nn::Conv3dOptions(4, 6, 3).groups(4)); }, {"Conv3d", "groups 4", "out_channels 6"});
  check_error([] { Conv3d(nn::Conv3dOptions(4, 6, {3, 0, 3})); }, {"Conv3d", "kernel_size", "(3, 0, 3)"});
  check_error([] { Conv3d(nn::Conv3dOptions(2, 2, 3)).forward(ones({1, 3, 4, 4, 4})); }, {"conv3d", "3 channels", "expects 2"});
  check_error([] { Conv1d(nn::Conv1dOptions(2, 2, 3)).forward(ones({1, 2, 4, 4})); }, {"conv1d", "input must be"});
}
