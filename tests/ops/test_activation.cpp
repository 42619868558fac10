// Activations: relu, leaky_relu, sigmoid, tanh, gelu, hardswish, softmax, log_softmax.
//
// Each op gets (a) a comparison with a naive double-precision loop over 0-d, odd-sized, strided,
// empty and large (parallel) inputs plus the special values the contract names, (b) gradcheck,
// and (c) its misuse errors.
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "support/helpers.h"
#include "support/reference.h"

using namespace ember;
using namespace ember::test;

namespace {

// softmax / log_softmax along dim, in double, one line at a time.
Tensor ref_softmax(const Tensor& x, int64_t dim, bool log_space) {
  const Shape shape = x.shape();
  std::vector<double> out(static_cast<size_t>(count_of(shape)), 0.0);
  if (x.dim() == 0) {
    out[0] = log_space ? 0.0 : 1.0;
    return from_doubles(out, shape);
  }
  const int64_t d = dim < 0 ? dim + x.dim() : dim;
  Shape outer = shape;
  outer[d] = 1;
  for_each_index(outer, [&](const Index& start) {
    Index j = start;
    double max = -std::numeric_limits<double>::infinity();
    for (j[d] = 0; j[d] < shape[d]; ++j[d]) max = std::max(max, read(x, j));
    if (std::isinf(max) && max < 0) max = 0;
    double total = 0;
    for (j[d] = 0; j[d] < shape[d]; ++j[d]) total += std::exp(read(x, j) - max);
    for (j[d] = 0; j[d] < shape[d]; ++j[d]) {
      const double v = read(x, j) - max;
      out[static_cast<size_t>(flat_index(shape, j))] = log_space ? v - std::log(total) : std::exp(v) / total;
    }
  });
  return from_doubles(out, shape);
}

double ref_sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

double ref_gelu(double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }

double ref_hardswish(double x) { return x <= -3 ? 0.0 : x >= 3 ? x : x * (x + 3) / 6; }

// Inputs for softmax: every dim of each is tried, negative dims too.
std::vector<UnaryCase> softmax_cases() {
  return {
      {"contiguous [2, 3, 4]", random_tensor({2, 3, 4}, 41, -3, 3)},
      {"odd [3, 5, 7]", random_tensor({3, 5, 7}, 42, -3, 3)},
      {"0-d", random_tensor({}, 43, -3, 3)},
      {"[1]", random_tensor({1}, 44, -3, 3)},
      {"[5, 1]", random_tensor({5, 1}, 45, -3, 3)},
      {"transposed [4, 3]^T", random_tensor({4, 3}, 46, -3, 3).t()},
      {"slice with step 2", random_tensor({3, 9}, 47, -3, 3).slice(1, 0, 9, 2)},
      {"expanded [3, 1] -> [3, 4]", random_tensor({3, 1}, 48, -3, 3).expand({3, 4})},
      {"permuted [2, 3, 4]", random_tensor({2, 3, 4}, 49, -3, 3).permute({2, 0, 1})},
      {"wide logits [4, 6] in [-50, 50]", random_tensor({4, 6}, 50, -50, 50)},
      {"large [400, 300]", random_tensor({400, 300}, 51, -5, 5)},
      {"large transposed [300, 400]^T", random_tensor({300, 400}, 52, -5, 5).t()},
  };
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// reference values
// ------------------------------------------------------------------------------------------------

TEST_CASE("relu matches a naive loop") {
  auto ref = [](double x) { return x > 0 ? x : 0.0; };
  check_unary([](const Tensor& t) { return relu(t); }, ref, -2, 2);
  check_unary([](const Tensor& t) { return t.relu(); }, ref, -2, 2);
  check_close(relu(tensor({-kInf, kInf, 0, -0.0f, 1e-30f})), tensor({0, kInf, 0, 0, 1e-30f}), 0, 0);
}

TEST_CASE("leaky_relu matches a naive loop for several slopes") {
  for (float slope : {0.01f, 0.2f, 0.0f, -0.5f, 1.5f}) {
    INFO("slope ", slope);
    const double s = slope;
    check_unary([slope](const Tensor& t) { return leaky_relu(t, slope); },
                [s](double x) { return x > 0 ? x : s * x; }, -2, 2);
  }
  // The default slope is 0.01.
  check_unary([](const Tensor& t) { return leaky_relu(t); },
              [](double x) { return x > 0 ? x : static_cast<double>(0.01f) * x; }, -2, 2);
  check_close(leaky_relu(tensor({-kInf, kInf, 0, -100}), 0.1f), tensor({-kInf, kInf, 0, -10}), 0, 1e-6);
}

TEST_CASE("sigmoid matches a naive loop and stays finite at +-100") {
  check_unary([](const Tensor& t) { return sigmoid(t); }, ref_sigmoid, -8, 8);
  check_unary([](const Tensor& t) { return t.sigmoid(); }, ref_sigmoid, -8, 8);
  const Tensor x = tensor({100, -100, 0, 20, -20, 88, -88, 1000, -1000, kInf, -kInf});
  const Tensor y = sigmoid(x);
  check_close(y, ref_unary(x, ref_sigmoid), 1e-7, 1e-6);
  for (float v : y.to_vector()) {
    CHECK(std::isfinite(v));
    CHECK(v >= 0.0f);
    CHECK(v <= 1.0f);
  }
  CHECK(y.at({0}) == 1.0f);
  CHECK(y.at({1}) < 1e-40f);
  CHECK(y.at({2}) == 0.5f);
  CHECK(std::isnan(sigmoid(tensor({kNaN})).at({0})));
}

TEST_CASE("tanh matches a naive loop and saturates") {
  check_unary([](const Tensor& t) { return ember::tanh(t); }, [](double x) { return std::tanh(x); }, -4, 4);
  check_unary([](const Tensor& t) { return t.tanh(); }, [](double x) { return std::tanh(x); }, -4, 4);
  check_close(ember::tanh(tensor({20, -20, 100, -100, kInf, -kInf, 0, kNaN})), tensor({1, -1, 1, -1, 1, -1, 0, kNaN}),
              0, 0);
}

TEST_CASE("gelu matches a naive loop (the exact erf form)") {
  check_unary([](const Tensor& t) { return gelu(t); }, ref_gelu, -5, 5);
  check_close(gelu(tensor({-10, -20, 20, 0, -1, 1})), ref_unary(tensor({-10, -20, 20, 0, -1, 1}), ref_gelu), 1e-7, 1e-6);
  // -inf gives NaN (-inf * 0), as in PyTorch; far left the output underflows to -0.
  check_close(gelu(tensor({-kInf, kInf, kNaN, -10})), tensor({kNaN, kInf, kNaN, 0}), 0, 0);
}

TEST_CASE("hardswish matches a naive loop: 0 below -3, x above 3, x(x+3)/6 between") {
  check_unary([](const Tensor& t) { return hardswish(t); }, ref_hardswish, -5, 5);
  // -inf gives NaN (-inf * 0), as in PyTorch.
  check_close(hardswish(tensor({-kInf, kInf, -3, 3, -100, 100, 0, kNaN})), tensor({kNaN, kInf, 0, 3, 0, 100, 0, kNaN}),
              0, 0);
}

TEST_CASE("softmax and log_softmax match a naive loop along every dim") {
  for (const auto& c : softmax_cases()) {
    const int64_t nd = std::max<int64_t>(c.x.dim(), 1);
    for (int64_t dim = -nd; dim < nd; ++dim) {
      INFO(c.name, ", dim ", dim);
      check_close(softmax(c.x, dim), ref_softmax(c.x, dim, false), 1e-7, 1e-5);
      check_close(log_softmax(c.x, dim), ref_softmax(c.x, dim, true), 1e-6, 1e-5);
      check_close(c.x.softmax(dim), ref_softmax(c.x, dim, false), 1e-7, 1e-5);
      check_close(c.x.log_softmax(dim), ref_softmax(c.x, dim, true), 1e-6, 1e-5);
    }
  }
}

TEST_CASE("softmax output is contiguous with the input's shape") {
  const Tensor x = random_tensor({4, 3, 5}, 3).permute({2, 0, 1});
  for (int64_t dim = 0; dim < 3; ++dim) {
    const Tensor y = softmax(x, dim), z = log_softmax(x, dim);
    CHECK(y.shape() == x.shape());
    CHECK(z.shape() == x.shape());
    CHECK(y.is_contiguous());
    CHECK(z.is_contiguous());
  }
  CHECK(softmax(zeros({0, 3}), 1).shape() == Shape{0, 3});
  CHECK(log_softmax(zeros({3, 0}), 1).shape() == Shape{3, 0});
}

TEST_CASE("softmax of huge logits stays finite") {
  const Tensor x = tensor({{1e4f, 0, -1e4f}, {1e4f, 1e4f, 1e4f}, {-1e4f, -1e4f - 2, -1e4f}, {3e38f, 0, 1e30f}});
  const Tensor y = softmax(x, 1), z = log_softmax(x, 1);
  for (float v : y.to_vector()) CHECK(std::isfinite(v));
  for (float v : z.to_vector()) CHECK(std::isfinite(v));
  check_close(y, ref_softmax(x, 1, false), 1e-7, 1e-5);
  check_close(z, ref_softmax(x, 1, true), 1e-6, 1e-5);
  check_close(y.select(0, 0), tensor({1, 0, 0}), 1e-7, 0);
  check_close(z.select(0, 0), tensor({0, -1e4f, -2e4f}), 1e-3, 1e-6);
  check_close(y.select(0, 1), full({3}, 1.0f / 3), 1e-7, 1e-6);
  check_close(z.select(0, 1), full({3}, static_cast<float>(-std::log(3.0))), 1e-6, 1e-6);
  // Along dim 0 as well (the strided path).
  const Tensor yt = softmax(x.t().contiguous(), 0);
  for (float v : yt.to_vector()) CHECK(std::isfinite(v));
  check_close(yt, y.t(), 1e-7, 1e-6);
  // Gradients through huge logits stay finite too.
  Tensor leaf = x.detach().clone();
  leaf.requires_grad_();
  mul(softmax(leaf, 1), random_tensor({4, 3}, 9)).sum().backward();
  for (float v : leaf.grad().to_vector()) CHECK(std::isfinite(v));
  Tensor leaf2 = x.detach().clone();
  leaf2.requires_grad_();
  mul(log_softmax(leaf2, 1), random_tensor({4, 3}, 10)).sum().backward();
  for (float v : leaf2.grad().to_vector()) CHECK(std::isfinite(v));
}

TEST_CASE("softmax gives 0 and log_softmax -inf for -inf logits") {
  const Tensor x = tensor({{-kInf, 0, 1}, {-kInf, -kInf, 5}});
  check_close(softmax(x, 1), ref_softmax(x, 1, false), 1e-7, 1e-6);
  check_close(log_softmax(x, 1), ref_softmax(x, 1, true), 1e-6, 1e-6);
  CHECK(softmax(x, 1).at({0, 0}) == 0.0f);
  CHECK(log_softmax(x, 1).at({0, 0}) == -kInf);
  CHECK(softmax(x, 1).at({1, 2}) == 1.0f);
}

TEST_CASE("softmax rows sum to 1 on the parallel path") {
  const Tensor x = random_tensor({1000, 129}, 77, -10, 10);
  const Tensor y = softmax(x, 1);
  for (int64_t r = 0; r < 1000; r += 37) {
    double total = 0;
    for (int64_t c = 0; c < 129; ++c) total += read(y, {r, c});
    CHECK(total == doctest::Approx(1.0).epsilon(1e-5));
  }
}

// ------------------------------------------------------------------------------------------------
// gradients
// ------------------------------------------------------------------------------------------------

TEST_CASE("gradcheck: relu and leaky_relu away from the kink") {
  const std::vector<Tensor> inputs = {signed_away_from_zero({2, 3, 4}, 1, 0.05f, 2.0f),
                                      signed_away_from_zero({}, 2, 0.05f, 2.0f),
                                      signed_away_from_zero({9}, 3, 0.05f, 2.0f)};
  gradcheck_unary([](const Tensor& t) { return relu(t); }, inputs);
  for (float slope : {0.01f, 0.2f, -0.5f, 1.5f}) {
    INFO("slope ", slope);
    gradcheck_unary([slope](const Tensor& t) { return leaky_relu(t, slope); }, inputs);
  }
  const Tensor x =
      from_vector(signed_away_from_zero({4, 6}, 4, 0.05f, 2.0f).to_vector(), {4, 6}).requires_grad_();
  check_gradcheck([](const TensorList& v) { return relu(v[0].t()); }, {x});
  check_gradcheck([](const TensorList& v) { return leaky_relu(v[0].slice(1, 1, 6, 2), 0.3f); }, {x});
}

TEST_CASE("relu has gradient 0 at 0; leaky_relu has the slope there") {
  Tensor x = tensor({-1, 0, 2});
  x.requires_grad_();
  relu(x).sum().backward();
  check_close(x.grad(), tensor({0, 0, 1}), 0, 0);
  Tensor y = tensor({-1, 0, 2});
  y.requires_grad_();
  leaky_relu(y, 0.25f).sum().backward();
  check_close(y.grad(), tensor({0.25f, 0.25f, 1}), 0, 0);
}

TEST_CASE("gradcheck: sigmoid and tanh") {
  const std::vector<Tensor> inputs = {random_tensor({2, 3, 4}, 5, -4, 4), random_tensor({}, 6, -4, 4),
                                      random_tensor({7}, 7, -4, 4), tensor({10, -10, 30, -30})};
  gradcheck_unary([](const Tensor& t) { return sigmoid(t); }, inputs);
  gradcheck_unary([](const Tensor& t) { return ember::tanh(t); }, inputs);
  const Tensor x = random_leaf({4, 6}, 8, -3, 3);
  check_gradcheck([](const TensorList& v) { return sigmoid(v[0].t()); }, {x});
  check_gradcheck([](const TensorList& v) { return ember::tanh(v[0].slice(0, 0, 4, 3)); }, {x});
}

TEST_CASE("gradcheck: gelu, and its derivative Phi(x) + x phi(x) against the formula") {
  const std::vector<Tensor> inputs = {random_tensor({2, 3, 4}, 20, -4, 4), random_tensor({}, 21, -4, 4),
                                      random_tensor({7}, 22, -4, 4), tensor({6, -6, 10, -10, 0})};
  gradcheck_unary([](const Tensor& t) { return gelu(t); }, inputs);
  const Tensor x = random_leaf({4, 6}, 23, -3, 3);
  check_gradcheck([](const TensorList& v) { return gelu(v[0].t()); }, {x});
  check_gradcheck([](const TensorList& v) { return gelu(v[0].slice(1, 0, 6, 2)); }, {x});
  Tensor y = tensor({-3, -1, 0, 0.5f, 2, 8});
  y.requires_grad_();
  gelu(y).sum().backward();
  const double pi = 3.14159265358979323846;
  check_close(y.grad(), ref_unary(y.detach(), [pi](double v) {
                return 0.5 * (1 + std::erf(v / std::sqrt(2.0))) + v * std::exp(-v * v / 2) / std::sqrt(2 * pi);
              }),
              1e-7, 1e-6);
}

TEST_CASE("gradcheck: hardswish on each piece, away from the kinks at -3 and 3") {
  const std::vector<Tensor> inputs = {signed_away_from_zero({2, 3, 4}, 16, 0.0f, 2.95f),  // x(x+3)/6
                                      signed_away_from_zero({9}, 17, 3.05f, 6.0f),        // 0 and x
                                      random_tensor({}, 18, -2.9f, 2.9f)};
  gradcheck_unary([](const Tensor& t) { return hardswish(t); }, inputs);
  const Tensor x = from_vector(signed_away_from_zero({4, 6}, 19, 0.05f, 2.9f).to_vector(), {4, 6}).requires_grad_();
  check_gradcheck([](const TensorList& v) { return hardswish(v[0].t()); }, {x});
}

TEST_CASE("hardswish's gradient at the kinks: -0.5 at -3 and 1.5 at 3, as PyTorch's scalar path") {
  // gradcheck skips kinks, so the values there are checked here. PyTorch 1.13's hardswish_backward
  // takes the middle piece's derivative (2x + 3) / 6 on [-3, 3] in its scalar loop:
  //   x = torch.tensor([-3., 3., -3.5, 0., 2.9], requires_grad=True)
  //   F.hardswish(x).sum().backward(); x.grad -> [-0.5000, 1.5000, 0.0000, 0.5000, 1.4667]
  // but its vectorized loop tests x >= 3 first and gives 1 at 3: torch.full((20,), 3.) gets 1 for
  // the first 16 elements and 1.5 for the last 4. At -3 both loops give -0.5.
  // The composed op needs no special case: clamp passes the gradient at its bounds (as PyTorch's
  // clamp does), so d/dx [x * clamp(x + 3, 0, 6) / 6] = (clamp(x + 3, 0, 6) + x) / 6 at both kinks:
  // -0.5 and 1.5 everywhere. It differs from PyTorch only for inputs exactly at 3 that PyTorch
  // happens to run vectorized, where both are valid subgradients; training does not care.
  Tensor x = tensor({-3, 3, -3.5f, 0, 2.9f});
  x.requires_grad_();
  hardswish(x).sum().backward();
  check_close(x.grad(), tensor({-0.5f, 1.5f, 0, 0.5f, (2 * 2.9f + 3) / 6}), 1e-7, 1e-6);
}

TEST_CASE("sigmoid gradient stays finite at +-100") {
  Tensor x = tensor({100, -100, 1000, -1000});
  x.requires_grad_();
  sigmoid(x).sum().backward();
  for (float v : x.grad().to_vector()) {
    CHECK(std::isfinite(v));
    CHECK(v >= 0.0f);
    CHECK(v < 1e-40f);
  }
}

TEST_CASE("gradcheck: softmax and log_softmax along every dim") {
  const std::vector<Tensor> inputs = {random_tensor({2, 3, 4}, 9, -2, 2), random_tensor({3, 5}, 10, -2, 2),
                                      random_tensor({}, 11, -2, 2), random_tensor({6}, 12, -2, 2),
                                      random_tensor({4, 1}, 13, -2, 2)};
  for (const Tensor& t : inputs) {
    const int64_t nd = std::max<int64_t>(t.dim(), 1);
    for (int64_t dim = -nd; dim < nd; ++dim) {
      INFO(t.describe(), ", dim ", dim);
      gradcheck_unary([dim](const Tensor& v) { return softmax(v, dim); }, {t});
      gradcheck_unary([dim](const Tensor& v) { return log_softmax(v, dim); }, {t});
    }
  }
  // Non-contiguous inputs inside the function.
  const Tensor x = random_leaf({4, 5}, 14, -2, 2);
  check_gradcheck([](const TensorList& v) { return softmax(v[0].t(), 1); }, {x});
  check_gradcheck([](const TensorList& v) { return log_softmax(v[0].t(), 0); }, {x});
  check_gradcheck([](const TensorList& v) { return softmax(v[0].slice(1, 0, 5, 2), 0); }, {x});
  check_gradcheck([](const TensorList& v) { return log_softmax(v[0].slice(1, 0, 5, 2), -1); }, {x});
  // Large logits.
  check_gradcheck([](const TensorList& v) { return log_softmax(v[0], 1); }, {random_leaf({3, 4}, 15, -30, 30)});
}

// ------------------------------------------------------------------------------------------------
// misuse
// ------------------------------------------------------------------------------------------------

TEST_CASE("activations reject int64 and undefined inputs, naming the op") {
  const std::vector<std::pair<std::string, UnaryOp>> ops = {
      {"relu", [](const Tensor& t) { return relu(t); }},
      {"leaky_relu", [](const Tensor& t) { return leaky_relu(t, 0.1f); }},
      {"sigmoid", [](const Tensor& t) { return sigmoid(t); }},
      {"tanh", [](const Tensor& t) { return ember::tanh(t); }},
      {"gelu", [](const Tensor& t) { return gelu(t); }},
      {"hardswish", [](const Tensor& t) { return hardswish(t); }},
      {"softmax", [](const Tensor& t) { return softmax(t, 0); }},
      {"log_softmax", [](const Tensor& t) { return log_softmax(t, 0); }},
  };
  for (const auto& [name, op] : ops) {
    INFO(name);
    check_error([&] { (void)op(i64()); }, {name + ":", "float32", "int64 [3]"});
    check_error([&] { (void)op(Tensor()); }, {name + ":", "undefined"});
  }
}

TEST_CASE("leaky_relu rejects a non-finite slope, naming the value") {
  const Tensor x = tensor({1, -1});
  check_error([&] { (void)leaky_relu(x, kInf); }, {"leaky_relu:", "negative_slope", "inf"});
  check_error([&] { (void)leaky_relu(x, -kInf); }, {"leaky_relu:", "negative_slope", "-inf"});
  check_error([&] { (void)leaky_relu(x, kNaN); }, {"leaky_relu:", "negative_slope", "nan"});
}

TEST_CASE("softmax and log_softmax reject dims out of range, naming the dim and the rank") {
  const Tensor x = zeros({2, 3, 4});
  for (const std::string name : {"softmax", "log_softmax"}) {
    INFO(name);
    auto op = [&](const Tensor& t, int64_t dim) { return name == "softmax" ? softmax(t, dim) : log_softmax(t, dim); };
    check_error([&] { (void)op(x, 3); }, {name + ":", "dim 3", "3 dimensions"});
    check_error([&] { (void)op(x, -4); }, {name + ":", "dim -4", "3 dimensions"});
    check_error([&] { (void)op(zeros({5}), 1); }, {name + ":", "dim 1", "1 dimensions"});
    check_error([&] { (void)op(scalar_tensor(1), 1); }, {name + ":", "dim 1", "0 dimensions"});
    check_error([&] { (void)op(scalar_tensor(1), -2); }, {name + ":", "dim -2", "0 dimensions"});
    check_error([&] { (void)op(zeros({4, 3}).t(), 2); }, {name + ":", "dim 2", "2 dimensions"});
  }
  check_error([&] { (void)x.softmax(7); }, {"softmax:", "dim 7"});
  check_error([&] { (void)x.log_softmax(-9); }, {"log_softmax:", "dim -9"});
}

TEST_CASE("methods forward to the free functions") {
  const Tensor x = random_tensor({3, 4}, 5, -2, 2);
  check_bitwise_equal(x.relu(), relu(x));
  check_bitwise_equal(x.sigmoid(), sigmoid(x));
  check_bitwise_equal(x.tanh(), ember::tanh(x));
  check_bitwise_equal(x.softmax(0), softmax(x, 0));
  check_bitwise_equal(x.log_softmax(-1), log_softmax(x, -1));
}

TEST_CASE("relu keeps NaN, as PyTorch does") {
  const Tensor out = relu(tensor({NAN, -1.0f, 2.0f}));
  CHECK(std::isnan(out.at({0})));
  CHECK(out.at({1}) == 0.0f);
  CHECK(out.at({2}) == 2.0f);
}
