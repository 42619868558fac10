// The autograd methods of Tensor (declared in core/tensor.h).
#include "ember/autograd/engine.h"
#include "ember/autograd/node.h"

namespace ember {

const Tensor& Tensor::requires_grad_(bool enabled) const {
  EMBER_CHECK(is_leaf(),
              "requires_grad_: only leaf tensors can change requires_grad; this tensor is the output of {} (use "
              "detach() to get a leaf)",
              grad_fn()->name());
  EMBER_CHECK(!enabled || dtype() == DType::f32, "requires_grad_: only float32 tensors can require grad, got {}",
              describe());
  impl()->requires_grad = enabled;
  return *this;
}

std::string Tensor::grad_fn_name() const { return grad_fn() ? grad_fn()->name() : std::string(); }

Tensor Tensor::grad() const {
  const auto& g = checked().grad;
  return g ? Tensor(g) : Tensor();
}

void Tensor::set_grad(const Tensor& grad) const {
  EMBER_CHECK(!grad.defined() || grad.shape() == shape(), "set_grad: gradient {} does not match tensor {}",
              grad.describe(), describe());
  impl()->grad = grad.defined() ? grad.impl() : nullptr;
}

void Tensor::zero_grad() const { impl()->grad.reset(); }

Tensor Tensor::detach() const { return make_view(*this, shape(), strides(), offset()); }

void Tensor::backward(const Tensor& grad, bool retain_graph) const { autograd::backward(*this, grad, retain_graph); }

}  // namespace ember
