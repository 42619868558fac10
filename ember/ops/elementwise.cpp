// Elementwise ops: each forward, then its backward right below it.
#include "ember/ops/elementwise.h"

#include <cmath>

#include "ember/autograd/node.h"
#include "ember/core/profiler.h"
#include "ember/core/trace.h"
#include "ember/ops/checks.h"
#include "ember/kernels/elementwise_kernels.h"

namespace ember {

using autograd::GradMask;
using autograd::SavedTensor;
using kernels::map_binary;
using kernels::map_ternary;
using kernels::map_unary;
using ops_detail::check_float;

// ---- binary, tensor-tensor ----

Tensor add(const Tensor& a, const Tensor& b) {
  EMBER_PROFILE_OP("add");
  check_float("add", "a", a);
  check_float("add", "b", b);
  Tensor out = map_binary(a, b, [](float x, float y) { return x + y; }, "add");
  if (autograd::needs_graph({a, b})) {
    autograd::attach(out, "AddBackward", {a, b}, [](const Tensor& g, const GradMask& needs) {
      return TensorList{needs[0] ? g : Tensor(), needs[1] ? g : Tensor()};
    });
  }
  if (trace::Tracer* t = trace::active()) t->record({"add", {a, b}, out});
  return out;
}

Tensor sub(const Tensor& a, const Tensor& b) {
  EMBER_PROFILE_OP("sub");
  check_float("sub", "a", a);
  check_float("sub", "b", b);
  Tensor out = map_binary(a, b, [](float x, float y) { return x - y; }, "sub");
  if (autograd::needs_graph({a, b})) {
    autograd::attach(out, "SubBackward", {a, b}, [](const Tensor& g, const GradMask& needs) {
      return TensorList{needs[0] ? g : Tensor(), needs[1] ? neg(g) : Tensor()};
    });
  }
  if (trace::Tracer* t = trace::active()) t->record({"sub", {a, b}, out});
  return out;
}

Tensor mul(const Tensor& a, const Tensor& b) {
  EMBER_PROFILE_OP("mul");
  check_float("mul", "a", a);
  check_float("mul", "b", b);
  Tensor out = map_binary(a, b, [](float x, float y) { return x * y; }, "mul");
  if (autograd::needs_graph({a, b})) {
    // Save only what the needed gradients use: da needs b, db needs a.
    SavedTensor saved_a(b.requires_grad() ? a : Tensor()), saved_b(a.requires_grad() ? b : Tensor());
    autograd::attach(out, "MulBackward", {a, b}, [saved_a, saved_b](const Tensor& g, const GradMask& needs) {
      return TensorList{needs[0] ? mul(g, saved_b.get()) : Tensor(), needs[1] ? mul(g, saved_a.get()) : Tensor()};
    });
  }
  if (trace::Tracer* t = trace::active()) t->record({"mul", {a, b}, out});
  return out;
}

Tensor div(const Tensor& a, const Tensor& b) {
  EMBER_PROFILE_OP("div");
  check_float("div", "a", a);
  check_float("div", "b", b);
  Tensor out = map_binary(a, b, [](float x, float y) { return x / y; }, "div");
  if (autograd::needs_graph({a, b})) {
    SavedTensor saved_a(b.requires_grad() ? a : Tensor()), saved_b(b);
    autograd::attach(out, "DivBackward", {a, b}, [saved_a, saved_b](const Tensor& g, const GradMask& needs) {
      const Tensor bv = saved_b.get();
      Tensor da = needs[0] ? div(g, bv) : Tensor();
      // d(a/b)/db = -a / b^2
      Tensor db = needs[1] ? map_ternary(g, saved_a.get(), bv, [](float gv, float x, float y) { return -gv * x / (y * y); })
                           : Tensor();
      return TensorList{da, db};
    });
  }
  if (trace::Tracer* t = trace::active()) t->record({"div", {a, b}, out});
  return out;
}

// ---- binary, tensor-scalar ----

Tensor add(const Tensor& a, float b) {
  EMBER_PROFILE_OP("add");
  check_float("add", "a", a);
  Tensor out = map_unary(a, [b](float x) { return x + b; });
  if (autograd::needs_graph({a})) {
    autograd::attach(out, "AddBackward", {a}, [](const Tensor& g, const GradMask&) { return TensorList{g}; });
  }
  if (trace::Tracer* t = trace::active()) t->record({"add", {a, scalar_tensor(b)}, out});
  return out;
}

Tensor sub(const Tensor& a, float b) {
  EMBER_PROFILE_OP("sub");
  check_float("sub", "a", a);
  Tensor out = map_unary(a, [b](float x) { return x - b; });
  if (autograd::needs_graph({a})) {
    autograd::attach(out, "SubBackward", {a}, [](const Tensor& g, const GradMask&) { return TensorList{g}; });
  }
  if (trace::Tracer* t = trace::active()) t->record({"sub", {a, scalar_tensor(b)}, out});
  return out;
}

Tensor sub(float a, const Tensor& b) {
  EMBER_PROFILE_OP("sub");
  check_float("sub", "b", b);
  Tensor out = map_unary(b, [a](float y) { return a - y; });
  if (autograd::needs_graph({b})) {
    autograd::attach(out, "SubBackward", {b}, [](const Tensor& g, const GradMask&) { return TensorList{neg(g)}; });
  }
  if (trace::Tracer* t = trace::active()) t->record({"sub", {scalar_tensor(a), b}, out});
  return out;
}

Tensor mul(const Tensor& a, float b) {
  EMBER_PROFILE_OP("mul");
  check_float("mul", "a", a);
  Tensor out = map_unary(a, [b](float x) { return x * b; });
  if (autograd::needs_graph({a})) {
    autograd::attach(out, "MulBackward", {a}, [b](const Tensor& g, const GradMask&) { return TensorList{mul(g, b)}; });
  }
  if (trace::Tracer* t = trace::active()) t->record({"mul", {a, scalar_tensor(b)}, out});
  return out;
}

Tensor div(const Tensor& a, float b) {
  EMBER_PROFILE_OP("div");
  check_float("div", "a", a);
  Tensor out = map_unary(a, [b](float x) { return x / b; });
  if (autograd::needs_graph({a})) {
    autograd::attach(out, "DivBackward", {a}, [b](const Tensor& g, const GradMask&) { return TensorList{div(g, b)}; });
  }
  if (trace::Tracer* t = trace::active()) t->record({"div", {a, scalar_tensor(b)}, out});
  return out;
}

Tensor div(float a, const Tensor& b) {
  EMBER_PROFILE_OP("div");
  check_float("div", "b", b);
  Tensor out = map_unary(b, [a](float y) { return a / y; });
  if (autograd::needs_graph({b})) {
    SavedTensor saved_b(b);
    autograd::attach(out, "DivBackward", {b}, [a, saved_b](const Tensor& g, const GradMask&) {
      return TensorList{map_binary(g, saved_b.get(), [a](float gv, float y) { return -gv * a / (y * y); }, "div")};
    });
  }
  if (trace::Tracer* t = trace::active()) t->record({"div", {scalar_tensor(a), b}, out});
  return out;
}

// ---- unary ----

Tensor neg(const Tensor& a) {
  EMBER_PROFILE_OP("neg");
  check_float("neg", "a", a);
  Tensor out = map_unary(a, [](float x) { return -x; });
  if (autograd::needs_graph({a})) {
    autograd::attach(out, "NegBackward", {a}, [](const Tensor& g, const GradMask&) { return TensorList{neg(g)}; });
  }
  if (trace::Tracer* t = trace::active()) t->record({"neg", {a}, out});
  return out;
}

Tensor exp(const Tensor& a) {
  EMBER_PROFILE_OP("exp");
  check_float("exp", "a", a);
  Tensor out = map_unary(a, [](float x) { return std::exp(x); });
  if (autograd::needs_graph({a})) {
    SavedTensor saved_out(out);  // d exp(a) = exp(a): reuse the output
    autograd::attach(out, "ExpBackward", {a},
                     [saved_out](const Tensor& g, const GradMask&) { return TensorList{mul(g, saved_out.get())}; });
  }
  if (trace::Tracer* t = trace::active()) t->record({"exp", {a}, out});
  return out;
}

Tensor log(const Tensor& a) {
  EMBER_PROFILE_OP("log");
  check_float("log", "a", a);
  Tensor out = map_unary(a, [](float x) { return std::log(x); });
  if (autograd::needs_graph({a})) {
    SavedTensor saved_a(a);
    autograd::attach(out, "LogBackward", {a},
                     [saved_a](const Tensor& g, const GradMask&) { return TensorList{div(g, saved_a.get())}; });
  }
  if (trace::Tracer* t = trace::active()) t->record({"log", {a}, out});
  return out;
}

Tensor pow(const Tensor& a, float exponent) {
  EMBER_PROFILE_OP("pow");
  check_float("pow", "a", a);
  Tensor out = map_unary(a, [exponent](float x) { return std::pow(x, exponent); });
  if (autograd::needs_graph({a})) {
    SavedTensor saved_a(a);
    autograd::attach(out, "PowBackward", {a}, [saved_a, exponent](const Tensor& g, const GradMask&) {
      if (exponent == 0.0f) return TensorList{zeros(g.shape())};
      return TensorList{map_binary(
          g, saved_a.get(), [exponent](float gv, float x) { return gv * exponent * std::pow(x, exponent - 1.0f); },
          "pow")};
    });
  }
  if (trace::Tracer* t = trace::active()) t->record({"pow", {a, scalar_tensor(exponent)}, out});
  return out;
}

Tensor sqrt(const Tensor& a) {
  EMBER_PROFILE_OP("sqrt");
  check_float("sqrt", "a", a);
  Tensor out = map_unary(a, [](float x) { return std::sqrt(x); });
  if (autograd::needs_graph({a})) {
    SavedTensor saved_out(out);
    autograd::attach(out, "SqrtBackward", {a}, [saved_out](const Tensor& g, const GradMask&) {
      return TensorList{map_binary(g, saved_out.get(), [](float gv, float y) { return gv / (2.0f * y); }, "sqrt")};
    });
  }
  if (trace::Tracer* t = trace::active()) t->record({"sqrt", {a}, out});
  return out;
}

Tensor abs(const Tensor& a) {
  EMBER_PROFILE_OP("abs");
  check_float("abs", "a", a);
  Tensor out = map_unary(a, [](float x) { return std::abs(x); });
  if (autograd::needs_graph({a})) {
    SavedTensor saved_a(a);
    autograd::attach(out, "AbsBackward", {a}, [saved_a](const Tensor& g, const GradMask&) {
      return TensorList{map_binary(
          g, saved_a.get(), [](float gv, float x) { return x > 0.0f ? gv : (x < 0.0f ? -gv : 0.0f); }, "abs")};
    });
  }
  if (trace::Tracer* t = trace::active()) t->record({"abs", {a}, out});
  return out;
}

Tensor clamp(const Tensor& a, std::optional<float> min, std::optional<float> max) {
  EMBER_PROFILE_OP("clamp");
  check_float("clamp", "a", a);
  EMBER_CHECK(min || max, "clamp: at least one of min and max must be given");
  EMBER_CHECK(!(min && std::isnan(*min)) && !(max && std::isnan(*max)), "clamp: min and max must not be NaN");
  EMBER_CHECK(!min || !max || *min <= *max, "clamp: min {} is greater than max {}", *min, *max);
  const float lo = min.value_or(-INFINITY), hi = max.value_or(INFINITY);
  // NaN stays NaN (as in PyTorch): comparisons with NaN are false, so neither bound applies.
  Tensor out = map_unary(a, [lo, hi](float x) { return x < lo ? lo : (x > hi ? hi : x); });
  if (autograd::needs_graph({a})) {
    SavedTensor saved_a(a);
    autograd::attach(out, "ClampBackward", {a}, [saved_a, lo, hi](const Tensor& g, const GradMask&) {
      return TensorList{map_binary(
          g, saved_a.get(), [lo, hi](float gv, float x) { return x >= lo && x <= hi ? gv : 0.0f; }, "clamp")};
    });
  }
  if (trace::Tracer* t = trace::active()) t->record({"clamp", {a, min ? scalar_tensor(*min) : Tensor(), max ? scalar_tensor(*max) : Tensor()}, out});
  return out;
}

}  // namespace ember
