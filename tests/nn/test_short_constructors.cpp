// libtorch's short constructors: Conv2d(in, out, kernel) and the like build, under the same seed,
// exactly the parameters (names, shapes, values) and the printed form of the options form.
#include "support/helpers.h"

#include "ember/nn/conv.h"
#include "ember/nn/conv_nd.h"
#include "ember/nn/linear.h"
#include "ember/nn/norm.h"
#include "ember/nn/pool.h"

using namespace ember;
using namespace ember::nn;
using ember::test::check_bitwise_equal;

namespace {

// `make_short` and `make_options` each build the layer after manual_seed(7).
template <typename Layer, typename Short, typename Options>
void check_same_layer(Short make_short, Options make_options) {
  manual_seed(7);
  std::shared_ptr<Layer> a = make_short();
  manual_seed(7);
  std::shared_ptr<Layer> b = make_options();
  CHECK(a->extra_repr() == b->extra_repr());
  const auto pa = a->named_parameters(), pb = b->named_parameters();
  REQUIRE(pa.size() == pb.size());
  for (size_t i = 0; i < pa.size(); ++i) {
    INFO(pa[i].first);
    CHECK(pa[i].first == pb[i].first);
    check_bitwise_equal(pa[i].second, pb[i].second);
  }
}

}  // namespace

TEST_CASE("Conv1d/2d/3d and ConvTranspose2d (in, out, kernel) = the options form") {
  Conv2d conv(1, 4, 3);  // what the short form says: 1 input channel, 4 filters of 3x3
  CHECK(conv.weight.shape() == Shape{4, 1, 3, 3});
  CHECK(conv.bias.shape() == Shape{4});
  CHECK(Conv2d(2, 8, {3, 5}).weight.shape() == Shape{8, 2, 3, 5});
  CHECK(Conv1d(3, 6, 5).weight.shape() == Shape{6, 3, 5});
  CHECK(Conv3d(2, 4, {1, 3, 3}).weight.shape() == Shape{4, 2, 1, 3, 3});
  CHECK(ConvTranspose2d(4, 2, 3).weight.shape() == Shape{4, 2, 3, 3});

  check_same_layer<Conv2d>([] { return std::make_shared<Conv2d>(3, 16, 5); },
                           [] { return std::make_shared<Conv2d>(Conv2dOptions(3, 16, 5)); });
  check_same_layer<Conv2d>([] { return std::make_shared<Conv2d>(3, 16, Int2{3, 1}); },
                           [] { return std::make_shared<Conv2d>(Conv2dOptions(3, 16, {3, 1})); });
  check_same_layer<Conv1d>([] { return std::make_shared<Conv1d>(4, 6, 5); },
                           [] { return std::make_shared<Conv1d>(Conv1dOptions(4, 6, 5)); });
  check_same_layer<Conv3d>([] { return std::make_shared<Conv3d>(2, 4, 3); },
                           [] { return std::make_shared<Conv3d>(Conv3dOptions(2, 4, 3)); });
  check_same_layer<ConvTranspose2d>([] { return std::make_shared<ConvTranspose2d>(4, 2, 3); },
                                    [] { return std::make_shared<ConvTranspose2d>(ConvTranspose2dOptions(4, 2, 3)); });
}

TEST_CASE("pooling takes its kernel alone; Linear, BatchNorm2d and Dropout take libtorch's arguments") {
  check_same_layer<MaxPool2d>([] { return std::make_shared<MaxPool2d>(2); },
                              [] { return std::make_shared<MaxPool2d>(MaxPool2dOptions(2)); });
  check_same_layer<AvgPool2d>([] { return std::make_shared<AvgPool2d>(3); },
                              [] { return std::make_shared<AvgPool2d>(AvgPool2dOptions(3)); });
  // The kernel is the stride, as in PyTorch: 2x2 pooling halves 8x8.
  CHECK(MaxPool2d(2)(zeros({1, 1, 8, 8})).shape() == Shape{1, 1, 4, 4});

  Linear fc(400, 120);
  CHECK(fc.weight.shape() == Shape{120, 400});
  CHECK(fc.bias.shape() == Shape{120});
  BatchNorm2d bn(16);
  CHECK(bn.named_parameters().size() == 2);
  CHECK(bn.buffers().size() >= 2);  // running mean and variance
  Dropout dropout(0.25f);
  CHECK(dropout.extra_repr().find("0.25") != std::string::npos);
}
