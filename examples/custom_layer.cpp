// A custom layer in user code: a new differentiable op (softsign, through autograd::Function),
// a Module wrapping it with a learnable scale, used in a model next to ember's own layers.
// Checks the op with gradcheck, prints the model summary and trains a few Adam steps.
#include <ember/ember.h>

using namespace ember;

// softsign(x) = x / (1 + |x|), d/dx = 1 / (1 + |x|)^2
struct Softsign : autograd::Function<Softsign> {
  static Tensor forward(autograd::FunctionCtx& ctx, const Tensor& x) {
    ctx.save_for_backward({x});
    return x / (x.abs() + 1.0f);
  }
  static TensorList backward(autograd::FunctionCtx& ctx, const TensorList& grad) {
    const Tensor denom = ctx.saved()[0].abs() + 1.0f;
    return {grad[0] / (denom * denom)};
  }
};

// y = scale * softsign(x), one learnable scale per feature.
class ScaledSoftsign : public nn::Module {
 public:
  explicit ScaledSoftsign(int64_t features) : Module("ScaledSoftsign") {
    scale = register_parameter("scale", ones({features}));
  }
  Tensor forward(const Tensor& x) override { return Softsign::apply(x) * scale; }
  Tensor scale;
};

int main() {
  manual_seed(0);
  const auto check = autograd::gradcheck([](const TensorList& in) { return Softsign::apply(in[0]); },
                                         {randn({4, 5}).requires_grad_()});
  fmt::print("gradcheck of Softsign: {} ({} elements)\n", check.ok ? "ok" : "FAILED", check.checked);

  auto model = nn::sequential({std::make_shared<nn::Linear>(2, 32), std::make_shared<ScaledSoftsign>(32),
                               std::make_shared<nn::Linear>(32, 3)});
  fmt::print("{}\n", nn::summary(*model, {1, 2}));

  const Tensor x = randn({256, 2});
  const Tensor y = argmax(matmul(x, randn({2, 3})), 1);
  optim::Adam opt(model->parameters(), optim::AdamOptions(0.01));
  float first = 0, last = 0;
  for (int step = 0; step < 200; ++step) {
    opt.zero_grad();
    Tensor loss = cross_entropy((*model)(x), y);
    loss.backward();
    opt.step();
    if (step == 0) first = loss.item();
    last = loss.item();
  }
  fmt::print("loss {:.4f} -> {:.4f}\n", first, last);
  return check.ok && last < 0.5f * first ? 0 : 1;
}
