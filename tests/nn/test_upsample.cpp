// nn::Upsample: forward = the functional op, PyTorch's repr, no parameters, option errors.
#include "support/helpers.h"

#include "ember/nn/sequential.h"
#include "ember/nn/upsample.h"

using namespace ember;
using namespace ember::nn;
using ember::test::check_bitwise_equal;
using ember::test::check_error;
using ember::test::random_tensor;

TEST_CASE("Upsample forwards to upsample_nearest2d / upsample_bilinear2d") {
  const Tensor x = random_tensor({2, 3, 5, 4}, 1);
  Upsample twice;  // the default: nearest, x2
  check_bitwise_equal(twice(x), upsample_nearest2d(x, UpsampleSize::scale(2)));
  Upsample sized(UpsampleOptions().size({7, 9}).mode("bilinear").align_corners(true));
  check_bitwise_equal(sized(x), upsample_bilinear2d(x, UpsampleSize::to({7, 9}), true));
  Upsample fractional(UpsampleOptions().scale_factor(1.5, 2).mode(UpsampleMode::bilinear));
  check_bitwise_equal(fractional(x), upsample_bilinear2d(x, UpsampleSize::scale(1.5, 2), false));
  CHECK(twice.parameters().empty());
  CHECK(fractional(x).shape() == Shape{2, 3, 7, 8});
}

TEST_CASE("Upsample prints like PyTorch's nn.Upsample") {
  CHECK(Upsample().to_string() == "Upsample(scale_factor=2.0, mode=nearest)");
  CHECK(Upsample(UpsampleOptions().scale_factor(1.5, 2)).to_string() ==
        "Upsample(scale_factor=(1.5, 2.0), mode=nearest)");
  CHECK(Upsample(UpsampleOptions().size({14, 12}).mode("bilinear").align_corners(true)).to_string() ==
        "Upsample(size=(14, 12), mode=bilinear, align_corners=True)");
  CHECK(Upsample(UpsampleOptions().size(14).mode("bilinear")).to_string() == "Upsample(size=14, mode=bilinear)");
}

TEST_CASE("Upsample trains inside a Sequential: the gradient reaches the input") {
  Tensor x = random_tensor({1, 2, 3, 3}, 2).requires_grad_();
  auto net = sequential({std::make_shared<Upsample>(), std::make_shared<Upsample>(UpsampleOptions().scale_factor(0.5))});
  net->forward(x).sum().backward();
  REQUIRE(x.grad().defined());
  CHECK(x.grad().shape() == Shape{1, 2, 3, 3});
}

TEST_CASE("Upsample rejects bad options, naming what it got") {
  check_error([] { UpsampleOptions().mode("bicubic"); }, {"Upsample", "\"nearest\" or \"bilinear\"", "\"bicubic\""});
  check_error([] { Upsample(UpsampleOptions().align_corners(true)); },
              {"Upsample", "align_corners", "bilinear", "mode nearest"});
  Upsample bad(UpsampleOptions().scale_factor(-2));
  check_error([&] { bad(ones({1, 1, 2, 2})); }, {"upsample_nearest2d", "scale_factor=-2.0"});
  check_error([] { Upsample()(ones({1, 2, 2})); }, {"upsample_nearest2d", "4-D", "[1, 2, 2]"});
}
