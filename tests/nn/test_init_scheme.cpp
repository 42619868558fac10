// One initialization for a whole model (ember/nn/init_scheme.h): the names parsed, each scheme's
// weights against its formula (bounds, mean and std), biases zero, normalization layers and
// the pytorch scheme left alone, reproducible for a seed, fused layers included, bad names refused.
#include <cmath>

#include "support/helpers.h"

#include "ember/models/lenet.h"
#include "ember/models/mnist_cnn.h"

using namespace ember;
namespace init = ember::nn::init;
using ember::test::check_bitwise_equal;
using ember::test::check_error;

namespace {

double std_of(const Tensor& t) {
  const auto v = t.to_vector<double>();
  double mean = 0, var = 0;
  for (double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  for (double x : v) var += (x - mean) * (x - mean);
  return std::sqrt(var / static_cast<double>(v.size()));
}

double max_abs(const Tensor& t) {
  double m = 0;
  for (double x : t.to_vector<double>()) m = std::max(m, std::abs(x));
  return m;
}

// conv 8->64 3x3, batch norm, linear 4096->512: enough weights for 3% on the std.
std::shared_ptr<nn::Sequential> small_net() {
  return nn::sequential({std::make_shared<nn::Conv2d>(8, 64, 3), std::make_shared<nn::BatchNorm2d>(64),
                         std::make_shared<nn::ReLU>(), std::make_shared<nn::Flatten>(),
                         std::make_shared<nn::Linear>(4096, 512)});
}

struct Layers {
  Tensor conv_w, conv_b, bn_w, bn_b, fc_w, fc_b;
};
Layers layers_of(nn::Module& net) {
  Layers l;
  for (const auto& [name, p] : net.named_parameters()) {
    if (name == "0.weight") l.conv_w = p;
    if (name == "0.bias") l.conv_b = p;
    if (name == "1.weight") l.bn_w = p;
    if (name == "1.bias") l.bn_b = p;
    if (name == "4.weight") l.fc_w = p;
    if (name == "4.bias") l.fc_b = p;
  }
  REQUIRE(l.conv_w.defined());
  REQUIRE(l.fc_w.defined());
  REQUIRE(l.bn_w.defined());
  return l;
}

void check_biases_zero_and_norm_untouched(const Layers& l) {
  CHECK(max_abs(l.conv_b) == 0.0);
  CHECK(max_abs(l.fc_b) == 0.0);
  for (float x : l.bn_w.to_vector<float>()) CHECK(x == 1.0f);
  for (float x : l.bn_b.to_vector<float>()) CHECK(x == 0.0f);
}

}  // namespace

TEST_CASE("parse_init_scheme: every name, glorot_uniform as xavier, normal with its std") {
  using Kind = init::InitScheme::Kind;
  CHECK(init::parse_init_scheme("pytorch").kind == Kind::pytorch);
  CHECK(init::parse_init_scheme("xavier").kind == Kind::xavier_uniform);
  CHECK(init::parse_init_scheme("glorot_uniform").kind == Kind::xavier_uniform);
  CHECK(init::parse_init_scheme("kaiming").kind == Kind::kaiming_normal);
  const init::InitScheme normal = init::parse_init_scheme("normal:0.05");
  CHECK(normal.kind == Kind::normal);
  CHECK(normal.stddev == 0.05);
  CHECK(init::parse_init_scheme("normal:1e-2").stddev == 0.01);
}

TEST_CASE("parse_init_scheme: unknown names and bad standard deviations, named") {
  check_error([] { init::parse_init_scheme("glorot", "--init"); },
              {"unknown --init 'glorot'", "pytorch, xavier, glorot_uniform, kaiming, normal:STD"});
  check_error([] { init::parse_init_scheme(""); }, {"unknown init ''"});
  for (const char* bad : {"normal:", "normal:0", "normal:-1", "normal:abc", "normal:0.1x", "normal:inf", "normal:nan",
                          "normal:1e999"}) {
    CAPTURE(bad);
    check_error([&] { init::parse_init_scheme(bad, "--init"); },
                {"--init '", "the standard deviation after 'normal:' must be a number greater than 0"});
  }
}

TEST_CASE("xavier: U(-a, a) with a = sqrt(6 / (fan_in + fan_out)), zero biases, batch norm untouched") {
  manual_seed(3);
  auto net = small_net();
  init::initialize(*net, init::parse_init_scheme("xavier"));
  const Layers l = layers_of(*net);
  const double conv_bound = std::sqrt(6.0 / (8 * 9 + 64 * 9)), fc_bound = std::sqrt(6.0 / (4096 + 512));
  CHECK(max_abs(l.conv_w) <= conv_bound);
  CHECK(max_abs(l.conv_w) > 0.99 * conv_bound);
  CHECK(std_of(l.conv_w) == doctest::Approx(conv_bound / std::sqrt(3.0)).epsilon(0.03));
  CHECK(max_abs(l.fc_w) <= fc_bound);
  CHECK(std_of(l.fc_w) == doctest::Approx(fc_bound / std::sqrt(3.0)).epsilon(0.03));
  check_biases_zero_and_norm_untouched(l);
}

TEST_CASE("kaiming: N(0, 2 / fan_in); normal:STD: N(0, STD^2); zero biases") {
  manual_seed(4);
  auto net = small_net();
  init::initialize(*net, init::parse_init_scheme("kaiming"));
  Layers l = layers_of(*net);
  CHECK(std_of(l.conv_w) == doctest::Approx(std::sqrt(2.0 / (8 * 9))).epsilon(0.03));
  CHECK(std_of(l.fc_w) == doctest::Approx(std::sqrt(2.0 / 4096)).epsilon(0.03));
  check_biases_zero_and_norm_untouched(l);

  init::initialize(*net, init::parse_init_scheme("normal:0.02"));
  l = layers_of(*net);
  CHECK(std_of(l.conv_w) == doctest::Approx(0.02).epsilon(0.03));
  CHECK(std_of(l.fc_w) == doctest::Approx(0.02).epsilon(0.03));
  CHECK(max_abs(l.fc_w) > 3.5 * 0.02);  // a normal, not a uniform
  check_biases_zero_and_norm_untouched(l);
}

TEST_CASE("pytorch leaves the model as built; a seed reproduces every scheme") {
  manual_seed(5);
  auto built = small_net();
  manual_seed(5);
  auto kept = small_net();
  init::initialize(*kept, init::parse_init_scheme("pytorch"));
  for (size_t i = 0; i < built->parameters().size(); ++i) {
    check_bitwise_equal(kept->parameters()[i], built->parameters()[i]);
  }
  for (const char* scheme : {"xavier", "kaiming", "normal:0.1"}) {
    CAPTURE(scheme);
    auto a = small_net(), b = small_net();
    Generator ga(11), gb(11);
    init::initialize(*a, init::parse_init_scheme(scheme), &ga);
    init::initialize(*b, init::parse_init_scheme(scheme), &gb);
    for (size_t i = 0; i < a->parameters().size(); ++i) check_bitwise_equal(a->parameters()[i], b->parameters()[i]);
  }
}

TEST_CASE("zoo models: every conv and linear layer is reached, the fused conv+ReLU ones included") {
  for (auto activation : {models::Activation::relu, models::Activation::sigmoid}) {
    manual_seed(6);
    models::LeNet5 net(models::LeNet5Options().activation(activation));
    init::initialize(net, init::parse_init_scheme("normal:0.5"));
    int layers = 0;
    for (const auto& [name, p] : net.named_parameters()) {
      CAPTURE(name);
      if (p.dim() >= 2) {
        ++layers;
        CHECK(std_of(p) > 0.3);  // PyTorch's defaults are far smaller: 1/sqrt(3 fan_in) <= 0.12 here
      } else {
        CHECK(max_abs(p) == 0.0);
      }
    }
    CHECK(layers == 5);
  }
}
