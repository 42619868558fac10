// nn::SpatiallySeparableConv2d: two plain convolutions k x 1 then 1 x k, the full k x k conv's
// output size, the documented parameter counts, PyTorch goldens (two F.conv2d calls), errors.
#include "support/golden.h"
#include "support/helpers.h"

#include "ember/nn/separable.h"
#include "ember/nn/summary.h"

using namespace ember;
using namespace ember::nn;
using ember::test::check_close;
using ember::test::check_error;
using ember::test::Golden;
using ember::test::random_tensor;

TEST_CASE("SpatiallySeparableConv2d: shapes, names, and a separable filter reproduces the full conv") {
  manual_seed(0);
  SpatiallySeparableConv2d sep(SpatiallySeparableConv2dOptions(3, 4, 5).padding(2).stride(2).mid_channels(6));
  CHECK(sep.vertical->weight.shape() == Shape{6, 3, 5, 1});
  CHECK(sep.horizontal->weight.shape() == Shape{4, 6, 1, 5});
  std::vector<std::string> keys;
  for (const auto& [name, t] : sep.state_dict()) keys.push_back(name);
  CHECK(keys == std::vector<std::string>{"vertical.weight", "vertical.bias", "horizontal.weight", "horizontal.bias"});
  const Tensor x = random_tensor({2, 3, 11, 9}, 1);
  // The k x k conv's output size: (11 + 4 - 5) / 2 + 1 = 6, (9 + 4 - 5) / 2 + 1 = 5.
  CHECK(sep(x).shape() == Shape{2, 4, 6, 5});

  // One channel in and out, no biases: the pair is the k x k conv with the outer product of its filters.
  SpatiallySeparableConv2d one(SpatiallySeparableConv2dOptions(1, 1, 3).padding(1).bias(false));
  const Tensor full = matmul(one.vertical->weight.reshape({3, 1}), one.horizontal->weight.reshape({1, 3}));
  const Tensor y = random_tensor({2, 1, 7, 6}, 2);
  check_close(one(y), conv2d(y, full.reshape({1, 1, 3, 3}), Tensor(), ember::Conv2dOptions().padding(1)), 1e-5, 1e-5);
}

TEST_CASE("SpatiallySeparableConv2d parameter count versus the full k x k conv") {
  using S = SpatiallySeparableConv2d;
  const auto o64 = SpatiallySeparableConv2dOptions(64, 64, 3).bias(false);
  CHECK(S::parameter_count(o64) == 24576);  // 3*64*64 * 2
  CHECK(S::full_conv_parameter_count(o64) == 36864);
  const auto o7 = SpatiallySeparableConv2dOptions(64, 64, 7).bias(false);
  CHECK(S::parameter_count(o7) == 57344);
  CHECK(S::full_conv_parameter_count(o7) == 200704);
  const auto o = SpatiallySeparableConv2dOptions(3, 8, 5).mid_channels(4);
  CHECK(S::parameter_count(o) == 5 * 3 * 4 + 4 + 5 * 4 * 8 + 8);
  CHECK(S::full_conv_parameter_count(o) == 25 * 3 * 8 + 8);
  SpatiallySeparableConv2d layer(o);
  int64_t counted = 0;
  for (const Tensor& p : layer.parameters()) counted += p.numel();
  CHECK(counted == S::parameter_count(o));
  int64_t full = 0;
  for (const Tensor& p : Conv2d(nn::Conv2dOptions(3, 8, 5)).parameters()) full += p.numel();
  CHECK(full == S::full_conv_parameter_count(o));
}

TEST_CASE("SpatiallySeparableConv2d: repr and summary show both convolutions") {
  SpatiallySeparableConv2d sep(SpatiallySeparableConv2dOptions(16, 32, 5).padding(2).mid_channels(24));
  const std::string text = sep.to_string();
  CHECK(text ==
        "SpatiallySeparableConv2d(\n"
        "  16, 32, kernel_size=5, mid_channels=24, padding=2\n"
        "  (vertical): Conv2d(16, 24, kernel_size=(5, 1), stride=1, padding=(2, 2, 0, 0))\n"
        "  (horizontal): Conv2d(24, 32, kernel_size=(1, 5), stride=1, padding=(0, 0, 2, 2))\n"
        ")");
  const std::string table = summary(sep, {1, 16, 12, 12});
  CHECK(table.find("vertical (Conv2d)") != std::string::npos);
  CHECK(table.find("horizontal (Conv2d)") != std::string::npos);
}

TEST_CASE("golden: SpatiallySeparableConv2d matches two F.conv2d calls in PyTorch") {
  const Golden g("separable");
  for (const std::string c : {"k3_same", "k5_mid2", "k3_stride2", "k3_dilated", "k7_valid_no_bias"}) {
    INFO("golden case " << c);
    auto arg = [&](const std::string& name) { return static_cast<int64_t>(g.scalar(c + "." + name)); };
    const bool bias = g.contains(c + ".vertical_bias");
    const Tensor x0 = g[c + ".x"];
    SpatiallySeparableConv2d sep(SpatiallySeparableConv2dOptions(x0.size(1), g[c + ".out"].size(1), arg("k"))
                                     .mid_channels(arg("mid"))
                                     .stride(arg("stride"))
                                     .padding(arg("padding"))
                                     .dilation(arg("dilation"))
                                     .bias(bias));
    {
      autograd::NoGradGuard no_grad;
      sep.vertical->weight.copy_(g[c + ".vertical_weight"]);
      sep.horizontal->weight.copy_(g[c + ".horizontal_weight"]);
      if (bias) {
        sep.vertical->bias.copy_(g[c + ".vertical_bias"]);
        sep.horizontal->bias.copy_(g[c + ".horizontal_bias"]);
      }
    }
    Tensor x = x0.detach().requires_grad_();
    const Tensor out = sep(x);
    check_close(out, g[c + ".out"], 1e-5, 1e-5);
    out.backward(g[c + ".grad_out"]);
    check_close(x.grad(), g[c + ".grad_x"], 1e-5, 1e-5);
    check_close(sep.vertical->weight.grad(), g[c + ".grad_vertical_weight"], 1e-5, 1e-5);
    check_close(sep.horizontal->weight.grad(), g[c + ".grad_horizontal_weight"], 1e-5, 1e-5);
    if (bias) {
      check_close(sep.vertical->bias.grad(), g[c + ".grad_vertical_bias"], 1e-5, 1e-5);
      check_close(sep.horizontal->bias.grad(), g[c + ".grad_horizontal_bias"], 1e-5, 1e-5);
    }
  }
}

TEST_CASE("SpatiallySeparableConv2d rejects bad options, naming what it got") {
  check_error([] { SpatiallySeparableConv2d(SpatiallySeparableConv2dOptions(0, 4, 3)); },
              {"SpatiallySeparableConv2d", "in_channels 0"});
  check_error([] { SpatiallySeparableConv2d(SpatiallySeparableConv2dOptions(3, 4, 3).mid_channels(-1)); },
              {"SpatiallySeparableConv2d", "mid_channels -1"});
  check_error([] { SpatiallySeparableConv2d(SpatiallySeparableConv2dOptions(3, 4, 0)); },
              {"SpatiallySeparableConv2d", "kernel_size 0"});
  check_error([] { SpatiallySeparableConv2d(SpatiallySeparableConv2dOptions(3, 4, 3).padding(-2)); },
              {"SpatiallySeparableConv2d", "padding -2"});
  SpatiallySeparableConv2d sep(SpatiallySeparableConv2dOptions(3, 4, 3));
  check_error([&] { sep(ones({1, 2, 8, 8})); }, {"conv2d", "2 channels", "expects 3"});
}
