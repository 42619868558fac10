#include "ember/optim/adagrad.h"

#include <cmath>

namespace ember::optim {

void AdagradOptions::validate(const std::string& optimizer) const {
  EMBER_CHECK(std::isfinite(lr_) && lr_ >= 0, "{}: invalid learning rate {} (must be >= 0)", optimizer, lr_);
  EMBER_CHECK(std::isfinite(lr_decay_) && lr_decay_ >= 0, "{}: invalid lr_decay {} (must be >= 0)", optimizer,
              lr_decay_);
  EMBER_CHECK(std::isfinite(weight_decay_) && weight_decay_ >= 0, "{}: invalid weight_decay {} (must be >= 0)",
              optimizer, weight_decay_);
  EMBER_CHECK(std::isfinite(initial_accumulator_value_) && initial_accumulator_value_ >= 0,
              "{}: invalid initial_accumulator_value {} (must be >= 0)", optimizer, initial_accumulator_value_);
  EMBER_CHECK(std::isfinite(eps_) && eps_ >= 0, "{}: invalid eps {} (must be >= 0)", optimizer, eps_);
}

Adagrad::Adagrad(TensorList params, AdagradOptions options) : Adagrad(single(std::move(params), options)) {}
Adagrad::Adagrad(std::vector<Group> groups) : OptimizerWith("Adagrad", std::move(groups)) {}

std::vector<std::string> Adagrad::names_for(const AdagradOptions&) const { return {"sum"}; }

void Adagrad::update(size_t group, const Tensor& param, const Tensor& grad, ParamState& state,
                   detail::ElementRange range) {
  const AdagradOptions& o = options_[group];
  float* p = param.data<float>();
  const float* g = grad.data<float>();
  float* sum = state.at("sum").data<float>();
  const bool decay = o.weight_decay() != 0;
  const float wd = static_cast<float>(o.weight_decay());
  const float eps = static_cast<float>(o.eps());
  const float initial = static_cast<float>(o.initial_accumulator_value());
  const bool first = state.step == 1;
  const double clr = o.lr() / (1 + static_cast<double>(state.step - 1) * o.lr_decay());
  const float neg_clr = static_cast<float>(-clr);
  detail::for_each_element(range, [&](int64_t i) {
    float d = g[i];
    if (decay) d = d + wd * p[i];
    const float s = (first ? initial : sum[i]) + 1.0f * d * d;
    sum[i] = s;
    const float std_dev = std::sqrt(s) + eps;
    p[i] = p[i] + neg_clr * d / std_dev;
  });
}

}  // namespace ember::optim
