#pragma once
// Optimizer: the base of SGD, Adam, AdamW, RMSprop and Adagrad.
//
// An optimizer holds parameter groups, each a list of parameters (float32 leaves that require
// grad, contiguous, each in one group only) with its own options (lr, momentum, ...), like
// PyTorch's param_groups. step() runs under NoGradGuard and updates every parameter whose grad is
// defined (others are skipped and their state is untouched); zero_grad() drops the gradients.
//
// Per-parameter state (an update count and named tensors of the parameter's shape such as
// "exp_avg") is created on a parameter's first update. Parameters are numbered across groups in
// order (group 0's first parameter is 0), as in PyTorch's state_dict.
//
// state_dict() layout (ember::nn::StateDict):
//   tensors   "state.<i>.<name>"    copies of parameter i's state tensors ("state.0.exp_avg")
//   metadata  "optimizer"           the optimizer's name ("Adam")
//             "groups"              number of groups
//             "group.<g>.params"    number of parameters in group g
//             "group.<g>.<option>"  every option of group g ("group.0.lr"); booleans as 0/1,
//                                   doubles in shortest round-trip form (exact)
//             "state.<i>.step"      number of updates of parameter i (present iff it has state)
// load_state_dict() checks all of it against this optimizer (name, group sizes, option values,
// missing/unexpected state keys, shapes), reports every problem in one ember::Error, and changes
// nothing unless everything is valid. It restores the options too (lr included), as PyTorch does.
//
// Each update is one pass over the parameter's elements that reads and writes the parameter, its
// gradient and its state in place (no temporaries), in fixed chunks on the TBB pool: elementwise,
// so the result does not depend on the thread count. The arithmetic follows PyTorch's
// single-tensor ("foreach=False") update order, with the scalar factors computed in double and
// rounded to float as PyTorch's kernels do.
#include <cstdint>
#include <map>
#include <type_traits>
#include <string>
#include <vector>

#include "ember/core/numbers.h"
#include "ember/core/options.h"
#include "ember/core/parallel.h"
#include "ember/core/tensor.h"
#include "ember/nn/state_dict.h"

namespace ember::optim {

// One group of parameters with its own options.
template <typename Options>
struct ParamGroup {
  TensorList params;
  Options options;
};

// The state of one parameter: how many updates it had, and its named state tensors.
struct ParamState {
  int64_t step = 0;
  std::map<std::string, Tensor> tensors;
  const Tensor& at(const std::string& name) const;
};

namespace detail {
// Elements per chunk of step()'s pass over all parameters; the chunks depend on the sizes alone.
inline constexpr int64_t kUpdateGrain = int64_t{1} << 15;
// A piece [begin, end) of one parameter's elements.
struct ElementRange {
  int64_t begin = 0, end = 0;
};
}  // namespace detail

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  const std::string& name() const { return name_; }
  size_t num_groups() const { return groups_.size(); }
  const TensorList& params(size_t group) const;
  size_t num_params() const { return states_.size(); }

  // Sets every parameter's gradient undefined (PyTorch's set_to_none=True).
  void zero_grad();
  // One update of every parameter whose gradient is defined, under NoGradGuard.
  void step();

  // The learning rate of a group (schedulers read and write these).
  virtual double lr(size_t group = 0) const = 0;
  virtual void set_lr(size_t group, double lr) = 0;
  std::vector<double> lrs() const;
  void set_lr(double lr);  // every group

  // The state of parameter `index` (numbered across groups); nullptr before its first update.
  const ParamState* state(size_t index) const;

  nn::StateDict state_dict() const;
  virtual void load_state_dict(const nn::StateDict& dict) = 0;

 protected:
  Optimizer(std::string name, std::vector<TensorList> groups);

  // Names of the state tensors a parameter of `group` has (from the group's options).
  virtual std::vector<std::string> state_names(size_t group) const = 0;
  // Option name -> value text for the state_dict.
  virtual std::vector<std::pair<std::string, std::string>> option_items(size_t group) const = 0;
  // Updates elements [range.begin, range.end) of one parameter (step() calls it for pieces of
  // every parameter in one parallel pass). `grad` is contiguous with the parameter's shape;
  // `state.step` was already incremented and state tensors were created as zeros on the first
  // update. Called serially per piece: no parallelism inside.
  virtual void update(size_t group, const Tensor& param, const Tensor& grad, ParamState& state,
                      detail::ElementRange range) = 0;

  // For load_state_dict: checks the name and group structure, reads the state for the given
  // per-group state names, appending every problem to `errors`.
  void check_header(const nn::StateDict& dict, std::vector<std::string>& errors) const;
  std::vector<ParamState> read_states(const nn::StateDict& dict, const std::vector<std::vector<std::string>>& names,
                                      std::vector<std::string>& errors) const;
  void replace_states(std::vector<ParamState> states) { states_ = std::move(states); }
  [[noreturn]] void fail_load(const std::vector<std::string>& errors) const;

 private:
  std::string name_;
  std::vector<TensorList> groups_;
  std::vector<ParamState> states_;  // by parameter index across groups
};

// The common part of the concrete optimizers: per-group options of type Options, which must have
// lr(), validate(optimizer_name) and fields(f) calling f(name, member) for every option.
template <typename Options>
class OptimizerWith : public Optimizer {
 public:
  using Group = ParamGroup<Options>;

  const Options& options(size_t group = 0) const { return options_.at(group); }
  double lr(size_t group = 0) const override { return options_.at(group).lr(); }
  void set_lr(size_t group, double lr) override {
    Options changed = options_.at(group);
    changed.lr(lr);
    changed.validate(name());
    options_.at(group) = changed;
  }
  using Optimizer::set_lr;

  void load_state_dict(const nn::StateDict& dict) override {
    std::vector<std::string> errors;
    check_header(dict, errors);
    if (!errors.empty()) fail_load(errors);
    std::vector<Options> loaded = options_;
    std::vector<std::vector<std::string>> names;
    for (size_t g = 0; g < loaded.size(); ++g) {
      loaded[g].fields([&](const char* field, auto& value) { read_option(dict, g, field, value, errors); });
      try {
        loaded[g].validate(name());
      } catch (const Error& e) {
        errors.push_back(fmt::format("group {}: {}", g, e.what()));
      }
      names.push_back(names_for(loaded[g]));
    }
    std::vector<ParamState> states = read_states(dict, names, errors);
    if (!errors.empty()) fail_load(errors);
    options_ = std::move(loaded);
    replace_states(std::move(states));
  }

 protected:
  OptimizerWith(std::string name, std::vector<Group> groups)
      : Optimizer(std::move(name), params_of(groups)) {
    for (auto& group : groups) {
      group.options.validate(this->name());
      options_.push_back(group.options);
    }
  }
  static std::vector<Group> single(TensorList params, Options options) {
    return {Group{std::move(params), std::move(options)}};
  }

  virtual std::vector<std::string> names_for(const Options& options) const = 0;
  std::vector<std::string> state_names(size_t group) const override { return names_for(options_.at(group)); }
  std::vector<std::pair<std::string, std::string>> option_items(size_t group) const override {
    std::vector<std::pair<std::string, std::string>> out;
    Options copy = options_.at(group);
    copy.fields([&](const char* field, auto& value) {
      if constexpr (std::is_same_v<std::decay_t<decltype(value)>, bool>) {
        out.emplace_back(field, value ? "1" : "0");
      } else {
        out.emplace_back(field, fmt::format("{}", value));
      }
    });
    return out;
  }

  std::vector<Options> options_;

 private:
  static std::vector<TensorList> params_of(const std::vector<Group>& groups) {
    std::vector<TensorList> out;
    for (const auto& g : groups) out.push_back(g.params);
    return out;
  }
  // Parses "group.<g>.<field>" into value (double or bool), or records why it cannot.
  template <typename T>
  static void read_option(const nn::StateDict& dict, size_t g, const char* field, T& value,
                          std::vector<std::string>& errors) {
    const std::string key = fmt::format("group.{}.{}", g, field);
    auto it = dict.metadata.find(key);
    if (it == dict.metadata.end()) {
      errors.push_back(fmt::format("missing metadata '{}'", key));
      return;
    }
    double parsed = 0;
    if (!read_double(it->second, parsed)) {
      errors.push_back(fmt::format("metadata '{}' = '{}' is not a number", key, it->second));
      return;
    }
    if constexpr (std::is_same_v<T, bool>) {
      value = parsed != 0;
    } else {
      value = static_cast<T>(parsed);
    }
  }
};

namespace detail {
// Calls f(i) for every element index in range (serially: step() already runs pieces in parallel).
template <typename F>
void for_each_element(ElementRange range, F f) {
  for (int64_t i = range.begin; i < range.end; ++i) f(i);
}
}  // namespace detail

}  // namespace ember::optim
