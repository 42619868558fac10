#pragma once
// Adagrad, PyTorch's update (t = the parameter's update count):
//   g = grad + weight_decay * p
//   clr = lr / (1 + (t - 1) * lr_decay)
//   sum = sum + g * g                         (sum starts at initial_accumulator_value)
//   p = p - clr * g / (sqrt(sum) + eps)
// State per parameter: "sum".
#include "ember/optim/optimizer.h"

namespace ember::optim {

struct AdagradOptions {
  explicit AdagradOptions(double lr = 1e-2) : lr_(lr) {}
  EMBER_ARG(double, lr, 1e-2);
  EMBER_ARG(double, lr_decay, 0.0);
  EMBER_ARG(double, weight_decay, 0.0);
  EMBER_ARG(double, initial_accumulator_value, 0.0);
  EMBER_ARG(double, eps, 1e-10);

 public:
  void validate(const std::string& optimizer) const;
  template <typename F>
  void fields(F&& f) {
    f("lr", lr_), f("lr_decay", lr_decay_), f("weight_decay", weight_decay_),
        f("initial_accumulator_value", initial_accumulator_value_), f("eps", eps_);
  }
};

class Adagrad : public OptimizerWith<AdagradOptions> {
 public:
  Adagrad(TensorList params, AdagradOptions options = AdagradOptions());
  explicit Adagrad(std::vector<Group> groups);

 protected:
  std::vector<std::string> names_for(const AdagradOptions& options) const override;
  void update(size_t group, const Tensor& param, const Tensor& grad, ParamState& state,
              detail::ElementRange range) override;
};

}  // namespace ember::optim
