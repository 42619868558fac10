#pragma once
// Adam and AdamW, PyTorch's updates (t = the parameter's update count):
//   Adam:  g = grad + weight_decay * p          AdamW: p = p * (1 - lr * weight_decay); g = grad
//   m = beta1 * m + (1 - beta1) * g
//   v = beta2 * v + (1 - beta2) * g * g
//   v_max = max(v_max, v)                       (amsgrad; the denominator then uses v_max)
//   denom = sqrt(v) / sqrt(1 - beta2^t) + eps
//   p = p - lr / (1 - beta1^t) * m / denom
// State per parameter: "exp_avg", "exp_avg_sq", and "max_exp_avg_sq" with amsgrad.
#include "ember/optim/optimizer.h"

namespace ember::optim {

// Options of Adam (weight decay added to the gradient, default 0) and AdamW (decoupled weight
// decay, default 1e-2), otherwise the same.
template <bool Decoupled>
struct AdamLikeOptions {
  explicit AdamLikeOptions(double lr = 1e-3) : lr_(lr) {}
  EMBER_ARG(double, lr, 1e-3);
  EMBER_ARG(double, beta1, 0.9);
  EMBER_ARG(double, beta2, 0.999);
  EMBER_ARG(double, eps, 1e-8);
  EMBER_ARG(double, weight_decay, Decoupled ? 1e-2 : 0.0);
  EMBER_ARG(bool, amsgrad, false);

 public:
  auto& betas(double b1, double b2) {
    beta1_ = b1;
    beta2_ = b2;
    return *this;
  }
  void validate(const std::string& optimizer) const;
  template <typename F>
  void fields(F&& f) {
    f("lr", lr_), f("beta1", beta1_), f("beta2", beta2_), f("eps", eps_), f("weight_decay", weight_decay_),
        f("amsgrad", amsgrad_);
  }
};
using AdamOptions = AdamLikeOptions<false>;
using AdamWOptions = AdamLikeOptions<true>;

class Adam : public OptimizerWith<AdamOptions> {
 public:
  Adam(TensorList params, AdamOptions options = AdamOptions());
  explicit Adam(std::vector<Group> groups);

 protected:
  std::vector<std::string> names_for(const AdamOptions& options) const override;
  void update(size_t group, const Tensor& param, const Tensor& grad, ParamState& state,
              detail::ElementRange range) override;
};

class AdamW : public OptimizerWith<AdamWOptions> {
 public:
  AdamW(TensorList params, AdamWOptions options = AdamWOptions());
  explicit AdamW(std::vector<Group> groups);

 protected:
  std::vector<std::string> names_for(const AdamWOptions& options) const override;
  void update(size_t group, const Tensor& param, const Tensor& grad, ParamState& state,
              detail::ElementRange range) override;
};

}  // namespace ember::optim
