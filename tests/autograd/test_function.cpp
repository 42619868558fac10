// User-defined ops through autograd::Function, and gradcheck itself.
#include "support/helpers.h"

using namespace ember;
using autograd::FunctionCtx;
using ember::test::check_close;
using ember::test::check_error;

namespace {

struct Cube : autograd::Function<Cube> {
  static Tensor forward(FunctionCtx& ctx, const Tensor& x) {
    ctx.save_for_backward({x});
    return x * x * x;
  }
  static TensorList backward(FunctionCtx& ctx, const TensorList& grad) {
    const Tensor x = ctx.saved()[0];
    return {grad[0] * 3.0f * x * x};
  }
};

// Non-tensor arguments and a mask: scale * a * b.
struct ScaledProduct : autograd::Function<ScaledProduct> {
  static inline int backward_calls_for_b = 0;
  static Tensor forward(FunctionCtx& ctx, const Tensor& a, const Tensor& b, float scale) {
    ctx.save_for_backward({a, b});
    ctx.saved_data["scale"] = scale;
    return a * b * scale;
  }
  static TensorList backward(FunctionCtx& ctx, const TensorList& grad) {
    const auto saved = ctx.saved();
    const float scale = static_cast<float>(ctx.saved_data["scale"]);
    Tensor da = ctx.needs_input_grad(0) ? grad[0] * saved[1] * scale : Tensor();
    Tensor db;
    if (ctx.needs_input_grad(1)) {
      ++backward_calls_for_b;
      db = grad[0] * saved[0] * scale;
    }
    return {da, db};
  }
};

// Two outputs: (x + 1, x * 2).
struct Split : autograd::Function<Split> {
  static TensorList forward(FunctionCtx&, const Tensor& x) { return {x + 1.0f, x * 2.0f}; }
  static TensorList backward(FunctionCtx&, const TensorList& grad) { return {grad[0] + grad[1] * 2.0f}; }
};

struct WrongCount : autograd::Function<WrongCount> {
  static Tensor forward(FunctionCtx&, const Tensor& x) { return x * 2.0f; }
  static TensorList backward(FunctionCtx&, const TensorList& grad) { return {grad[0], grad[0]}; }
};

struct WrongGradient : autograd::Function<WrongGradient> {
  static Tensor forward(FunctionCtx&, const Tensor& x) { return x * x; }
  static TensorList backward(FunctionCtx&, const TensorList& grad) { return {grad[0] * 3.0f}; }
};

// Returns its input unchanged: the output must still be a distinct node-owned handle.
struct Identity : autograd::Function<Identity> {
  static Tensor forward(FunctionCtx&, const Tensor& x) { return x; }
  static TensorList backward(FunctionCtx&, const TensorList& grad) { return {grad[0]}; }
};

}  // namespace

TEST_CASE("a user-defined Function differentiates like a built-in op") {
  Tensor x = tensor({1, -2, 0.5f}).requires_grad_();
  Tensor y = Cube::apply(x);
  CHECK(y.grad_fn() != nullptr);
  CHECK(y.grad_fn()->name().find("Cube") != std::string::npos);
  y.sum().backward();
  check_close(x.grad(), tensor({3, 12, 0.75f}));
  ember::test::check_gradcheck([](const TensorList& in) { return Cube::apply(in[0]); },
                               {ember::test::random_leaf({3, 4}, 7)});
}

TEST_CASE("Function passes non-tensor arguments and computes only needed gradients") {
  ScaledProduct::backward_calls_for_b = 0;
  Tensor a = tensor({1, 2}).requires_grad_();
  Tensor b = tensor({3, 4});
  ScaledProduct::apply(a, b, 0.5f).sum().backward();
  check_close(a.grad(), tensor({1.5f, 2}));
  CHECK(ScaledProduct::backward_calls_for_b == 0);
  ember::test::check_gradcheck([](const TensorList& in) { return ScaledProduct::apply(in[0], in[1], 2.0f); },
                               {ember::test::random_leaf({5}, 1), ember::test::random_leaf({5}, 2)});
}

TEST_CASE("Function with several outputs gets zeros for unused ones") {
  Tensor x = tensor({1, 2}).requires_grad_();
  TensorList outs = Split::apply(x);
  REQUIRE(outs.size() == 2);
  outs[1].sum().backward();  // outs[0] gets no gradient
  check_close(x.grad(), tensor({2, 2}));
  const auto result = autograd::gradcheck(
      autograd::TensorFunction([](const TensorList& in) { return Split::apply(in[0]); }),
      {ember::test::random_leaf({3}, 4)});
  CHECK_MESSAGE(result.ok, result.report);
}

TEST_CASE("Function errors are clear") {
  Tensor x = tensor({1}).requires_grad_();
  check_error([&] { WrongCount::apply(x).sum().backward(); }, {"WrongCount", "2 gradients", "1 tensor inputs"});
  Tensor y = Identity::apply(x);
  CHECK(x.is_leaf());  // forward returned its input; the input's identity was not touched
  CHECK_FALSE(y.is_leaf());
}

TEST_CASE("Function outputs record nothing without grad") {
  Tensor x = tensor({1, 2});
  Tensor y = Cube::apply(x);
  CHECK(y.grad_fn() == nullptr);
  NoGradGuard no_grad;
  CHECK(Cube::apply(x.detach().requires_grad_()).grad_fn() == nullptr);
}

TEST_CASE("gradcheck catches a wrong gradient and reports it") {
  const auto result = autograd::gradcheck([](const TensorList& in) { return WrongGradient::apply(in[0]); },
                                          {tensor({1, 2}).requires_grad_()});
  CHECK_FALSE(result.ok);
  CHECK(result.report.find("input 0") != std::string::npos);
  CHECK(result.report.find("numerical") != std::string::npos);
}

TEST_CASE("gradcheck skips kinks but still checks the smooth elements") {
  // relu at exactly 0 has no derivative; the other elements must still be compared.
  const auto result = autograd::gradcheck([](const TensorList& in) { return relu(in[0]); },
                                          {tensor({0.0f, 0.5f, -0.5f, 0.0f}).requires_grad_()});
  CHECK(result.ok);
  CHECK(result.skipped == 2);
  CHECK(result.checked == 2);
}

TEST_CASE("gradcheck samples large inputs") {
  const auto result = autograd::gradcheck([](const TensorList& in) { return (in[0] * in[0]).sum(); },
                                          {ember::test::random_leaf({1000}, 3)},
                                          autograd::GradcheckOptions().max_elements_per_input(10));
  CHECK(result.ok);
  CHECK(result.checked == 10);
}
