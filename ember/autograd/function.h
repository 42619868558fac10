#pragma once
// User-defined differentiable ops without touching the framework.
//
//   struct Cube : ember::autograd::Function<Cube> {
//     static ember::Tensor forward(ember::autograd::FunctionCtx& ctx, const ember::Tensor& x) {
//       ctx.save_for_backward({x});
//       return x * x * x;
//     }
//     static ember::TensorList backward(ember::autograd::FunctionCtx& ctx, const ember::TensorList& grad) {
//       ember::Tensor x = ctx.saved()[0];
//       return {grad[0] * 3.0f * x * x};
//     }
//   };
//   ember::Tensor y = Cube::apply(x);
//
// forward runs with recording off and may take any arguments; the Tensor ones are the op's
// inputs. backward returns one gradient per Tensor argument, in order (an undefined Tensor for
// "none"); it may skip inputs where !ctx.needs_input_grad(i). forward may return a Tensor or a
// TensorList; backward then gets one gradient per output (zeros for outputs that got none).
// See docs/adding_an_op.md.
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <typeinfo>

#include "ember/autograd/anomaly.h"
#include "ember/autograd/grad_mode.h"
#include "ember/autograd/node.h"

namespace ember::autograd {

class FunctionCtx {
 public:
  // Tensors backward will need; checked against in-place modification when read back.
  void save_for_backward(const TensorList& tensors) {
    saved_.clear();
    for (const Tensor& t : tensors) saved_.emplace_back(t);
  }
  TensorList saved() const {
    EMBER_CHECK(!released_, "{}: saved tensors were freed by an earlier backward (use retain_graph=true)", name_);
    TensorList out;
    for (const SavedTensor& s : saved_) out.push_back(s.get());
    return out;
  }
  bool needs_input_grad(size_t i) const { return i < needs_.size() && needs_[i]; }
  // Non-tensor values backward needs (a scale, a dim, ...).
  std::map<std::string, double> saved_data;

 private:
  template <typename>
  friend class UserFunctionNode;
  template <typename>
  friend struct Function;
  std::vector<SavedTensor> saved_;
  std::vector<bool> needs_;
  std::string name_;
  bool released_ = false;
};

// The readable name of a type from its typeid name ("Softsign" for struct Softsign): demangled
// where the compiler's ABI library can (GCC, Clang), else as the compiler gives it.
std::string readable_type_name(const char* typeid_name);

template <typename F>
std::string function_name() {
  return readable_type_name(typeid(F).name());
}

template <typename F>
class UserFunctionNode final : public Node {
 public:
  UserFunctionNode(std::vector<Edge> edges, std::vector<Shape> input_shapes, std::vector<Shape> output_shapes)
      : Node(std::move(edges), std::move(input_shapes), output_shapes.size()),
        output_shapes_(std::move(output_shapes)) {}
  std::string name() const override { return ctx.name_; }
  TensorList apply(const TensorList& grad_outputs) override {
    EMBER_CHECK(!released_,
                "backward: trying to backward through {} a second time, but its saved tensors were freed; pass "
                "retain_graph=true to the first backward()",
                ctx.name_);
    TensorList grads = grad_outputs;
    for (size_t i = 0; i < grads.size(); ++i) {
      if (!grads[i].defined()) grads[i] = zeros(output_shapes_[i]);
    }
    TensorList input_grads = F::backward(ctx, grads);
    EMBER_CHECK(input_grads.size() == next_edges().size(),
                "{}: backward returned {} gradients but forward took {} tensor inputs", ctx.name_,
                input_grads.size(), next_edges().size());
    for (size_t i = 0; i < input_grads.size(); ++i) {
      if (!needs_input_grad(i)) input_grads[i] = Tensor();
    }
    return input_grads;
  }
  void release() override {
    Node::release();
    ctx.saved_.clear();
    ctx.released_ = true;
  }
  FunctionCtx ctx;

 private:
  std::vector<Shape> output_shapes_;
};

template <typename Derived>
struct Function {
  template <typename... Args>
  static auto apply(Args&&... args) {
    TensorList inputs;
    (collect(inputs, args), ...);
    const bool record = needs_graph(inputs);

    FunctionCtx ctx;
    ctx.name_ = function_name<Derived>();
    for (const Tensor& t : inputs) ctx.needs_.push_back(record && edge_to(t).valid());
    auto result = [&] {
      NoGradGuard no_grad;
      return Derived::forward(ctx, std::forward<Args>(args)...);
    }();
    using Result = decltype(result);
    static_assert(std::is_same_v<Result, Tensor> || std::is_same_v<Result, TensorList>,
                  "Function::forward must return ember::Tensor or ember::TensorList");
    TensorList outputs;
    if constexpr (std::is_same_v<Result, Tensor>) {
      outputs.push_back(result);
    } else {
      outputs = result;
    }
    for (Tensor& out : outputs) {
      EMBER_CHECK(out.defined(), "{}: forward returned an undefined tensor", ctx.name_);
      // A fresh handle per output, so marking it as this node's output never touches an input.
      out = make_view(out, out.shape(), out.strides(), out.offset());
    }
    if (record && is_anomaly_enabled()) [[unlikely]] check_forward_outputs(ctx.name_, outputs, inputs);
    if (record) {
      std::vector<Edge> edges;
      std::vector<Shape> input_shapes, output_shapes;
      for (const Tensor& t : inputs) {
        edges.push_back(edge_to(t));
        input_shapes.push_back(t.shape());
      }
      for (const Tensor& t : outputs) output_shapes.push_back(t.shape());
      auto node = std::make_shared<UserFunctionNode<Derived>>(std::move(edges), std::move(input_shapes),
                                                              std::move(output_shapes));
      node->ctx = std::move(ctx);
      for (size_t i = 0; i < outputs.size(); ++i) {
        outputs[i].impl()->grad_fn = node;
        outputs[i].impl()->output_nr = static_cast<uint32_t>(i);
        outputs[i].impl()->requires_grad = outputs[i].dtype() == DType::f32;
      }
    }
    if constexpr (std::is_same_v<Result, Tensor>) {
      return outputs[0];
    } else {
      return outputs;
    }
  }

 private:
  template <typename T>
  static void collect(TensorList& inputs, const T& arg) {
    if constexpr (std::is_same_v<std::decay_t<T>, Tensor>) inputs.push_back(arg);
  }
};

}  // namespace ember::autograd
