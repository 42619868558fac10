#include "ember/optim/sgd.h"

#include <cmath>

namespace ember::optim {

void SGDOptions::validate(const std::string& optimizer) const {
  EMBER_CHECK(std::isfinite(lr_) && lr_ >= 0, "{}: invalid learning rate {} (must be >= 0)", optimizer, lr_);
  EMBER_CHECK(std::isfinite(momentum_) && momentum_ >= 0, "{}: invalid momentum {} (must be >= 0)", optimizer,
              momentum_);
  EMBER_CHECK(std::isfinite(dampening_), "{}: invalid dampening {}", optimizer, dampening_);
  EMBER_CHECK(std::isfinite(weight_decay_) && weight_decay_ >= 0, "{}: invalid weight_decay {} (must be >= 0)",
              optimizer, weight_decay_);
  EMBER_CHECK(!nesterov_ || (momentum_ > 0 && dampening_ == 0),
              "{}: nesterov momentum requires a momentum > 0 and zero dampening (got momentum {}, dampening {})",
              optimizer, momentum_, dampening_);
}

SGD::SGD(TensorList params, SGDOptions options) : SGD(single(std::move(params), options)) {}
SGD::SGD(std::vector<Group> groups) : OptimizerWith("SGD", std::move(groups)) {}

std::vector<std::string> SGD::names_for(const SGDOptions& options) const {
  if (options.momentum() != 0) return {"momentum_buffer"};
  return {};
}

void SGD::update(size_t group, const Tensor& param, const Tensor& grad, ParamState& state,
                   detail::ElementRange range) {
  const SGDOptions& o = options_[group];
  float* p = param.data<float>();
  const float* g = grad.data<float>();
  const float wd = static_cast<float>(o.weight_decay());
  const float neg_lr = static_cast<float>(-o.lr());
  const bool decay = o.weight_decay() != 0;
  if (o.momentum() == 0) {
    detail::for_each_element(range, [&](int64_t i) {
      float d = g[i];
      if (decay) d = d + wd * p[i];
      p[i] = p[i] + neg_lr * d;
    });
    return;
  }
  float* buf = state.at("momentum_buffer").data<float>();
  const float momentum = static_cast<float>(o.momentum());
  const float keep = static_cast<float>(1.0 - o.dampening());
  const bool first = state.step == 1;
  const bool nesterov = o.nesterov();
  detail::for_each_element(range, [&](int64_t i) {
    float d = g[i];
    if (decay) d = d + wd * p[i];
    float b = d;
    if (!first) {
      b = buf[i] * momentum;
      b = b + keep * d;
    }
    buf[i] = b;
    d = nesterov ? d + momentum * b : b;
    p[i] = p[i] + neg_lr * d;
  });
}

}  // namespace ember::optim
