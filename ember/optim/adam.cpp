#include "ember/optim/adam.h"

#include <cmath>

namespace ember::optim {

template <bool Decoupled>
void AdamLikeOptions<Decoupled>::validate(const std::string& optimizer) const {
  EMBER_CHECK(std::isfinite(lr_) && lr_ >= 0, "{}: invalid learning rate {} (must be >= 0)", optimizer, lr_);
  EMBER_CHECK(std::isfinite(eps_) && eps_ >= 0, "{}: invalid eps {} (must be >= 0)", optimizer, eps_);
  EMBER_CHECK(beta1_ >= 0 && beta1_ < 1, "{}: invalid beta1 {} (must be in [0, 1))", optimizer, beta1_);
  EMBER_CHECK(beta2_ >= 0 && beta2_ < 1, "{}: invalid beta2 {} (must be in [0, 1))", optimizer, beta2_);
  EMBER_CHECK(std::isfinite(weight_decay_) && weight_decay_ >= 0, "{}: invalid weight_decay {} (must be >= 0)",
              optimizer, weight_decay_);
}
template struct AdamLikeOptions<false>;
template struct AdamLikeOptions<true>;

namespace {

std::vector<std::string> adam_names(bool amsgrad) {
  if (amsgrad) return {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
  return {"exp_avg", "exp_avg_sq"};
}

// One pass of Adam (decoupled = false) or AdamW (true) over a parameter.
template <bool Decoupled>
void adam_update(const AdamLikeOptions<Decoupled>& o, const Tensor& param, const Tensor& grad, ParamState& state,
                 detail::ElementRange range) {
  float* p = param.data<float>();
  const float* g = grad.data<float>();
  float* m = state.at("exp_avg").data<float>();
  float* v = state.at("exp_avg_sq").data<float>();
  float* vmax = o.amsgrad() ? state.at("max_exp_avg_sq").data<float>() : nullptr;
  const double step = static_cast<double>(state.step);
  const double bias_correction1 = 1 - std::pow(o.beta1(), step);
  const double bias_correction2 = 1 - std::pow(o.beta2(), step);
  const float neg_step_size = static_cast<float>(-(o.lr() / bias_correction1));
  const float bc2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
  const float eps = static_cast<float>(o.eps());
  const float beta1 = static_cast<float>(o.beta1()), one_minus_beta1 = static_cast<float>(1 - o.beta1());
  const float beta2 = static_cast<float>(o.beta2()), one_minus_beta2 = static_cast<float>(1 - o.beta2());
  const bool decay = o.weight_decay() != 0;
  const float wd = static_cast<float>(o.weight_decay());
  const float shrink = static_cast<float>(1 - o.lr() * o.weight_decay());
  detail::for_each_element(range, [&](int64_t i) {
    float d = g[i];
    float x = p[i];
    if constexpr (Decoupled) {
      x = x * shrink;
    } else {
      if (decay) d = d + wd * x;
    }
    const float mi = m[i] * beta1 + one_minus_beta1 * d;
    const float vi = v[i] * beta2 + one_minus_beta2 * d * d;
    m[i] = mi;
    v[i] = vi;
    float second = vi;
    if (vmax) {
      second = vmax[i] < vi ? vi : vmax[i];
      vmax[i] = second;
    }
    const float denom = std::sqrt(second) / bc2_sqrt + eps;
    p[i] = x + neg_step_size * mi / denom;
  });
}

}  // namespace

Adam::Adam(TensorList params, AdamOptions options) : Adam(single(std::move(params), options)) {}
Adam::Adam(std::vector<Group> groups) : OptimizerWith("Adam", std::move(groups)) {}
std::vector<std::string> Adam::names_for(const AdamOptions& options) const { return adam_names(options.amsgrad()); }
void Adam::update(size_t group, const Tensor& param, const Tensor& grad, ParamState& state,
                   detail::ElementRange range) {
  adam_update(options_[group], param, grad, state, range);
}

AdamW::AdamW(TensorList params, AdamWOptions options) : AdamW(single(std::move(params), options)) {}
AdamW::AdamW(std::vector<Group> groups) : OptimizerWith("AdamW", std::move(groups)) {}
std::vector<std::string> AdamW::names_for(const AdamWOptions& options) const { return adam_names(options.amsgrad()); }
void AdamW::update(size_t group, const Tensor& param, const Tensor& grad, ParamState& state,
                   detail::ElementRange range) {
  adam_update(options_[group], param, grad, state, range);
}

}  // namespace ember::optim
