#pragma once
// Module: the base of every layer and model, shaped like PyTorch's.
//
//   struct Net : ember::nn::Module {
//     std::shared_ptr<ember::nn::Linear> fc1, fc2;
//     Net() : Module("Net") {
//       fc1 = register_module("fc1", std::make_shared<ember::nn::Linear>(784, 100));
//       fc2 = register_module("fc2", std::make_shared<ember::nn::Linear>(100, 10));
//     }
//     ember::Tensor forward(const ember::Tensor& x) override { return fc2->forward(fc1->forward(x).relu()); }
//   };
//
// forward is a plain virtual function of one tensor, so containers (Sequential) hold any module
// and nest. Parameters and buffers are registered by name; named_parameters() joins the names
// of the module tree with dots ("features.0.weight"), exactly as PyTorch names them, so
// state_dict keys match PyTorch's for the same architecture.
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ember/core/tensor.h"
#include "ember/nn/state_dict.h"

namespace ember::nn {

class Module {
 public:
  explicit Module(std::string type_name = "Module") : type_name_(std::move(type_name)) {}
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  virtual Tensor forward(const Tensor& x) = 0;
  // Calls forward, then the forward hooks. Call child modules this way, (*child)(x), so hooks
  // (and summary(), which is built on them) see them.
  Tensor operator()(const Tensor& x);

  // ---- forward hooks (as PyTorch's register_forward_hook) ----
  // hook(module, input, output) after every call through operator(), in registration order.
  // Returns an id for remove_forward_hook. ForwardHooks removes its hooks when it goes.
  using ForwardHook = std::function<void(Module& module, const Tensor& input, const Tensor& output)>;
  int64_t register_forward_hook(ForwardHook hook);
  void remove_forward_hook(int64_t id);  // an unknown id is ignored

  // Forward FLOPs (2 per multiply-add) for one call with these input and output shapes; 0 for
  // layers whose cost is negligible next to the matrix products. Shown by summary().
  virtual int64_t flops(const Shape& input, const Shape& output) const;

  // ---- registration (in a constructor); names must be unique within the module, non-empty,
  // and contain no '.'. Each returns what it registered. ----
  // A parameter: a float32 leaf that requires grad (the tensor itself is stored, not a copy).
  Tensor register_parameter(const std::string& name, const Tensor& tensor, bool requires_grad = true);
  // A buffer: state that is saved but not trained (BatchNorm's running statistics).
  Tensor register_buffer(const std::string& name, const Tensor& tensor);
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }

  // ---- the module tree ----
  TensorList parameters(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_parameters(bool recurse = true) const;
  TensorList buffers(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_buffers(bool recurse = true) const;
  std::vector<std::shared_ptr<Module>> children() const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_children() const { return children_; }
  // fn on every module of the tree, children first, then this one (as PyTorch's apply).
  void apply(const std::function<void(Module&)>& fn);

  // ---- modes and gradients ----
  // Training mode (the default) or evaluation mode, for this module and all below it.
  virtual void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  void zero_grad();  // drops every parameter's gradient

  // ---- state ----
  // Parameters then buffers, with dotted names, in registration order.
  StateDict state_dict() const;
  // Copies values into the registered tensors (in place: optimizers holding them stay valid).
  // Strict: every key must match; missing keys, unexpected keys and shape mismatches are all
  // reported together, by name, in one ember::Error. Not strict: only matching names load, but a
  // shape mismatch is still an error.
  void load_state_dict(const StateDict& state, bool strict = true);

  // ---- description ----
  const std::string& type_name() const { return type_name_; }
  // The part inside the parentheses when printed, e.g. "in_features=784, out_features=10".
  virtual std::string extra_repr() const { return ""; }
  // A PyTorch-style multi-line description of the tree.
  std::string to_string() const;

 protected:
  void add_child(const std::string& name, std::shared_ptr<Module> module);

 private:
  void check_new_name(const std::string& name, const char* what) const;
  void collect(const std::string& prefix, bool recurse, bool want_buffers,
               std::vector<std::pair<std::string, Tensor>>& out) const;

  std::string type_name_;
  bool training_ = true;
  std::vector<std::pair<int64_t, ForwardHook>> forward_hooks_;
  int64_t next_hook_id_ = 0;
  std::vector<std::pair<std::string, Tensor>> parameters_;
  std::vector<std::pair<std::string, Tensor>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
};

// Hooks registered for a scope: each add() is removed when this goes (also on exceptions).
class ForwardHooks {
 public:
  ForwardHooks() = default;
  ~ForwardHooks();
  ForwardHooks(const ForwardHooks&) = delete;
  ForwardHooks& operator=(const ForwardHooks&) = delete;
  void add(Module& module, Module::ForwardHook hook);

 private:
  std::vector<std::pair<Module*, int64_t>> added_;
};

}  // namespace ember::nn
