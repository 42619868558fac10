// docs/adding_an_op.md, section 1, verbatim: a user-defined op (softsign) through
// autograd::Function, its gradient and a gradcheck. tests check that the guide's block is this file.
#include <ember/ember.h>

using namespace ember;

struct Softsign : autograd::Function<Softsign> {
  // Runs with recording off. Every Tensor argument is an input of the op; other arguments
  // (floats, ints, options) are passed through and can be stashed in ctx.saved_data.
  static Tensor forward(autograd::FunctionCtx& ctx, const Tensor& x) {
    ctx.save_for_backward({x});
    return x / (x.abs() + 1.0f);
  }

  // grad[i] is the gradient w.r.t. output i. Return one gradient per Tensor input, in order;
  // return Tensor() for an input that needs none (check ctx.needs_input_grad(i) to skip work).
  static TensorList backward(autograd::FunctionCtx& ctx, const TensorList& grad) {
    const Tensor x = ctx.saved()[0];  // throws if x was modified in place since forward
    const Tensor denom = x.abs() + 1.0f;
    return {grad[0] / (denom * denom)};
  }
};

int main() {
  Tensor x = randn({4, 3}).requires_grad_();
  Tensor y = Softsign::apply(x);  // recorded: y.grad_fn()->name() == "Softsign"
  y.sum().backward();
  fmt::print("{}\n", x.grad());

  // Check the backward against finite differences before trusting it.
  auto result = autograd::gradcheck([](const TensorList& in) { return Softsign::apply(in[0]); }, {x});
  fmt::print("gradcheck: {} ({} elements checked)\n{}", result.ok ? "ok" : "FAILED", result.checked,
             result.report);
}
