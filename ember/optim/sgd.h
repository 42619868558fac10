#pragma once
// SGD with momentum, dampening, Nesterov momentum and (L2) weight decay, PyTorch's update:
//   g = grad + weight_decay * p
//   buf = g                                            (first update)
//   buf = momentum * buf + (1 - dampening) * g         (later updates)
//   g = nesterov ? g + momentum * buf : buf            (when momentum != 0)
//   p = p - lr * g
// State per parameter: "momentum_buffer" when momentum != 0.
#include "ember/optim/optimizer.h"

namespace ember::optim {

struct SGDOptions {
  explicit SGDOptions(double lr) : lr_(lr) {}
  EMBER_ARG(double, lr, 0.0);
  EMBER_ARG(double, momentum, 0.0);
  EMBER_ARG(double, dampening, 0.0);
  EMBER_ARG(double, weight_decay, 0.0);
  EMBER_ARG(bool, nesterov, false);

 public:
  // Throws ember::Error naming the optimizer and the bad value.
  void validate(const std::string& optimizer) const;
  template <typename F>
  void fields(F&& f) {
    f("lr", lr_), f("momentum", momentum_), f("dampening", dampening_), f("weight_decay", weight_decay_),
        f("nesterov", nesterov_);
  }
};

class SGD : public OptimizerWith<SGDOptions> {
 public:
  SGD(TensorList params, SGDOptions options);
  explicit SGD(std::vector<Group> groups);

 protected:
  std::vector<std::string> names_for(const SGDOptions& options) const override;
  void update(size_t group, const Tensor& param, const Tensor& grad, ParamState& state,
              detail::ElementRange range) override;
};

}  // namespace ember::optim
