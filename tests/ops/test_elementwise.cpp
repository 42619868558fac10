// Elementwise ops: add, sub, mul, div (tensor-tensor, tensor-scalar, scalar-tensor, operators),
// neg, exp, log, pow, sqrt, abs, clamp.
//
// Each op gets (a) a comparison with a naive double-precision loop over broadcast, strided,
// odd-sized, 0-d, empty and large (parallel) inputs, (b) gradcheck, including broadcast inputs,
// and (c) its misuse errors.
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "support/helpers.h"
#include "support/reference.h"

using namespace ember;
using namespace ember::test;

namespace {

// The element of t that position out_idx of a broadcast result reads (NumPy rules).
double read_broadcast(const Tensor& t, const Index& out_idx) {
  const size_t nd = static_cast<size_t>(t.dim());
  const size_t lead = out_idx.size() - nd;
  Index idx(nd);
  for (size_t d = 0; d < nd; ++d) idx[d] = t.shape()[d] == 1 ? 0 : out_idx[lead + d];
  return read(t, idx);
}

Shape naive_broadcast(const Shape& a, const Shape& b) {
  const size_t nd = std::max(a.size(), b.size());
  Shape out(nd);
  for (size_t i = 0; i < nd; ++i) {
    const int64_t sa = i < a.size() ? a[a.size() - 1 - i] : 1;
    const int64_t sb = i < b.size() ? b[b.size() - 1 - i] : 1;
    REQUIRE((sa == sb || sa == 1 || sb == 1));
    out[nd - 1 - i] = sa == 1 ? sb : sa;
  }
  return out;
}

Tensor ref_binary(const Tensor& a, const Tensor& b, const std::function<double(double, double)>& f) {
  const Shape shape = naive_broadcast(a.shape(), b.shape());
  std::vector<double> out;
  for_each_index(shape, [&](const Index& i) { out.push_back(f(read_broadcast(a, i), read_broadcast(b, i))); });
  return from_doubles(out, shape);
}

struct BinaryCase {
  std::string name;
  Tensor a, b;
};

// Pairs of inputs: same shape, every broadcasting pattern, 0-d, strided views, empty, large.
std::vector<BinaryCase> binary_cases(float lo_a, float hi_a, float lo_b, float hi_b) {
  auto ra = [&](const Shape& s, uint64_t seed) { return random_tensor(s, seed, lo_a, hi_a); };
  auto rb = [&](const Shape& s, uint64_t seed) { return random_tensor(s, seed, lo_b, hi_b); };
  return {
      {"same shape [2, 3, 4]", ra({2, 3, 4}, 31), rb({2, 3, 4}, 32)},
      {"[2, 3, 4] with [3, 1]", ra({2, 3, 4}, 33), rb({3, 1}, 34)},
      {"[2, 3, 4] with [4]", ra({2, 3, 4}, 35), rb({4}, 36)},
      {"[3, 1] with [2, 3, 4]", ra({3, 1}, 37), rb({2, 3, 4}, 38)},
      {"[2, 3, 4] with 0-d", ra({2, 3, 4}, 39), rb({}, 40)},
      {"0-d with [2, 3, 4]", ra({}, 41), rb({2, 3, 4}, 42)},
      {"0-d with 0-d", ra({}, 43), rb({}, 44)},
      {"[5, 1] with [1, 7]", ra({5, 1}, 45), rb({1, 7}, 46)},
      {"[1] with [3]", ra({1}, 47), rb({3}, 48)},
      {"[2, 1, 3] with [5, 1]", ra({2, 1, 3}, 49), rb({5, 1}, 50)},
      {"transposed with contiguous", ra({4, 3}, 51).t(), rb({3, 4}, 52)},
      {"slice with step and [7, 1]", ra({2, 7, 9}, 53).slice(2, 0, 9, 2), rb({7, 1}, 54)},
      {"expanded with contiguous", ra({3, 1}, 55).expand({3, 5}), rb({3, 5}, 56)},
      {"permuted with transposed", ra({4, 2, 3}, 57).permute({1, 2, 0}), rb({4, 3}, 58).t()},
      {"empty [0, 3] with [3]", ra({0, 3}, 59), rb({3}, 60)},
      {"large [331, 317] with [317]", ra({331, 317}, 61), rb({317}, 62)},
      {"large [331, 317] with 0-d", ra({331, 317}, 67), rb({}, 68)},
      {"[331, 1] with large [331, 317]", ra({331, 1}, 69), rb({331, 317}, 70)},
      {"large transposed with [331, 1]", ra({317, 331}, 63).t(), rb({331, 1}, 64)},
      {"large strided with large transposed", ra({331, 634}, 65).slice(1, 0, 634, 2), rb({317, 331}, 66).t()},
  };
}

using BinaryOp = std::function<Tensor(const Tensor&, const Tensor&)>;
void check_binary(const BinaryOp& op, const std::function<double(double, double)>& ref, float lo_a, float hi_a,
                  float lo_b, float hi_b, double atol = 1e-6, double rtol = 1e-6) {
  for (const auto& c : binary_cases(lo_a, hi_a, lo_b, hi_b)) {
    INFO(c.name);
    check_close(op(c.a, c.b), ref_binary(c.a, c.b, ref), atol, rtol);
  }
}

// Broadcast shape pairs for gradchecks: every un-broadcasting pattern.
const std::vector<std::pair<Shape, Shape>> kGradShapes = {
    {{2, 3, 4}, {2, 3, 4}}, {{2, 3, 4}, {3, 1}}, {{2, 3, 4}, {4}}, {{3, 1}, {2, 3, 4}},
    {{2, 3, 4}, {}},        {{}, {2, 3, 4}},     {{5, 1}, {1, 7}}, {{}, {}},
};

void gradcheck_binary(const BinaryOp& op, float lo_b, float hi_b) {
  uint64_t seed = 100;
  for (const auto& [sa, sb] : kGradShapes) {
    INFO(shape_str(sa), " with ", shape_str(sb));
    const Tensor a = random_leaf(sa, seed++), b = random_leaf(sb, seed++, lo_b, hi_b);
    check_gradcheck([&](const TensorList& x) { return op(x[0], x[1]); }, {a, b});
    // Only one side requires grad: the other gradient is neither computed nor needed.
    check_gradcheck([&](const TensorList& x) { return op(x[0], x[1]); }, {a, random_tensor(sb, seed++, lo_b, hi_b)});
    check_gradcheck([&](const TensorList& x) { return op(x[0], x[1]); }, {random_tensor(sa, seed++), b});
  }
  // Non-contiguous operands inside the function.
  check_gradcheck([&](const TensorList& x) { return op(x[0].t(), x[1]); },
                  {random_leaf({4, 3}, seed++), random_leaf({3, 4}, seed++, lo_b, hi_b)});
  check_gradcheck([&](const TensorList& x) { return op(x[0], x[1].expand({3, 5})); },
                  {random_leaf({3, 5}, seed++), random_leaf({3, 1}, seed++, lo_b, hi_b)});
  // The same tensor on both sides: the two gradients accumulate.
  check_gradcheck([&](const TensorList& x) { return op(x[0], x[0]); }, {random_leaf({3, 4}, seed++, lo_b, hi_b)});
}

// Values in [-1.5, 1.5) moved at least `margin` away from each point in `kinks`.
Tensor away_from(const Shape& shape, uint64_t seed, const std::vector<float>& kinks, float margin = 0.05f) {
  auto v = random_tensor(shape, seed, -1.5f, 1.5f).to_vector();
  for (float& x : v) {
    for (float k : kinks) {
      if (std::abs(x - k) < margin) x = k + (x < k ? -2 * margin : 2 * margin);
    }
  }
  return from_vector(v, shape);
}

Tensor f32() { return tensor({1, 2, 3}); }

}  // namespace

// ------------------------------------------------------------------------------------------------
// binary ops, tensor-tensor
// ------------------------------------------------------------------------------------------------

TEST_CASE("add matches a naive loop with broadcasting and strided inputs") {
  check_binary([](const Tensor& a, const Tensor& b) { return add(a, b); }, [](double a, double b) { return a + b; },
               -2, 2, -2, 2);
  check_binary([](const Tensor& a, const Tensor& b) { return a + b; }, [](double a, double b) { return a + b; }, -2, 2,
               -2, 2);
}

TEST_CASE("sub matches a naive loop with broadcasting and strided inputs") {
  check_binary([](const Tensor& a, const Tensor& b) { return sub(a, b); }, [](double a, double b) { return a - b; },
               -2, 2, -2, 2);
  check_binary([](const Tensor& a, const Tensor& b) { return a - b; }, [](double a, double b) { return a - b; }, -2, 2,
               -2, 2);
}

TEST_CASE("mul matches a naive loop with broadcasting and strided inputs") {
  check_binary([](const Tensor& a, const Tensor& b) { return mul(a, b); }, [](double a, double b) { return a * b; },
               -2, 2, -2, 2);
  check_binary([](const Tensor& a, const Tensor& b) { return a * b; }, [](double a, double b) { return a * b; }, -2, 2,
               -2, 2);
}

TEST_CASE("div matches a naive loop with broadcasting and strided inputs") {
  check_binary([](const Tensor& a, const Tensor& b) { return div(a, b); }, [](double a, double b) { return a / b; },
               -2, 2, 0.5f, 2);
  check_binary([](const Tensor& a, const Tensor& b) { return a / b; }, [](double a, double b) { return a / b; }, -2, 2,
               -2, -0.5f);
}

TEST_CASE("binary ops follow IEEE for special values") {
  const Tensor a = tensor({1, -1, 0, kInf, kNaN, kInf});
  const Tensor b = tensor({0, 0, 0, kInf, 1, -kInf});
  check_close(div(a, b), tensor({kInf, -kInf, kNaN, kNaN, kNaN, kNaN}));
  check_close(add(a, b), tensor({1, -1, 0, kInf, kNaN, kNaN}));
  check_close(sub(a, b), tensor({1, -1, 0, kNaN, kNaN, kInf}));
  check_close(mul(a, b), tensor({0, -0.0f, 0, kInf, kNaN, -kInf}));
  // Division by a scalar zero, both forms.
  check_close(div(tensor({2, -2, 0}), 0.0f), tensor({kInf, -kInf, kNaN}));
  check_close(div(1.0f, tensor({0, -0.0f, 4})), tensor({kInf, -kInf, 0.25f}));
}

TEST_CASE("binary ops give the broadcast shape") {
  CHECK(add(zeros({2, 3, 4}), zeros({3, 1})).shape() == Shape{2, 3, 4});
  CHECK(mul(zeros({3, 1}), zeros({1, 5})).shape() == Shape{3, 5});
  CHECK(sub(scalar_tensor(1), scalar_tensor(2)).dim() == 0);
  CHECK(div(zeros({}), zeros({0, 2})).shape() == Shape{0, 2});
  CHECK(add(zeros({1}), zeros({})).shape() == Shape{1});
  CHECK(add(zeros({0}), zeros({1})).shape() == Shape{0});
}

// ------------------------------------------------------------------------------------------------
// binary ops with a float on one side
// ------------------------------------------------------------------------------------------------

TEST_CASE("tensor-scalar and scalar-tensor forms match a naive loop") {
  struct ScalarOp {
    const char* name;
    UnaryOp op;
    std::function<double(double)> ref;
    float lo, hi;  // input range (kept away from 0 where the op divides by the tensor)
  };
  const std::vector<ScalarOp> ops = {
      {"add(t, 2.5)", [](const Tensor& t) { return add(t, 2.5f); }, [](double x) { return x + 2.5; }, -2, 2},
      {"t + 2.5", [](const Tensor& t) { return t + 2.5f; }, [](double x) { return x + 2.5; }, -2, 2},
      {"2.5 + t", [](const Tensor& t) { return 2.5f + t; }, [](double x) { return 2.5 + x; }, -2, 2},
      {"sub(t, 1.25)", [](const Tensor& t) { return sub(t, 1.25f); }, [](double x) { return x - 1.25; }, -2, 2},
      {"t - 1.25", [](const Tensor& t) { return t - 1.25f; }, [](double x) { return x - 1.25; }, -2, 2},
      {"sub(1.25, t)", [](const Tensor& t) { return sub(1.25f, t); }, [](double x) { return 1.25 - x; }, -2, 2},
      {"1.25 - t", [](const Tensor& t) { return 1.25f - t; }, [](double x) { return 1.25 - x; }, -2, 2},
      {"mul(t, -1.5)", [](const Tensor& t) { return mul(t, -1.5f); }, [](double x) { return x * -1.5; }, -2, 2},
      {"t * -1.5", [](const Tensor& t) { return t * -1.5f; }, [](double x) { return x * -1.5; }, -2, 2},
      {"-1.5 * t", [](const Tensor& t) { return -1.5f * t; }, [](double x) { return -1.5 * x; }, -2, 2},
      {"div(t, 4)", [](const Tensor& t) { return div(t, 4.0f); }, [](double x) { return x / 4.0; }, -2, 2},
      {"t / 3", [](const Tensor& t) { return t / 3.0f; }, [](double x) { return x / 3.0; }, -2, 2},
      {"div(2, t)", [](const Tensor& t) { return div(2.0f, t); }, [](double x) { return 2.0 / x; }, 0.5f, 2},
      {"2 / t", [](const Tensor& t) { return 2.0f / t; }, [](double x) { return 2.0 / x; }, -2, -0.5f},
  };
  for (const auto& op : ops) {
    INFO(op.name);
    check_unary(op.op, op.ref, op.lo, op.hi);
  }
}

TEST_CASE("tensor-scalar forms agree with the tensor-tensor forms on a 0-d tensor") {
  const Tensor a = random_tensor({3, 5}, 7, 0.5f, 2.0f);
  const Tensor s = scalar_tensor(1.75f);
  ember::test::check_bitwise_equal(add(a, 1.75f), add(a, s));
  ember::test::check_bitwise_equal(sub(a, 1.75f), sub(a, s));
  ember::test::check_bitwise_equal(sub(1.75f, a), sub(s, a));
  ember::test::check_bitwise_equal(mul(a, 1.75f), mul(a, s));
  ember::test::check_bitwise_equal(div(1.75f, a), div(s, a));
  // div(t, float) may compute t * (1/b); it must stay within rounding of t / b.
  check_close(div(a, 1.75f), div(a, s), 0, 1e-7);
}

// ------------------------------------------------------------------------------------------------
// unary ops
// ------------------------------------------------------------------------------------------------

TEST_CASE("neg and unary minus match a naive loop") {
  check_unary([](const Tensor& t) { return neg(t); }, [](double x) { return -x; }, -2, 2);
  check_unary([](const Tensor& t) { return -t; }, [](double x) { return -x; }, -2, 2);
  check_unary([](const Tensor& t) { return t.neg(); }, [](double x) { return -x; }, -2, 2);
  check_close(neg(tensor({0, kInf, kNaN})), tensor({-0.0f, -kInf, kNaN}));
}

TEST_CASE("exp matches a naive loop") {
  check_unary([](const Tensor& t) { return exp(t); }, [](double x) { return std::exp(x); }, -5, 5);
  check_unary([](const Tensor& t) { return t.exp(); }, [](double x) { return std::exp(x); }, -5, 5);
  // Overflow to inf and underflow to 0, never NaN.
  check_close(exp(tensor({-kInf, 0, 100, -200, kInf, kNaN})), tensor({0, 1, kInf, 0, kInf, kNaN}));
}

TEST_CASE("log matches a naive loop; log(0) = -inf") {
  check_unary([](const Tensor& t) { return log(t); }, [](double x) { return std::log(x); }, 0.01f, 10);
  check_unary([](const Tensor& t) { return t.log(); }, [](double x) { return std::log(x); }, 0.01f, 10);
  const Tensor special = log(tensor({0, -0.0f, 1, kInf, -1, kNaN}));
  check_close(special, tensor({-kInf, -kInf, 0, kInf, kNaN, kNaN}));
  CHECK(std::isinf(special.at({0})));
  CHECK(special.at({0}) < 0);
}

TEST_CASE("pow matches a naive loop for integer, fractional, negative and zero exponents") {
  for (float p : {2.0f, 3.0f, 1.0f, -1.0f, -2.0f, 0.0f}) {
    INFO("exponent ", p);
    check_unary([p](const Tensor& t) { return pow(t, p); }, [p](double x) { return std::pow(x, static_cast<double>(p)); },
                -2, 2, 1e-6, 2e-6);
  }
  for (float p : {0.5f, 1.5f, -0.5f, 2.5f}) {
    INFO("exponent ", p);
    check_unary([p](const Tensor& t) { return t.pow(p); }, [p](double x) { return std::pow(x, static_cast<double>(p)); },
                0.1f, 3, 1e-6, 2e-6);
  }
  // x^0 = 1 everywhere (including 0 and inf); 0^-1 = inf; negative base, fractional power = NaN.
  check_close(pow(tensor({0, -3, kInf}), 0.0f), tensor({1, 1, 1}));
  check_close(pow(tensor({0, -0.0f}), -1.0f), tensor({kInf, -kInf}));
  check_close(pow(tensor({-4}), 0.5f), tensor({kNaN}));
}

TEST_CASE("sqrt matches a naive loop") {
  check_unary([](const Tensor& t) { return sqrt(t); }, [](double x) { return std::sqrt(x); }, 0, 10);
  check_unary([](const Tensor& t) { return t.sqrt(); }, [](double x) { return std::sqrt(x); }, 0, 10);
  check_close(sqrt(tensor({0, kInf, -1, kNaN})), tensor({0, kInf, kNaN, kNaN}));
}

TEST_CASE("abs matches a naive loop") {
  check_unary([](const Tensor& t) { return abs(t); }, [](double x) { return std::abs(x); }, -3, 3);
  check_unary([](const Tensor& t) { return t.abs(); }, [](double x) { return std::abs(x); }, -3, 3);
  check_close(abs(tensor({-kInf, -0.0f, kNaN})), tensor({kInf, 0, kNaN}));
}

TEST_CASE("clamp matches a naive loop with both, only min and only max bounds") {
  auto ref = [](double lo, double hi) {
    return [lo, hi](double x) { return x < lo ? lo : (x > hi ? hi : x); };
  };
  check_unary([](const Tensor& t) { return clamp(t, -0.5f, 0.25f); }, ref(-0.5, 0.25), -1, 1);
  check_unary([](const Tensor& t) { return clamp(t, -0.5f, std::nullopt); }, ref(-0.5, kInf), -1, 1);
  check_unary([](const Tensor& t) { return clamp(t, std::nullopt, 0.25f); }, ref(-kInf, 0.25), -1, 1);
  check_unary([](const Tensor& t) { return t.clamp(0.3f, 0.3f); }, ref(0.3, 0.3), -1, 1);
}

TEST_CASE("clamp keeps NaN and handles infinite inputs") {
  const Tensor x = tensor({kNaN, -kInf, kInf, 0.1f});
  check_close(clamp(x, -1.0f, 1.0f), tensor({kNaN, -1, 1, 0.1f}));
  check_close(clamp(x, -1.0f, std::nullopt), tensor({kNaN, -1, kInf, 0.1f}));
  check_close(clamp(x, std::nullopt, 1.0f), tensor({kNaN, -kInf, 1, 0.1f}));
  CHECK(std::isnan(clamp(x, -1.0f, 1.0f).at({0})));
}

TEST_CASE("methods forward to the free functions") {
  const Tensor x = random_tensor({3, 4}, 5, 0.5f, 2.0f);
  ember::test::check_bitwise_equal(x.exp(), exp(x));
  ember::test::check_bitwise_equal(x.log(), log(x));
  ember::test::check_bitwise_equal(x.pow(1.5f), pow(x, 1.5f));
  ember::test::check_bitwise_equal(x.sqrt(), sqrt(x));
  ember::test::check_bitwise_equal(x.abs(), abs(x));
  ember::test::check_bitwise_equal(x.neg(), neg(x));
  ember::test::check_bitwise_equal(x.clamp(0.7f, 1.2f), clamp(x, 0.7f, 1.2f));
}

// ------------------------------------------------------------------------------------------------
// gradients
// ------------------------------------------------------------------------------------------------

TEST_CASE("gradcheck: add, sub, mul, div with broadcasting") {
  SUBCASE("add") { gradcheck_binary([](const Tensor& a, const Tensor& b) { return add(a, b); }, -1, 1); }
  SUBCASE("sub") { gradcheck_binary([](const Tensor& a, const Tensor& b) { return sub(a, b); }, -1, 1); }
  SUBCASE("mul") { gradcheck_binary([](const Tensor& a, const Tensor& b) { return mul(a, b); }, -1, 1); }
  SUBCASE("div") { gradcheck_binary([](const Tensor& a, const Tensor& b) { return div(a, b); }, 0.5f, 2); }
  SUBCASE("operators") {
    gradcheck_binary([](const Tensor& a, const Tensor& b) { return (a + b) * (a - b) / (b * b + 1.0f); }, -1, 1);
  }
}

TEST_CASE("gradcheck: tensor-scalar and scalar-tensor forms") {
  const std::vector<Tensor> any = {random_tensor({2, 3, 4}, 1), random_tensor({}, 2), random_tensor({5}, 3)};
  const std::vector<Tensor> positive = {random_tensor({2, 3, 4}, 4, 0.5f, 2), random_tensor({}, 5, 0.5f, 2)};
  gradcheck_unary([](const Tensor& t) { return add(t, 2.5f); }, any);
  gradcheck_unary([](const Tensor& t) { return 2.5f + t; }, any);
  gradcheck_unary([](const Tensor& t) { return sub(t, 1.5f); }, any);
  gradcheck_unary([](const Tensor& t) { return sub(1.5f, t); }, any);
  gradcheck_unary([](const Tensor& t) { return 1.5f - t; }, any);
  gradcheck_unary([](const Tensor& t) { return mul(t, -3.0f); }, any);
  gradcheck_unary([](const Tensor& t) { return -3.0f * t; }, any);
  gradcheck_unary([](const Tensor& t) { return div(t, 4.0f); }, any);
  gradcheck_unary([](const Tensor& t) { return div(2.0f, t); }, positive);
  gradcheck_unary([](const Tensor& t) { return -2.0f / t; }, positive);
  gradcheck_unary([](const Tensor& t) { return -t; }, any);
}

TEST_CASE("gradcheck: unary ops") {
  const std::vector<Tensor> any = {random_tensor({2, 3, 4}, 1, -2, 2), random_tensor({}, 2, -2, 2),
                                   random_tensor({7}, 3, -2, 2)};
  const std::vector<Tensor> positive = {random_tensor({2, 3, 4}, 4, 0.5f, 2), random_tensor({}, 5, 0.5f, 2),
                                        random_tensor({7}, 6, 0.5f, 2)};
  gradcheck_unary([](const Tensor& t) { return neg(t); }, any);
  gradcheck_unary([](const Tensor& t) { return exp(t); }, any);
  gradcheck_unary([](const Tensor& t) { return log(t); }, positive);
  for (float p : {2.0f, 3.0f, 1.0f, 0.0f}) {
    INFO("exponent ", p);
    gradcheck_unary([p](const Tensor& t) { return pow(t, p); }, any);
  }
  for (float p : {0.5f, 1.5f, -1.0f, -0.5f, 2.5f}) {
    INFO("exponent ", p);
    gradcheck_unary([p](const Tensor& t) { return pow(t, p); }, positive);
  }
  for (float p : {-1.0f, -2.0f, 3.0f}) {
    INFO("exponent ", p, " on negative values");
    gradcheck_unary([p](const Tensor& t) { return pow(t, p); },
                    {random_tensor({2, 3, 4}, 14, -2, -0.5f), random_tensor({}, 15, -2, -0.5f)});
  }
  gradcheck_unary([](const Tensor& t) { return sqrt(t); }, positive);
  gradcheck_unary([](const Tensor& t) { return abs(t); },
                  {signed_away_from_zero({2, 3, 4}, 7, 0.2f, 1.0f), signed_away_from_zero({}, 8, 0.2f, 1.0f),
                   signed_away_from_zero({9}, 9, 0.2f, 1.0f)});
  gradcheck_unary([](const Tensor& t) { return clamp(t, -0.5f, 0.25f); },
                  {away_from({2, 3, 4}, 10, {-0.5f, 0.25f}), away_from({11}, 11, {-0.5f, 0.25f})});
  gradcheck_unary([](const Tensor& t) { return clamp(t, -0.5f, std::nullopt); },
                  {away_from({2, 3, 4}, 12, {-0.5f})});
  gradcheck_unary([](const Tensor& t) { return clamp(t, std::nullopt, 0.25f); },
                  {away_from({2, 3, 4}, 13, {0.25f})});
}

TEST_CASE("gradcheck: unary ops on non-contiguous views") {
  const Tensor x = random_leaf({4, 6}, 21, 0.5f, 2.0f);
  check_gradcheck([](const TensorList& v) { return exp(v[0].t()); }, {x});
  check_gradcheck([](const TensorList& v) { return log(v[0].slice(1, 1, 6, 2)); }, {x});
  check_gradcheck([](const TensorList& v) { return pow(v[0].t(), 1.5f); }, {x});
  check_gradcheck([](const TensorList& v) { return sqrt(v[0].slice(0, 0, 4, 3)); }, {x});
  check_gradcheck([](const TensorList& v) { return clamp(v[0].t(), std::nullopt, 10.0f); }, {x});
  check_gradcheck([](const TensorList& v) { return v[0].abs().neg(); }, {x});
  const Tensor col = random_leaf({4, 1}, 22, 0.5f, 2.0f);
  check_gradcheck([](const TensorList& v) { return log(v[0].expand({4, 5})); }, {col});
}

TEST_CASE("gradients at the documented kinks") {
  SUBCASE("abs has gradient sign(x), 0 at 0") {
    Tensor x = tensor({-2, 0, 3, -0.0f});
    x.requires_grad_();
    abs(x).sum().backward();
    check_close(x.grad(), tensor({-1, 0, 1, 0}), 0, 0);
  }
  SUBCASE("clamp has gradient 1 on [min, max], bounds included, else 0") {
    Tensor x = tensor({-1, -0.5f, 0, 0.5f, 1});
    x.requires_grad_();
    clamp(x, -0.5f, 0.5f).sum().backward();
    check_close(x.grad(), tensor({0, 1, 1, 1, 0}), 0, 0);
  }
  SUBCASE("pow with exponent 0 has gradient 0, even at 0") {
    Tensor x = tensor({0, 2, -3});
    x.requires_grad_();
    pow(x, 0.0f).sum().backward();
    check_close(x.grad(), tensor({0, 0, 0}), 0, 0);
  }
  SUBCASE("pow with exponent 2 at 0 has gradient 0") {
    Tensor x = tensor({0, 1.5f});
    x.requires_grad_();
    pow(x, 2.0f).sum().backward();
    check_close(x.grad(), tensor({0, 3}), 0, 1e-6);
  }
  SUBCASE("broadcast gradients are summed back to the input shape") {
    Tensor a = random_leaf({2, 3, 4}, 1), b = random_leaf({3, 1}, 2), s = random_leaf({}, 3);
    mul(add(a, b), s).sum().backward();
    REQUIRE(b.grad().shape() == Shape{3, 1});
    REQUIRE(s.grad().shape() == Shape{});
    // d/db sum((a + b) * s) = s * 2 * 4 per element of b; d/ds = sum(a + b).
    check_close(b.grad(), full({3, 1}, 8.0f * s.item()), 1e-5, 1e-5);
    double total = 0;
    for (float v : add(a, b).to_vector()) total += v;
    CHECK(s.grad().item() == doctest::Approx(total).epsilon(1e-5));
  }
}

TEST_CASE("un-broadcasting large gradients (parallel path) matches a naive loop") {
  const Tensor a = random_leaf({331, 317}, 31), row = random_leaf({317}, 32), col = random_leaf({331, 1}, 33);
  const Tensor w = random_tensor({331, 317}, 34);
  mul(add(mul(a, row), col), w).sum().backward();
  // d/drow[j] = sum_i a[i][j] * w[i][j]; d/dcol[i] = sum_j w[i][j]; d/da = row * w.
  std::vector<double> drow(317, 0.0), dcol(331, 0.0), da;
  for (int64_t i = 0; i < 331; ++i) {
    for (int64_t j = 0; j < 317; ++j) {
      const double wv = read(w, {i, j});
      drow[j] += read(a, {i, j}) * wv;
      dcol[i] += wv;
      da.push_back(read(row, {j}) * wv);
    }
  }
  check_close(row.grad(), from_doubles(drow, {317}), 1e-4, 1e-5);
  check_close(col.grad(), from_doubles(dcol, {331, 1}), 1e-4, 1e-5);
  check_close(a.grad(), from_doubles(da, {331, 317}), 1e-6, 1e-6);
}

// ------------------------------------------------------------------------------------------------
// misuse
// ------------------------------------------------------------------------------------------------

TEST_CASE("binary ops reject int64 inputs, naming the op, the argument and the dtype") {
  const std::vector<std::pair<std::string, BinaryOp>> ops = {
      {"add", [](const Tensor& a, const Tensor& b) { return add(a, b); }},
      {"sub", [](const Tensor& a, const Tensor& b) { return sub(a, b); }},
      {"mul", [](const Tensor& a, const Tensor& b) { return mul(a, b); }},
      {"div", [](const Tensor& a, const Tensor& b) { return div(a, b); }},
  };
  for (const auto& [name, op] : ops) {
    INFO(name);
    check_error([&] { (void)op(i64(), f32()); }, {name + ":", "'a'", "float32", "int64 [3]"});
    check_error([&] { (void)op(f32(), i64()); }, {name + ":", "'b'", "float32", "int64 [3]"});
    check_error([&] { (void)op(i64(), i64()); }, {name + ":", "int64 [3]"});
  }
  check_error([] { (void)(i64() + f32()); }, {"add:", "int64 [3]"});
  check_error([] { (void)(f32() - i64()); }, {"sub:", "int64 [3]"});
  check_error([] { (void)(i64() * f32()); }, {"mul:", "int64 [3]"});
  check_error([] { (void)(f32() / i64()); }, {"div:", "int64 [3]"});
}

TEST_CASE("tensor-scalar forms reject int64 tensors, naming the op") {
  check_error([] { (void)add(i64(), 1.0f); }, {"add:", "float32", "int64 [3]"});
  check_error([] { (void)(1.0f + i64()); }, {"add:", "int64 [3]"});
  check_error([] { (void)sub(i64(), 1.0f); }, {"sub:", "float32", "int64 [3]"});
  check_error([] { (void)(i64() - 1.0f); }, {"sub:", "int64 [3]"});
  check_error([] { (void)sub(1.0f, i64()); }, {"sub:", "float32", "int64 [3]"});
  check_error([] { (void)mul(i64(), 2.0f); }, {"mul:", "float32", "int64 [3]"});
  check_error([] { (void)(2.0f * i64()); }, {"mul:", "int64 [3]"});
  check_error([] { (void)div(i64(), 2.0f); }, {"div:", "float32", "int64 [3]"});
  check_error([] { (void)div(2.0f, i64()); }, {"div:", "float32", "int64 [3]"});
}

TEST_CASE("unary ops reject int64 inputs, naming the op") {
  const std::vector<std::pair<std::string, UnaryOp>> ops = {
      {"neg", [](const Tensor& t) { return neg(t); }},
      {"neg", [](const Tensor& t) { return -t; }},
      {"exp", [](const Tensor& t) { return exp(t); }},
      {"log", [](const Tensor& t) { return log(t); }},
      {"pow", [](const Tensor& t) { return pow(t, 2.0f); }},
      {"sqrt", [](const Tensor& t) { return sqrt(t); }},
      {"abs", [](const Tensor& t) { return abs(t); }},
      {"clamp", [](const Tensor& t) { return clamp(t, 0.0f, 1.0f); }},
  };
  for (const auto& [name, op] : ops) {
    INFO(name);
    check_error([&] { (void)op(i64()); }, {name + ":", "float32", "int64 [3]"});
  }
}

TEST_CASE("every elementwise op rejects undefined tensors, naming the op") {
  const Tensor u;
  check_error([&] { (void)add(u, f32()); }, {"add:", "'a'", "undefined"});
  check_error([&] { (void)add(f32(), u); }, {"add:", "'b'", "undefined"});
  check_error([&] { (void)sub(u, f32()); }, {"sub:", "undefined"});
  check_error([&] { (void)sub(f32(), u); }, {"sub:", "undefined"});
  check_error([&] { (void)mul(u, f32()); }, {"mul:", "undefined"});
  check_error([&] { (void)mul(f32(), u); }, {"mul:", "undefined"});
  check_error([&] { (void)div(u, f32()); }, {"div:", "undefined"});
  check_error([&] { (void)div(f32(), u); }, {"div:", "undefined"});
  check_error([&] { (void)add(u, 1.0f); }, {"add:", "undefined"});
  check_error([&] { (void)sub(u, 1.0f); }, {"sub:", "undefined"});
  check_error([&] { (void)sub(1.0f, u); }, {"sub:", "undefined"});
  check_error([&] { (void)mul(u, 1.0f); }, {"mul:", "undefined"});
  check_error([&] { (void)div(u, 1.0f); }, {"div:", "undefined"});
  check_error([&] { (void)div(1.0f, u); }, {"div:", "undefined"});
  check_error([&] { (void)neg(u); }, {"neg:", "undefined"});
  check_error([&] { (void)(-u); }, {"neg:", "undefined"});
  check_error([&] { (void)exp(u); }, {"exp:", "undefined"});
  check_error([&] { (void)log(u); }, {"log:", "undefined"});
  check_error([&] { (void)pow(u, 2.0f); }, {"pow:", "undefined"});
  check_error([&] { (void)sqrt(u); }, {"sqrt:", "undefined"});
  check_error([&] { (void)abs(u); }, {"abs:", "undefined"});
  check_error([&] { (void)clamp(u, 0.0f, 1.0f); }, {"clamp:", "undefined"});
}

TEST_CASE("binary ops reject shapes that do not broadcast, naming both shapes") {
  const Tensor a = zeros({2, 3, 4}), b = zeros({3, 2}), c = zeros({5}), d = zeros({2, 3});
  check_error([&] { (void)add(a, b); }, {"add:", "[2, 3, 4]", "[3, 2]", "broadcast"});
  check_error([&] { (void)sub(a, c); }, {"sub:", "[2, 3, 4]", "[5]", "broadcast"});
  check_error([&] { (void)mul(c, a); }, {"mul:", "[5]", "[2, 3, 4]", "broadcast"});
  check_error([&] { (void)div(d, c); }, {"div:", "[2, 3]", "[5]", "broadcast"});
  check_error([&] { (void)(a + b); }, {"add:", "[2, 3, 4]", "[3, 2]"});
  check_error([&] { (void)(a - c); }, {"sub:", "[2, 3, 4]", "[5]"});
  check_error([&] { (void)(d * c); }, {"mul:", "[2, 3]", "[5]"});
  check_error([&] { (void)(d / a); }, {"div:", "[2, 3]", "[2, 3, 4]"});
  // An empty dim broadcasts only against 1 or itself.
  check_error([&] { (void)add(zeros({0}), zeros({2})); }, {"add:", "[0]", "[2]"});
  // Strided views are reported by their logical shape.
  check_error([&] { (void)mul(zeros({4, 3}).t(), zeros({4, 3})); }, {"mul:", "[3, 4]", "[4, 3]"});
}

TEST_CASE("clamp rejects min > max and NaN bounds, naming the values") {
  const Tensor x = f32();
  check_error([&] { (void)clamp(x, 2.0f, 1.0f); }, {"clamp:", "min 2", "max 1"});
  check_error([&] { (void)clamp(x, 0.5f, -0.5f); }, {"clamp:", "min 0.5", "max -0.5"});
  check_error([&] { (void)x.clamp(3.0f, -3.0f); }, {"clamp:", "min 3", "max -3"});
  check_error([&] { (void)clamp(x, kNaN, std::nullopt); }, {"clamp:", "NaN"});
  check_error([&] { (void)clamp(x, std::nullopt, kNaN); }, {"clamp:", "NaN"});
  check_error([&] { (void)clamp(x, kNaN, 1.0f); }, {"clamp:", "NaN"});
  check_error([&] { (void)clamp(x, -1.0f, kNaN); }, {"clamp:", "NaN"});
  // min == max is fine.
  check_close(clamp(x, 2.0f, 2.0f), tensor({2, 2, 2}));
}

TEST_CASE("clamp needs at least one bound, as PyTorch does") {
  ember::test::check_error([] { (void)clamp(ones({2}), std::nullopt, std::nullopt); }, {"clamp:", "at least one"});
  ember::test::check_error([] { NoGradGuard g; (void)ones({2}).clamp_(std::nullopt, std::nullopt); }, {"clamp_:", "at least one"});
}

TEST_CASE("in-place updates of empty tensors are no-ops, not errors") {
  Tensor t = empty({3, 0});
  t.fill_(1.0f);
  t.add_(2.0f);
  CHECK(t.numel() == 0);
}
