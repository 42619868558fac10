// Elementwise ops: each forward with its derivative beside it, on the pointwise skeleton
// (ops/pointwise.h).
#include "ember/ops/elementwise.h"

#include <cmath>

#include "ember/ops/pointwise.h"

namespace ember {

using autograd::GradMask;
using autograd::SavedTensor;
using kernels::map_ternary;
using ops_detail::binary_pointwise;
using ops_detail::from_grad;
using ops_detail::from_input;
using ops_detail::from_output;
using ops_detail::pass_grad;
using ops_detail::pointwise;

// ---- binary, tensor-tensor (broadcasting: the engine sums each gradient back to its input's shape) ----

Tensor add(const Tensor& a, const Tensor& b) {
  return binary_pointwise({.name = "add"}, a, b, [](float x, float y) { return x + y; }, [] {
    return [](const Tensor& g, const GradMask& needs) {
      return TensorList{needs[0] ? g : Tensor(), needs[1] ? g : Tensor()};
    };
  });
}

Tensor sub(const Tensor& a, const Tensor& b) {
  return binary_pointwise({.name = "sub"}, a, b, [](float x, float y) { return x - y; }, [] {
    return [](const Tensor& g, const GradMask& needs) {
      return TensorList{needs[0] ? g : Tensor(), needs[1] ? neg(g) : Tensor()};
    };
  });
}

Tensor mul(const Tensor& a, const Tensor& b) {
  return binary_pointwise({.name = "mul"}, a, b, [](float x, float y) { return x * y; }, [&] {
    // Save only what the needed gradients use: da needs b, db needs a.
    SavedTensor saved_a(b.requires_grad() ? a : Tensor()), saved_b(a.requires_grad() ? b : Tensor());
    return [saved_a, saved_b](const Tensor& g, const GradMask& needs) {
      return TensorList{needs[0] ? mul(g, saved_b.get()) : Tensor(), needs[1] ? mul(g, saved_a.get()) : Tensor()};
    };
  });
}

Tensor div(const Tensor& a, const Tensor& b) {
  return binary_pointwise({.name = "div"}, a, b, [](float x, float y) { return x / y; }, [&] {
    SavedTensor saved_a(b.requires_grad() ? a : Tensor()), saved_b(b);
    return [saved_a, saved_b](const Tensor& g, const GradMask& needs) {
      const Tensor bv = saved_b.get();
      Tensor da = needs[0] ? div(g, bv) : Tensor();
      // d(a/b)/db = -a / b^2
      Tensor db = needs[1] ? map_ternary(g, saved_a.get(), bv, [](float gv, float x, float y) { return -gv * x / (y * y); })
                           : Tensor();
      return TensorList{da, db};
    };
  });
}

// ---- binary, tensor-scalar ----

Tensor add(const Tensor& a, float b) {
  return pointwise({.name = "add", .arg = "a", .scalars = {b}}, a, [b](float x) { return x + b; }, pass_grad());
}

Tensor sub(const Tensor& a, float b) {
  return pointwise({.name = "sub", .arg = "a", .scalars = {b}}, a, [b](float x) { return x - b; }, pass_grad());
}

Tensor sub(float a, const Tensor& b) {
  return pointwise({.name = "sub", .arg = "b", .scalars = {a}, .scalars_first = true}, b,
                   [a](float y) { return a - y; }, from_grad([](float g) { return -g; }));
}

Tensor mul(const Tensor& a, float b) {
  return pointwise({.name = "mul", .arg = "a", .scalars = {b}}, a, [b](float x) { return x * b; },
                   from_grad([b](float g) { return g * b; }));
}

Tensor div(const Tensor& a, float b) {
  return pointwise({.name = "div", .arg = "a", .scalars = {b}}, a, [b](float x) { return x / b; },
                   from_grad([b](float g) { return g / b; }));
}

Tensor div(float a, const Tensor& b) {
  return pointwise({.name = "div", .arg = "b", .scalars = {a}, .scalars_first = true}, b,
                   [a](float y) { return a / y; }, from_input([a](float g, float y) { return -g * a / (y * y); }));
}

// ---- unary ----

Tensor neg(const Tensor& a) {
  return pointwise({.name = "neg", .arg = "a"}, a, [](float x) { return -x; }, from_grad([](float g) { return -g; }));
}

Tensor exp(const Tensor& a) {
  // d exp(a) = exp(a): the derivative reads the output.
  return pointwise({.name = "exp", .arg = "a"}, a, [](float x) { return std::exp(x); },
                   from_output([](float g, float y) { return g * y; }));
}

Tensor log(const Tensor& a) {
  return pointwise({.name = "log", .arg = "a"}, a, [](float x) { return std::log(x); },
                   from_input([](float g, float x) { return g / x; }));
}

Tensor pow(const Tensor& a, float exponent) {
  // x^0 has derivative 0 everywhere, also at x = 0 (where 0 * 0^-1 would be NaN).
  return pointwise({.name = "pow", .arg = "a", .scalars = {exponent}}, a,
                   [exponent](float x) { return std::pow(x, exponent); },
                   from_input([exponent](float g, float x) {
                     return exponent == 0.0f ? 0.0f : g * exponent * std::pow(x, exponent - 1.0f);
                   }));
}

Tensor sqrt(const Tensor& a) {
  return pointwise({.name = "sqrt", .arg = "a"}, a, [](float x) { return std::sqrt(x); },
                   from_output([](float g, float y) { return g / (2.0f * y); }));
}

Tensor abs(const Tensor& a) {
  return pointwise({.name = "abs", .arg = "a"}, a, [](float x) { return std::abs(x); },
                   from_input([](float g, float x) { return x > 0.0f ? g : (x < 0.0f ? -g : 0.0f); }));
}

Tensor clamp(const Tensor& a, std::optional<float> min, std::optional<float> max) {
  EMBER_CHECK(min || max, "clamp: at least one of min and max must be given");
  EMBER_CHECK(!(min && std::isnan(*min)) && !(max && std::isnan(*max)), "clamp: min and max must not be NaN");
  EMBER_CHECK(!min || !max || *min <= *max, "clamp: min {} is greater than max {}", *min, *max);
  const float lo = min.value_or(-INFINITY), hi = max.value_or(INFINITY);
  // NaN stays NaN (as in PyTorch): comparisons with NaN are false, so neither bound applies.
  return pointwise({.name = "clamp", .arg = "a", .scalars = {min, max}}, a,
                   [lo, hi](float x) { return x < lo ? lo : (x > hi ? hi : x); },
                   from_input([lo, hi](float g, float x) { return x >= lo && x <= hi ? g : 0.0f; }));
}

}  // namespace ember
