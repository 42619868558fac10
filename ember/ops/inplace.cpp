// In-place updates (Tensor::add_ and friends): outside the graph, for optimizers and init.
#include <cmath>

#include "ember/autograd/grad_mode.h"
#include "ember/ops/checks.h"
#include "ember/kernels/elementwise_kernels.h"

namespace ember {

namespace {

// In-place writes are allowed when nothing can observe them through autograd: grad mode off or
// a tensor that does not require grad. The write target must not alias itself (expand views).
void check_writable(const Tensor& self, const char* op) {
  ops_detail::check_float(op, "self", self);
  EMBER_CHECK(!(self.requires_grad() && autograd::is_grad_enabled()),
              "{}: in-place update of a tensor that requires grad ({}) while grad mode is on; wrap optimizer-style "
              "updates in NoGradGuard, or use the out-of-place op",
              op, self.describe());
  for (int64_t d = 0; d < self.dim() && self.numel() > 0; ++d) {
    EMBER_CHECK(self.strides()[d] != 0 || self.shape()[d] <= 1,
                "{}: the tensor {} is an expanded view in which several elements share memory; clone() it before "
                "writing in place",
                op, self.describe());
  }
}

template <typename F>
const Tensor& update(const Tensor& self, const Tensor& other, const char* op, F f) {
  check_writable(self, op);
  ops_detail::check_float(op, "other", other);
  kernels::update_inplace(self, other, f, op);
  self.bump_version();
  return self;
}

template <typename F>
const Tensor& map(const Tensor& self, const char* op, F f) {
  check_writable(self, op);
  kernels::map_inplace(self, f);
  self.bump_version();
  return self;
}

}  // namespace

const Tensor& Tensor::add_(const Tensor& other, float alpha) const {
  return update(*this, other, "add_", [alpha](float a, float b) { return a + alpha * b; });
}
const Tensor& Tensor::add_(float value) const {
  return map(*this, "add_", [value](float a) { return a + value; });
}
const Tensor& Tensor::sub_(const Tensor& other) const {
  return update(*this, other, "sub_", [](float a, float b) { return a - b; });
}
const Tensor& Tensor::mul_(const Tensor& other) const {
  return update(*this, other, "mul_", [](float a, float b) { return a * b; });
}
const Tensor& Tensor::mul_(float value) const {
  return map(*this, "mul_", [value](float a) { return a * value; });
}
const Tensor& Tensor::div_(const Tensor& other) const {
  return update(*this, other, "div_", [](float a, float b) { return a / b; });
}
const Tensor& Tensor::div_(float value) const {
  return map(*this, "div_", [value](float a) { return a / value; });
}

const Tensor& Tensor::addcmul_(const Tensor& a, const Tensor& b, float value) const {
  check_writable(*this, "addcmul_");
  ops_detail::check_float("addcmul_", "a", a);
  ops_detail::check_float("addcmul_", "b", b);
  // Broadcast a*b first so shapes are checked against self once.
  const Tensor product = kernels::map_binary(a, b, [value](float x, float y) { return value * x * y; }, "addcmul_");
  kernels::update_inplace(*this, product, [](float s, float p) { return s + p; }, "addcmul_");
  bump_version();
  return *this;
}

const Tensor& Tensor::addcdiv_(const Tensor& a, const Tensor& b, float value) const {
  check_writable(*this, "addcdiv_");
  ops_detail::check_float("addcdiv_", "a", a);
  ops_detail::check_float("addcdiv_", "b", b);
  const Tensor quotient = kernels::map_binary(a, b, [value](float x, float y) { return value * x / y; }, "addcdiv_");
  kernels::update_inplace(*this, quotient, [](float s, float q) { return s + q; }, "addcdiv_");
  bump_version();
  return *this;
}

const Tensor& Tensor::clamp_(std::optional<float> min, std::optional<float> max) const {
  EMBER_CHECK(min || max, "clamp_: at least one of min and max must be given");
  EMBER_CHECK(!(min && std::isnan(*min)) && !(max && std::isnan(*max)), "clamp_: min and max must not be NaN");
  EMBER_CHECK(!min || !max || *min <= *max, "clamp_: min {} is greater than max {}", *min, *max);
  const float lo = min.value_or(-INFINITY), hi = max.value_or(INFINITY);
  return map(*this, "clamp_", [lo, hi](float x) { return x < lo ? lo : (x > hi ? hi : x); });
}

const Tensor& Tensor::fill_(float value) const {
  return map(*this, "fill_", [value](float) { return value; });
}

const Tensor& Tensor::zero_() const {
  return map(*this, "zero_", [](float) { return 0.0f; });
}

const Tensor& Tensor::copy_(const Tensor& source) const {
  ops_detail::check_defined("copy_", "self", *this);
  ops_detail::check_defined("copy_", "source", source);
  // Checked here so the error names copy_, not the copy kernel.
  EMBER_CHECK(source.dtype() == dtype(), "copy_: the source is {} but the tensor written to is {}; dtypes must match",
              source.describe(), describe());
  EMBER_CHECK(broadcast_shapes(shape(), source.shape(), "copy_") == shape(),
              "copy_: a source of shape {} cannot be broadcast to the tensor's shape {}", shape_str(source.shape()),
              shape_str(shape()));
  EMBER_CHECK(!(requires_grad() && autograd::is_grad_enabled()),
              "copy_: in-place update of a tensor that requires grad ({}) while grad mode is on; use NoGradGuard",
              describe());
  kernels::copy_into(*this, source);
  bump_version();
  return *this;
}

}  // namespace ember
