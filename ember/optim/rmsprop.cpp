#include "ember/optim/rmsprop.h"

#include <cmath>

namespace ember::optim {

void RMSpropOptions::validate(const std::string& optimizer) const {
  EMBER_CHECK(std::isfinite(lr_) && lr_ >= 0, "{}: invalid learning rate {} (must be >= 0)", optimizer, lr_);
  EMBER_CHECK(std::isfinite(eps_) && eps_ >= 0, "{}: invalid eps {} (must be >= 0)", optimizer, eps_);
  EMBER_CHECK(alpha_ >= 0 && alpha_ <= 1, "{}: invalid alpha {} (must be in [0, 1])", optimizer, alpha_);
  EMBER_CHECK(std::isfinite(momentum_) && momentum_ >= 0, "{}: invalid momentum {} (must be >= 0)", optimizer,
              momentum_);
  EMBER_CHECK(std::isfinite(weight_decay_) && weight_decay_ >= 0, "{}: invalid weight_decay {} (must be >= 0)",
              optimizer, weight_decay_);
}

RMSprop::RMSprop(TensorList params, RMSpropOptions options) : RMSprop(single(std::move(params), options)) {}
RMSprop::RMSprop(std::vector<Group> groups) : OptimizerWith("RMSprop", std::move(groups)) {}

std::vector<std::string> RMSprop::names_for(const RMSpropOptions& options) const {
  std::vector<std::string> names{"square_avg"};
  if (options.momentum() > 0) names.push_back("momentum_buffer");
  if (options.centered()) names.push_back("grad_avg");
  return names;
}

void RMSprop::update(size_t group, const Tensor& param, const Tensor& grad, ParamState& state,
                   detail::ElementRange range) {
  const RMSpropOptions& o = options_[group];
  float* p = param.data<float>();
  const float* g = grad.data<float>();
  float* sq = state.at("square_avg").data<float>();
  float* buf = o.momentum() > 0 ? state.at("momentum_buffer").data<float>() : nullptr;
  float* ga = o.centered() ? state.at("grad_avg").data<float>() : nullptr;
  const bool decay = o.weight_decay() != 0;
  const float wd = static_cast<float>(o.weight_decay());
  const float alpha = static_cast<float>(o.alpha()), one_minus_alpha = static_cast<float>(1 - o.alpha());
  const float eps = static_cast<float>(o.eps());
  const float momentum = static_cast<float>(o.momentum());
  const float neg_lr = static_cast<float>(-o.lr());
  detail::for_each_element(range, [&](int64_t i) {
    float d = g[i];
    if (decay) d = d + wd * p[i];
    const float s = sq[i] * alpha + one_minus_alpha * d * d;
    sq[i] = s;
    float avg;
    if (ga) {
      const float a = ga[i] * alpha + one_minus_alpha * d;
      ga[i] = a;
      avg = std::sqrt(s + -1.0f * a * a);
    } else {
      avg = std::sqrt(s);
    }
    avg = avg + eps;
    if (buf) {
      const float b = buf[i] * momentum + 1.0f * d / avg;
      buf[i] = b;
      p[i] = p[i] + neg_lr * b;
    } else {
      p[i] = p[i] + neg_lr * d / avg;
    }
  });
}

}  // namespace ember::optim
