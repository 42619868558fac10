// Weight initialization: gains and fans exactly against PyTorch, the statistics of every
// initializer against its formula, bounds, reproducibility, PyTorch's per-layer defaults,
// in-place on parameters, bad input.
//
// The hard-coded PyTorch values were printed by torch 1.13:
//   import torch, math; import torch.nn.init as I
//   I.calculate_gain(name[, param]); I._calculate_fan_in_and_fan_out(torch.empty(shape))
//   fan_in = ...; math.sqrt(3.0) * I.calculate_gain('leaky_relu', math.sqrt(5)) / math.sqrt(fan_in)
//   (kaiming_uniform_(w, a=sqrt(5)) bound) and 1 / math.sqrt(fan_in) (bias bound).
#include <algorithm>
#include <cmath>

#include "support/helpers.h"

using namespace ember;
namespace init = ember::nn::init;
using ember::test::check_bitwise_equal;
using ember::test::check_error;

namespace {

struct Stats {
  double mean = 0, std = 0, min = 0, max = 0;
};

Stats stats_of(const Tensor& t) {
  const auto v = t.to_vector<double>();
  Stats s{0, 0, v.at(0), v.at(0)};
  for (double x : v) {
    s.mean += x;
    s.min = std::min(s.min, x);
    s.max = std::max(s.max, x);
  }
  s.mean /= static_cast<double>(v.size());
  for (double x : v) s.std += (x - s.mean) * (x - s.mean);
  s.std = std::sqrt(s.std / static_cast<double>(v.size()));
  return s;
}

// Tolerances: with n >= 18k samples the sample mean is within 5 standard errors (sigma /
// sqrt(n) <= sigma / 135) and the sample std within 3% (its relative error is ~1 / sqrt(2n)).
// The seeds are fixed, so these are deterministic; the margins are there so a change of seed
// does not break them.
void check_uniform_stats(const Tensor& t, double low, double high) {
  const Stats s = stats_of(t);
  const double sigma = (high - low) / std::sqrt(12.0);
  CHECK(std::abs(s.mean - (low + high) / 2) < 5 * sigma / std::sqrt(static_cast<double>(t.numel())));
  CHECK(s.std == doctest::Approx(sigma).epsilon(0.03));
  // Bounds hold and are (nearly) reached.
  CHECK(s.min >= static_cast<float>(low));
  CHECK(s.max < static_cast<float>(high));
  CHECK(s.min < low + 0.01 * (high - low));
  CHECK(s.max > high - 0.01 * (high - low));
}

void check_normal_stats(const Tensor& t, double mean, double std) {
  const Stats s = stats_of(t);
  CHECK(std::abs(s.mean - mean) < 5 * std / std::sqrt(static_cast<double>(t.numel())));
  CHECK(s.std == doctest::Approx(std).epsilon(0.03));
  // A normal, not a uniform: values beyond 3 sigma exist (0.27% of them).
  CHECK(std::max(s.max - mean, mean - s.min) > 3.5 * std);
}

const Shape kDense{256, 1024};     // fan_in 1024, fan_out 256
const Shape kConv{64, 32, 3, 3};   // fan_in 288, fan_out 576

}  // namespace

TEST_CASE("calculate_gain equals PyTorch's") {
  for (const char* linear : {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                             "conv_transpose3d", "sigmoid"}) {
    CHECK(init::calculate_gain(linear) == 1.0);
  }
  CHECK(init::calculate_gain("tanh") == 1.6666666666666667);
  CHECK(init::calculate_gain("relu") == 1.4142135623730951);
  CHECK(init::calculate_gain("selu") == 0.75);
  CHECK(init::calculate_gain("leaky_relu") == 1.4141428569978354);  // default slope 0.01
  CHECK(init::calculate_gain("leaky_relu", 0.0) == 1.4142135623730951);
  CHECK(init::calculate_gain("leaky_relu", 0.2) == 1.3867504905630728);
  CHECK(init::calculate_gain("leaky_relu", std::sqrt(5.0)) == 0.5773502691896257);
  CHECK(init::calculate_gain("leaky_relu", -0.5) == 1.2649110640673518);
  // The param only matters for leaky_relu.
  CHECK(init::calculate_gain("relu", 0.2) == 1.4142135623730951);
}

TEST_CASE("calculate_fan_in_and_fan_out equals PyTorch's") {
  struct Case {
    Shape shape;
    int64_t fan_in, fan_out;
  };
  for (const Case& c : {Case{{3, 5}, 5, 3}, Case{{256, 1024}, 1024, 256}, Case{{64, 32, 3, 3}, 288, 576},
                        Case{{16, 3, 5, 5}, 75, 400}, Case{{10, 4, 3}, 12, 30}, Case{{2, 3, 4, 5, 6}, 360, 240},
                        Case{{7, 0}, 0, 7}, Case{{1, 1}, 1, 1}}) {
    CAPTURE(c.shape);
    const init::Fans f = init::calculate_fan_in_and_fan_out(empty(c.shape));
    CHECK(f.fan_in == c.fan_in);
    CHECK(f.fan_out == c.fan_out);
  }
}

TEST_CASE("uniform_ and normal_ follow their distributions") {
  Generator g(1);
  Tensor t = empty(kDense);
  init::uniform_(t, -0.5, 2.0, &g);
  check_uniform_stats(t, -0.5, 2.0);
  init::uniform_(t, 0.0, 1.0, &g);  // the defaults
  check_uniform_stats(t, 0.0, 1.0);
  init::normal_(t, 3.0, 0.25, &g);
  check_normal_stats(t, 3.0, 0.25);
  init::normal_(t, 0.0, 1.0, &g);
  check_normal_stats(t, 0.0, 1.0);
  // std 0 is allowed (PyTorch too) and gives the mean.
  init::normal_(t, 1.5, 0.0, &g);
  CHECK(stats_of(t).min == 1.5);
  CHECK(stats_of(t).max == 1.5);
  // a == b gives a.
  init::uniform_(t, -2.0, -2.0, &g);
  CHECK(stats_of(t).min == -2.0);
  CHECK(stats_of(t).max == -2.0);
}

TEST_CASE("constant_, zeros_ and ones_") {
  Tensor t = empty({3, 4});
  init::constant_(t, 0.3);
  for (float v : t.to_vector()) CHECK(v == 0.3f);
  init::zeros_(t);
  for (float v : t.to_vector()) CHECK(v == 0.0f);
  init::ones_(t);
  for (float v : t.to_vector()) CHECK(v == 1.0f);
  // The returned reference is the argument, as in PyTorch (chainable).
  CHECK(init::zeros_(t).is_same(t));
}

TEST_CASE("xavier_uniform_ and xavier_normal_ match std = gain * sqrt(2 / (fan_in + fan_out))") {
  Generator g(2);
  for (const Shape& shape : {kDense, kConv}) {
    CAPTURE(shape);
    Tensor t = empty(shape);
    const init::Fans f = init::calculate_fan_in_and_fan_out(t);
    for (double gain : {1.0, init::calculate_gain("relu"), init::calculate_gain("tanh")}) {
      CAPTURE(gain);
      const double std = gain * std::sqrt(2.0 / static_cast<double>(f.fan_in + f.fan_out));
      CHECK(init::xavier_uniform_(t, gain, &g).is_same(t));
      check_uniform_stats(t, -std::sqrt(3.0) * std, std::sqrt(3.0) * std);
      init::xavier_normal_(t, gain, &g);
      check_normal_stats(t, 0.0, std);
    }
  }
}

TEST_CASE("kaiming_uniform_ and kaiming_normal_ match std = gain / sqrt(fan)") {
  Generator g(3);
  struct Case {
    double a;
    init::FanMode mode;
    const char* nonlinearity;
  };
  for (const Shape& shape : {kDense, kConv}) {
    Tensor t = empty(shape);
    const init::Fans f = init::calculate_fan_in_and_fan_out(t);
    for (const Case& c : {Case{0.0, init::FanMode::fan_in, "leaky_relu"}, Case{0.0, init::FanMode::fan_out, "relu"},
                          Case{0.2, init::FanMode::fan_out, "leaky_relu"}, Case{0.0, init::FanMode::fan_in, "tanh"},
                          Case{std::sqrt(5.0), init::FanMode::fan_in, "leaky_relu"}}) {
      CAPTURE(shape);
      CAPTURE(c.a);
      CAPTURE(c.nonlinearity);
      const int64_t fan = c.mode == init::FanMode::fan_in ? f.fan_in : f.fan_out;
      const double std = init::calculate_gain(c.nonlinearity, c.a) / std::sqrt(static_cast<double>(fan));
      CHECK(init::kaiming_uniform_(t, c.a, c.mode, c.nonlinearity, &g).is_same(t));
      check_uniform_stats(t, -std::sqrt(3.0) * std, std::sqrt(3.0) * std);
      init::kaiming_normal_(t, c.a, c.mode, c.nonlinearity, &g);
      check_normal_stats(t, 0.0, std);
    }
  }
  // The defaults: a = 0, fan_in, leaky_relu -> gain sqrt(2); the dense fan_in is 1024.
  Tensor t = empty(kDense);
  init::kaiming_normal_(t);
  check_normal_stats(t, 0.0, std::sqrt(2.0) / 32.0);
}

TEST_CASE("uniform initializers never reach their upper bound, even when rounding to float would") {
  // [1, 1 + 1e-7): every double in it rounds to 1 or to 1 + 2^-23, and 1 + 2^-23 is past the bound.
  Generator g(4);
  Tensor t = empty({4096});
  init::uniform_(t, 1.0, 1.0 + 1e-7, &g);
  for (float v : t.to_vector()) REQUIRE(v == 1.0f);
  // The same at the scale of a weight.
  const float b = 0.0625f;
  init::uniform_(t, -b, std::nextafter(b, 1.0f), &g);
  for (float v : t.to_vector()) REQUIRE((v >= -b && v <= b));
  // Every uniform init on many draws stays inside [-bound, bound).
  Tensor w = empty(kConv);
  const double fan_in = 288;
  init::kaiming_uniform_(w, 0.0, init::FanMode::fan_in, "relu", &g);
  const float kaiming_bound = static_cast<float>(std::sqrt(3.0) * std::sqrt(2.0) / std::sqrt(fan_in));
  for (float v : w.to_vector()) REQUIRE((v >= -kaiming_bound && v < kaiming_bound));
  init::xavier_uniform_(w, 1.0, &g);
  const float xavier_bound = static_cast<float>(std::sqrt(6.0 / (288 + 576)));
  for (float v : w.to_vector()) REQUIRE((v >= -xavier_bound && v < xavier_bound));
}

TEST_CASE("a seeded generator reproduces an initialization; the default generator is used when none is given") {
  auto draw = [](uint64_t seed) {
    Generator g(seed);
    Tensor t = empty(kConv);
    init::kaiming_normal_(t, 0.0, init::FanMode::fan_out, "relu", &g);
    return t;
  };
  check_bitwise_equal(draw(11), draw(11));
  CHECK(draw(11).to_vector() != draw(12).to_vector());

  Tensor a = empty({5, 7}), b = empty({5, 7}), c = empty({5, 7});
  manual_seed(21);
  init::xavier_uniform_(a);
  manual_seed(21);
  init::xavier_uniform_(b);
  check_bitwise_equal(a, b);
  Generator g(21);  // the same seed in a private generator gives the same stream
  init::xavier_uniform_(c, 1.0, &g);
  check_bitwise_equal(a, c);
}

TEST_CASE("a non-contiguous tensor gets the values of a contiguous one, in logical row-major order") {
  const Tensor base = zeros({8, 6});
  const Tensor view = base.t();  // [6, 8], strides [1, 6]
  REQUIRE(!view.is_contiguous());
  Generator g1(5), g2(5);
  init::kaiming_uniform_(view, 0.0, init::FanMode::fan_in, "relu", &g1);
  Tensor dense = empty({6, 8});
  init::kaiming_uniform_(dense, 0.0, init::FanMode::fan_in, "relu", &g2);
  check_bitwise_equal(view.contiguous(), dense);
  check_bitwise_equal(base, dense.t().contiguous());  // written through to the storage
}

TEST_CASE("default_linear_init and default_conv_init equal torch.nn.Linear / Conv2d reset_parameters") {
  struct Case {
    Shape weight;
    double bound;  // PyTorch's weight bound; the bias bound is 1 / sqrt(fan_in)
    double bias_bound;
  };
  // Weight bounds as PyTorch computes them: sqrt(3) * gain(leaky_relu, sqrt(5)) / sqrt(fan_in).
  const std::vector<Case> cases{
      {{5, 3}, 0.5773502691896257, 0.5773502691896258},          // Linear(3, 5)
      {{2048, 400}, 0.049999999999999996, 0.05},                  // Linear(400, 2048) (LeNet fc1 fan_in)
      {{256, 1024}, 0.031249999999999997, 0.03125},              // Linear(1024, 256)
      {{256, 1, 5, 5}, 0.19999999999999998, 0.2},                 // Conv2d(1, 256, 5)
      {{256, 32, 3, 3}, 0.05892556509887896, 0.05892556509887897},  // Conv2d(32, 256, 3)
  };
  for (const Case& c : cases) {
    CAPTURE(c.weight);
    const bool linear = c.weight.size() == 2;
    Tensor w = empty(c.weight), b = empty({c.weight[0]});
    const int64_t fan_in = init::calculate_fan_in_and_fan_out(w).fan_in;
    // Our formula gives PyTorch's numbers.
    CHECK(std::sqrt(3.0) * init::calculate_gain("leaky_relu", std::sqrt(5.0)) / std::sqrt(double(fan_in)) ==
          doctest::Approx(c.bound).epsilon(1e-15));
    CHECK(1.0 / std::sqrt(double(fan_in)) == doctest::Approx(c.bias_bound).epsilon(1e-15));

    Generator g(7);
    if (linear) {
      init::default_linear_init(w, b, &g);
    } else {
      init::default_conv_init(w, b, &g);
    }
    const Stats ws = stats_of(w), bs = stats_of(b);
    CHECK(ws.min >= -static_cast<float>(c.bound));
    CHECK(ws.max < static_cast<float>(c.bound));
    if (w.numel() > 10000) check_uniform_stats(w, -c.bound, c.bound);
    CHECK(bs.min >= -static_cast<float>(c.bias_bound));
    CHECK(bs.max < static_cast<float>(c.bias_bound));
    if (b.numel() >= 256) CHECK(std::max(bs.max, -bs.min) > 0.9 * c.bias_bound);

    // Exactly: the weight from kaiming_uniform_(a = sqrt(5)), then the bias, from one generator.
    Generator h(7);
    Tensor w2 = empty(c.weight), b2 = empty({c.weight[0]});
    init::kaiming_uniform_(w2, std::sqrt(5.0), init::FanMode::fan_in, "leaky_relu", &h);
    init::uniform_(b2, -c.bias_bound, c.bias_bound, &h);
    check_bitwise_equal(w, w2);
    check_bitwise_equal(b, b2);
  }
}

TEST_CASE("default inits: no bias, and fan_in 0 as in PyTorch") {
  Generator g(8);
  Tensor w = empty({4, 6});
  init::default_linear_init(w, Tensor(), &g);
  CHECK(stats_of(w).max < 1.0 / std::sqrt(6.0));
  Tensor cw = empty({4, 2, 3, 3});
  init::default_conv_init(cw, Tensor(), &g);
  CHECK(stats_of(cw).max < 1.0 / std::sqrt(18.0));

  // ConvTranspose2d(4, 6, 3): weight [in, out, kh, kw] = [4, 6, 3, 3], bias [out] = [6]; fan_in is
  // 6 * 9 = 54, as PyTorch computes it for transposed convolutions too.
  Tensor tw = empty({4, 6, 3, 3}), tb = empty({6});
  Generator h1(12), h2(12);
  init::default_conv_init(tw, tb, &h1);
  Tensor tw2 = empty({4, 6, 3, 3}), tb2 = empty({6});
  init::kaiming_uniform_(tw2, std::sqrt(5.0), init::FanMode::fan_in, "leaky_relu", &h2);
  init::uniform_(tb2, -1.0 / std::sqrt(54.0), 1.0 / std::sqrt(54.0), &h2);
  check_bitwise_equal(tw, tw2);
  check_bitwise_equal(tb, tb2);

  // Linear(0, 3): nothing to draw for the weight, the bias becomes U(0, 0) = 0.
  Tensor lw = empty({3, 0}), lb = full({3}, 7.0f);
  const uint64_t version = lb.version();
  init::default_linear_init(lw, lb, &g);
  for (float v : lb.to_vector()) CHECK(v == 0.0f);
  CHECK(lb.version() > version);
  // Conv2d(0, 3, 3): PyTorch leaves the bias alone.
  Tensor cw0 = empty({3, 0, 3, 3}), cb0 = full({3}, 7.0f);
  init::default_conv_init(cw0, cb0, &g);
  for (float v : cb0.to_vector()) CHECK(v == 7.0f);
}

TEST_CASE("normal_init: weight N(0, 0.01^2), bias zero") {
  Generator g(9);
  Tensor w = empty(kDense), b = full({256}, 3.0f);
  init::normal_init(w, b, 0.01, &g);
  check_normal_stats(w, 0.0, 0.01);
  for (float v : b.to_vector()) CHECK(v == 0.0f);
  init::normal_init(w, Tensor(), 0.05, &g);
  check_normal_stats(w, 0.0, 0.05);
}

TEST_CASE("initializers work in place on parameters that require grad and bump the version") {
  Generator g(10);
  const Tensor w = empty({16, 8}).requires_grad_();
  const Tensor b = empty({16}).requires_grad_();
  REQUIRE(autograd::is_grad_enabled());
  const std::vector<std::function<void()>> inits{
      [&] { init::uniform_(w, -1.0, 1.0, &g); },
      [&] { init::normal_(w, 0.0, 1.0, &g); },
      [&] { init::constant_(w, 2.0); },
      [&] { init::zeros_(w); },
      [&] { init::ones_(w); },
      [&] { init::xavier_uniform_(w, 1.0, &g); },
      [&] { init::xavier_normal_(w, 1.0, &g); },
      [&] { init::kaiming_uniform_(w, 0.0, init::FanMode::fan_in, "relu", &g); },
      [&] { init::kaiming_normal_(w, 0.0, init::FanMode::fan_in, "relu", &g); },
      [&] { init::default_linear_init(w, b, &g); },
      [&] { init::normal_init(w, b, 0.01, &g); },
  };
  for (size_t i = 0; i < inits.size(); ++i) {
    CAPTURE(i);
    const uint64_t version = w.version();
    inits[i]();
    CHECK(w.version() > version);
    CHECK(autograd::is_grad_enabled());  // the guard is restored
    CHECK(w.requires_grad());
    CHECK(w.is_leaf());
  }
  // The parameter still trains: a backward reaches it.
  (w * w).sum().backward();
  CHECK(w.grad().defined());

  // A zero-element tensor is a no-op for kaiming (PyTorch warns and returns).
  Tensor e = empty({0, 3});
  const uint64_t version = e.version();
  init::kaiming_uniform_(e);
  init::kaiming_normal_(e);
  CHECK(e.version() == version);
  init::xavier_uniform_(e);  // fan_in + fan_out = 3: fine, nothing to draw
  // Every other filling function accepts an empty tensor, as PyTorch's do.
  init::uniform_(e);
  init::normal_(e);
  init::constant_(e, 1.0);
  init::zeros_(e);
  init::ones_(e);
  init::xavier_normal_(e);
  init::normal_init(e, Tensor());
  CHECK(e.numel() == 0);
  Tensor e2 = empty({3, 0});  // contiguous strides [0, 1]: not an expanded view
  init::zeros_(e2);
  init::uniform_(e2);
}

TEST_CASE("initializers reject bad input") {
  check_error([] { (void)init::calculate_fan_in_and_fan_out(empty({5})); },
              {"calculate_fan_in_and_fan_out", "fewer than 2 dimensions", "[5]"});
  check_error([] { (void)init::calculate_fan_in_and_fan_out(scalar_tensor(1.0f)); },
              {"calculate_fan_in_and_fan_out", "fewer than 2"});
  check_error([] { init::xavier_uniform_(empty({5})); }, {"xavier_uniform_", "fewer than 2", "[5]"});
  check_error([] { init::xavier_normal_(empty({5})); }, {"xavier_normal_", "fewer than 2"});
  check_error([] { init::kaiming_uniform_(empty({5})); }, {"kaiming_uniform_", "fewer than 2", "[5]"});
  check_error([] { init::kaiming_normal_(empty({5})); }, {"kaiming_normal_", "fewer than 2"});

  check_error([] { (void)init::calculate_gain("gelu"); }, {"calculate_gain", "unsupported nonlinearity 'gelu'"});
  check_error([] { init::kaiming_uniform_(empty({3, 4}), 0.0, init::FanMode::fan_in, "swish"); },
              {"kaiming_uniform_", "'swish'"});
  check_error([] { init::kaiming_normal_(empty({0, 4}), 0.0, init::FanMode::fan_in, "Relu"); },
              {"kaiming_normal_", "'Relu'"});

  check_error([] { init::normal_(empty({3}), 0.0, -1.0); }, {"normal_", "std -1"});
  check_error([] { init::normal_(empty({3}), NAN, 1.0); }, {"normal_", "mean nan"});
  check_error([] { init::normal_init(empty({3, 2}), Tensor(), -0.1); }, {"normal_init", "-0.1"});
  check_error([] { init::uniform_(empty({3}), 1.0, 0.0); }, {"uniform_", "a <= b", "a 1 b 0"});
  check_error([] { init::uniform_(empty({3}), -INFINITY, 0.0); }, {"uniform_", "finite", "-inf"});

  const Tensor ints = from_vector(std::vector<int64_t>{1, 2, 3, 4}, {2, 2});
  check_error([&] { init::uniform_(ints); }, {"uniform_", "float32", "int64 [2, 2]"});
  check_error([&] { init::normal_(ints); }, {"normal_", "int64"});
  check_error([&] { init::constant_(ints, 1.0); }, {"constant_", "int64"});
  check_error([&] { init::zeros_(ints); }, {"zeros_", "int64"});
  check_error([&] { init::ones_(ints); }, {"ones_", "int64"});
  check_error([&] { init::xavier_uniform_(ints); }, {"xavier_uniform_", "int64"});
  check_error([&] { init::kaiming_normal_(ints); }, {"kaiming_normal_", "int64"});
  check_error([&] { init::default_linear_init(ints, Tensor()); }, {"default_linear_init", "int64"});

  // PyTorch divides by zero here.
  check_error([] { init::xavier_uniform_(empty({0, 0})); }, {"xavier_uniform_", "fan_in + fan_out is 0", "[0, 0]"});
  check_error([] { init::xavier_normal_(empty({0, 0, 3})); }, {"xavier_normal_", "fan_in + fan_out is 0"});

  check_error([] { init::uniform_(Tensor()); }, {"uniform_", "undefined"});
  check_error([] { init::ones_(ones({1, 3}).expand({4, 3})); }, {"ones_", "expanded view"});
  check_error([] { init::kaiming_uniform_(ones({1, 3}).expand({4, 3})); }, {"kaiming_uniform_", "expanded view"});

  check_error([] { init::default_linear_init(empty({2, 3, 4}), Tensor()); },
              {"default_linear_init", "2-D weight", "[2, 3, 4]"});
  check_error([] { init::default_conv_init(empty({2, 3}), Tensor()); }, {"default_conv_init", "at least 3 dims", "[2, 3]"});
  check_error([] { init::default_linear_init(empty({4, 3}), empty({3})); },
              {"default_linear_init", "bias float32 [3]", "weight float32 [4, 3]"});
  check_error([] { init::default_conv_init(empty({4, 3, 3, 3}), empty({4, 1})); },
              {"default_conv_init", "1-D bias", "[4, 1]"});
  check_error([] { init::normal_init(empty({4, 3}), empty({5})); }, {"normal_init", "bias"});
}
