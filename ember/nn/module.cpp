#include "ember/nn/module.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <set>

#include "ember/autograd/grad_mode.h"

namespace ember::nn {

Tensor Module::operator()(const Tensor& x) {
  Tensor out = forward(x);
  if (forward_hooks_.empty()) return out;
  // A copy: a hook may add or remove hooks.
  const auto hooks = forward_hooks_;
  for (const auto& [id, hook] : hooks) hook(*this, x, out);
  return out;
}

int64_t Module::register_forward_hook(ForwardHook hook) {
  EMBER_CHECK(hook != nullptr, "{}: register_forward_hook: the hook is empty", type_name_);
  forward_hooks_.emplace_back(next_hook_id_, std::move(hook));
  return next_hook_id_++;
}

void Module::remove_forward_hook(int64_t id) {
  std::erase_if(forward_hooks_, [id](const auto& entry) { return entry.first == id; });
}

ForwardHooks::~ForwardHooks() {
  for (const auto& [module, id] : added_) module->remove_forward_hook(id);
}

void ForwardHooks::add(Module& module, Module::ForwardHook hook) {
  added_.emplace_back(&module, module.register_forward_hook(std::move(hook)));
}

int64_t Module::flops(const Shape&, const Shape&) const { return 0; }

void Module::check_new_name(const std::string& name, const char* what) const {
  EMBER_CHECK(!name.empty() && name.find('.') == std::string::npos,
              "{}: cannot register {} '{}': names must be non-empty and contain no '.'", type_name_, what, name);
  auto taken = [&](const auto& items) {
    for (const auto& item : items) {
      if (item.first == name) return true;
    }
    return false;
  };
  EMBER_CHECK(!taken(parameters_) && !taken(buffers_) && !taken(children_),
              "{}: cannot register {} '{}': the name is already used in this module", type_name_, what, name);
}

Tensor Module::register_parameter(const std::string& name, const Tensor& tensor, bool requires_grad) {
  check_new_name(name, "parameter");
  EMBER_CHECK(tensor.defined() && tensor.dtype() == DType::f32,
              "{}: parameter '{}' must be a defined float32 tensor, got {}", type_name_, name, tensor.describe());
  EMBER_CHECK(tensor.is_leaf(), "{}: parameter '{}' must be a leaf tensor (detach() it first)", type_name_, name);
  tensor.requires_grad_(requires_grad);
  parameters_.emplace_back(name, tensor);
  return tensor;
}

Tensor Module::register_buffer(const std::string& name, const Tensor& tensor) {
  check_new_name(name, "buffer");
  EMBER_CHECK(tensor.defined(), "{}: buffer '{}' is undefined", type_name_, name);
  buffers_.emplace_back(name, tensor);
  return tensor;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  check_new_name(name, "module");
  EMBER_CHECK(module != nullptr, "{}: cannot register module '{}': it is null", type_name_, name);
  children_.emplace_back(name, std::move(module));
}

void Module::collect(const std::string& prefix, bool recurse, bool want_buffers,
                     std::vector<std::pair<std::string, Tensor>>& out) const {
  for (const auto& [name, tensor] : want_buffers ? buffers_ : parameters_) out.emplace_back(prefix + name, tensor);
  if (!recurse) return;
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", true, want_buffers, out);
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  collect("", recurse, false, out);
  // A tensor shared by two modules (tied weights) is listed once, under its first name.
  std::set<const TensorImpl*> seen;
  std::vector<std::pair<std::string, Tensor>> unique;
  for (auto& item : out) {
    if (seen.insert(item.second.impl().get()).second) unique.push_back(std::move(item));
  }
  return unique;
}

TensorList Module::parameters(bool recurse) const {
  TensorList out;
  for (auto& item : named_parameters(recurse)) out.push_back(item.second);
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  collect("", recurse, true, out);
  return out;
}

TensorList Module::buffers(bool recurse) const {
  TensorList out;
  for (auto& item : named_buffers(recurse)) out.push_back(item.second);
  return out;
}

std::vector<std::shared_ptr<Module>> Module::children() const {
  std::vector<std::shared_ptr<Module>> out;
  for (const auto& item : children_) out.push_back(item.second);
  return out;
}

void Module::apply(const std::function<void(Module&)>& fn) {
  for (auto& item : children_) item.second->apply(fn);
  fn(*this);
}

void Module::train(bool on) {
  training_ = on;
  for (auto& item : children_) item.second->train(on);
}

void Module::zero_grad() {
  for (const Tensor& p : parameters()) p.zero_grad();
}

StateDict Module::state_dict() const {
  StateDict out;
  std::vector<std::pair<std::string, Tensor>> items;
  collect("", true, false, items);
  collect("", true, true, items);
  for (const auto& [name, tensor] : items) {
    if (!out.contains(name)) out.insert(name, tensor.detach());
  }
  return out;
}

void Module::load_state_dict(const StateDict& state, bool strict) {
  std::vector<std::pair<std::string, Tensor>> targets;
  collect("", true, false, targets);
  collect("", true, true, targets);
  std::vector<std::string> missing, mismatched, unexpected;
  std::set<std::string> known;
  for (const auto& [name, target] : targets) {
    known.insert(name);
    if (!state.contains(name)) {
      missing.push_back(name);
      continue;
    }
    const Tensor& source = state.at(name);
    if (source.shape() != target.shape() || source.dtype() != target.dtype()) {
      mismatched.push_back(fmt::format("{} (model {}, state {})", name, target.describe(), source.describe()));
    }
  }
  for (const auto& [name, tensor] : state) {
    if (!known.count(name)) unexpected.push_back(name);
  }
  const bool failed = !mismatched.empty() || (strict && (!missing.empty() || !unexpected.empty()));
  if (failed) {
    std::string message = fmt::format("load_state_dict: the state does not fit {}:", type_name_);
    auto list = [&](const char* what, const std::vector<std::string>& names) {
      if (!names.empty()) message += fmt::format("\n  {} ({}): {}", what, names.size(), fmt::join(names, ", "));
    };
    if (strict) list("missing keys", missing);
    if (strict) list("unexpected keys", unexpected);
    list("shape or dtype mismatches", mismatched);
    throw Error(message);
  }
  NoGradGuard no_grad;
  for (const auto& [name, target] : targets) {
    if (state.contains(name)) target.copy_(state.at(name));
  }
}

std::string Module::to_string() const {
  std::string out = type_name_ + "(";
  const std::string extra = extra_repr();
  if (children_.empty()) return out + extra + ")";
  if (!extra.empty()) out += "\n  " + extra;
  for (const auto& [name, child] : children_) {
    std::string child_text = child->to_string();
    // Indent the child's own lines under this one.
    std::string indented;
    for (char ch : child_text) {
      indented += ch;
      if (ch == '\n') indented += "  ";
    }
    out += fmt::format("\n  ({}): {}", name, indented);
  }
  return out + "\n)";
}

}  // namespace ember::nn
