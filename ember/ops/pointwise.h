#pragma once
// The skeleton every elementwise op shares, written once: the profiler mark, the float32 checks,
// the map over the elements, the backward node (named after the op: "leaky_relu" records
// "LeakyReluBackward") and the trace record. A one-input op then states its math and nothing else:
//
//   Tensor tanh(const Tensor& x) {
//     return pointwise({.name = "tanh"}, x, [](float v) { return std::tanh(v); },
//                      from_output([](float g, float y) { return g * (1.0f - y * y); }));
//   }
//
// The derivative says what it reads, and only that is saved for backward: from_input (x),
// from_output (y: tanh, sigmoid, exp and sqrt's derivatives are cheapest from the result),
// from_grad (a constant factor: nothing saved) or pass_grad (dx is g itself). Two-input ops
// (broadcasting add, mul, ...) use binary_pointwise, whose backward is the op's own: what each
// input's gradient needs differs per op.
//
// Internal to ember's built-in ops (namespace ops_detail); docs/adding_an_op.md shows a new one on it.
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ember/autograd/node.h"
#include "ember/core/profiler.h"
#include "ember/core/trace.h"
#include "ember/kernels/elementwise_kernels.h"
#include "ember/ops/checks.h"

namespace ember::ops_detail {

// How an op presents itself: its name (profiler, messages, trace, backward node), its tensor
// argument's name in messages, and what the trace records besides that tensor: numbers given as
// arguments (0-d tensors in the record, after the tensor or before it; an absent one, as clamp's
// missing bound, an undefined tensor) and options.
struct OpSpec {
  const char* name;
  const char* arg = "x";
  std::vector<std::optional<float>> scalars = {};
  bool scalars_first = false;
  trace::Attributes attributes = {};
};

// "leaky_relu" -> "LeakyReluBackward": the node name the op's name implies.
inline std::string backward_name(std::string_view op) {
  std::string name;
  bool upper = true;
  for (char c : op) {
    if (c == '_') {
      upper = true;
      continue;
    }
    name += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return name + "Backward";
}

// The trace record of a call, built only while a tracer is active.
inline void record_call(const OpSpec& op, const TensorList& tensors, const Tensor& out) {
  trace::Tracer* tracer = trace::active();
  if (!tracer) return;
  TensorList numbers;
  for (const auto& s : op.scalars) numbers.push_back(s ? scalar_tensor(*s) : Tensor());
  TensorList inputs = op.scalars_first ? numbers : tensors;
  const TensorList& rest = op.scalars_first ? tensors : numbers;
  inputs.insert(inputs.end(), rest.begin(), rest.end());
  tracer->record({op.name, std::move(inputs), out, op.attributes});
}

// What a one-input op's derivative reads.
template <class D> struct FromInput { D d; };   // dx = d(g, x)
template <class D> struct FromOutput { D d; };  // dx = d(g, y)
template <class D> struct FromGrad { D d; };    // dx = d(g)
struct PassGrad {};                             // dx = g

template <class D> FromInput<D> from_input(D d) { return {d}; }
template <class D> FromOutput<D> from_output(D d) { return {d}; }
template <class D> FromGrad<D> from_grad(D d) { return {d}; }
inline PassGrad pass_grad() { return {}; }

namespace pointwise_detail {
template <class D> autograd::BackwardFn backward(const char* op, const Tensor& x, const Tensor&, FromInput<D> d) {
  return [saved = autograd::SavedTensor(x), f = d.d, op](const Tensor& g, const autograd::GradMask&) {
    return TensorList{kernels::map_binary(g, saved.get(), f, op)};
  };
}
template <class D> autograd::BackwardFn backward(const char* op, const Tensor&, const Tensor& y, FromOutput<D> d) {
  return [saved = autograd::SavedTensor(y), f = d.d, op](const Tensor& g, const autograd::GradMask&) {
    return TensorList{kernels::map_binary(g, saved.get(), f, op)};
  };
}
template <class D> autograd::BackwardFn backward(const char*, const Tensor&, const Tensor&, FromGrad<D> d) {
  return [f = d.d](const Tensor& g, const autograd::GradMask&) { return TensorList{kernels::map_unary(g, f)}; };
}
inline autograd::BackwardFn backward(const char*, const Tensor&, const Tensor&, PassGrad) {
  return [](const Tensor& g, const autograd::GradMask&) { return TensorList{g}; };
}
}  // namespace pointwise_detail

// y = f(x) element by element, with the derivative given as above.
template <class F, class Derivative>
Tensor pointwise(const OpSpec& op, const Tensor& x, F f, Derivative derivative) {
  EMBER_PROFILE_OP(op.name);
  check_float(op.name, op.arg, x);
  Tensor out = kernels::map_unary(x, f);
  if (autograd::needs_graph({x})) {
    autograd::attach(out, backward_name(op.name), {x}, pointwise_detail::backward(op.name, x, out, derivative));
  }
  record_call(op, {x}, out);
  return out;
}

// out = f(a, b) with broadcasting. make_backward() runs only when a gradient is needed and returns
// the backward function (saving what it needs as it is made).
template <class F, class MakeBackward>
Tensor binary_pointwise(const OpSpec& op, const Tensor& a, const Tensor& b, F f, MakeBackward make_backward) {
  EMBER_PROFILE_OP(op.name);
  check_float(op.name, "a", a);
  check_float(op.name, "b", b);
  Tensor out = kernels::map_binary(a, b, f, op.name);
  if (autograd::needs_graph({a, b})) autograd::attach(out, backward_name(op.name), {a, b}, make_backward());
  record_call(op, {a, b}, out);
  return out;
}

}  // namespace ember::ops_detail
