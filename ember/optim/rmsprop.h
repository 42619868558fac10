#pragma once
// RMSprop, PyTorch's update:
//   g = grad + weight_decay * p
//   sq = alpha * sq + (1 - alpha) * g * g
//   centered: ga = alpha * ga + (1 - alpha) * g;  avg = sqrt(sq - ga * ga) + eps
//   otherwise: avg = sqrt(sq) + eps
//   momentum > 0: buf = momentum * buf + g / avg;  p = p - lr * buf
//   otherwise:    p = p - lr * g / avg
// State per parameter: "square_avg", "momentum_buffer" (momentum > 0), "grad_avg" (centered).
#include "ember/optim/optimizer.h"

namespace ember::optim {

struct RMSpropOptions {
  explicit RMSpropOptions(double lr = 1e-2) : lr_(lr) {}
  EMBER_ARG(double, lr, 1e-2);
  EMBER_ARG(double, alpha, 0.99);
  EMBER_ARG(double, eps, 1e-8);
  EMBER_ARG(double, weight_decay, 0.0);
  EMBER_ARG(double, momentum, 0.0);
  EMBER_ARG(bool, centered, false);

 public:
  void validate(const std::string& optimizer) const;
  template <typename F>
  void fields(F&& f) {
    f("lr", lr_), f("alpha", alpha_), f("eps", eps_), f("weight_decay", weight_decay_), f("momentum", momentum_),
        f("centered", centered_);
  }
};

class RMSprop : public OptimizerWith<RMSpropOptions> {
 public:
  RMSprop(TensorList params, RMSpropOptions options = RMSpropOptions());
  explicit RMSprop(std::vector<Group> groups);

 protected:
  std::vector<std::string> names_for(const RMSpropOptions& options) const override;
  void update(size_t group, const Tensor& param, const Tensor& grad, ParamState& state,
              detail::ElementRange range) override;
};

}  // namespace ember::optim
