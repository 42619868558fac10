// Anomaly mode (ember::detect_anomaly): the first op whose forward or backward produced NaN/Inf
// is named with its inputs' shapes; nothing is checked or thrown when it is off; a clean training
// step runs through unchanged.
#include <cmath>
#include <limits>
#include <optional>
#include <thread>

#include "support/helpers.h"

using namespace ember;
using ember::test::check_bitwise_equal;
using ember::test::check_error;
using ember::test::random_leaf;
using ember::test::random_tensor;

namespace {

// Backward returns NaN whatever it gets; its forward is clean.
struct NanGradient : autograd::Function<NanGradient> {
  static Tensor forward(autograd::FunctionCtx&, const Tensor& x) { return x * 2.0f; }
  static TensorList backward(autograd::FunctionCtx&, const TensorList& grad) {
    return {grad[0] * std::numeric_limits<float>::quiet_NaN()};
  }
};

}  // namespace

TEST_CASE("forward: the op that produced NaN or Inf is named with its inputs") {
  detect_anomaly anomaly;
  const Tensor x = random_leaf({2, 3}, 1, -2.0f, -1.0f);
  check_error([&] { (void)ember::log(x); },
              {"detect_anomaly: log produced NaN in its forward output float32 [2, 3] (inputs: float32 [2, 3])"});
  const Tensor a = zeros({4}).requires_grad_();
  check_error([&] { (void)div(a, zeros({4})); },
              {"detect_anomaly: div produced NaN", "output float32 [4]", "inputs: float32 [4], float32 [4]"});
  check_error([&] { (void)ember::exp(a + 100.0f); }, {"detect_anomaly: exp produced Inf", "float32 [4]"});
  // Built-in ops are named by their public name, multi-word and numbered ones included.
  const Tensor big = full({1, 1, 2, 2}, 3e38f).requires_grad_();
  check_error([&] { (void)conv2d(big, ones({1, 1, 2, 2})); },
              {"detect_anomaly: conv2d produced Inf", "output float32 [1, 1, 1, 1]",
               "inputs: float32 [1, 1, 2, 2], float32 [1, 1, 2, 2], undefined)"});
  const Tensor hot = full({1, 1, 2, 2}, std::numeric_limits<float>::infinity()).requires_grad_();
  check_error([&] { (void)max_pool2d(hot, MaxPool2dOptions(2)); },
              {"detect_anomaly: max_pool2d produced Inf", "(inputs: float32 [1, 1, 2, 2] (already holding Inf))"});
}

TEST_CASE("forward: the first bad op in a chain is named, and a bad input is marked as such") {
  detect_anomaly anomaly;
  const Tensor x = random_leaf({3}, 2, -2.0f, -1.0f);
  check_error([&] { (void)sum(relu(ember::sqrt(x))); }, {"detect_anomaly: sqrt produced NaN"});
  // NaN that came from outside the graph (the data) is caught at the first recorded op, which says
  // its input already held it.
  const Tensor data = tensor({1.0f, std::numeric_limits<float>::quiet_NaN()});
  const Tensor w = random_leaf({2}, 3);
  check_error([&] { (void)mul(data, w); },
              {"detect_anomaly: mul produced NaN", "inputs: float32 [2] (already holding NaN), float32 [2])"});
}

TEST_CASE("backward: the node whose gradient is NaN or Inf is named with its forward inputs' shapes") {
  detect_anomaly anomaly;
  SUBCASE("sqrt at 0: a clean forward, an infinite gradient") {
    const Tensor x = zeros({3}).requires_grad_();
    const Tensor y = sum(ember::sqrt(x));  // forward is clean: sqrt(0) = 0
    check_error([&] { y.backward(); },
                {"detect_anomaly: SqrtBackward (the backward of sqrt) produced Inf in the gradient of its input 0 "
                 "(float32 [3]); the forward inputs were [3]"});
  }
  SUBCASE("a binary op reports every forward input's shape") {
    // a / b with b = 1e-20 is finite (1e20), but d/db = -a / b^2 overflows to -inf.
    const Tensor a = ones({2, 1}).requires_grad_(), b = full({3}, 1e-20f).requires_grad_();
    const Tensor y = sum(div(a, b));
    check_error([&] { y.backward(); },
                {"detect_anomaly: DivBackward (the backward of div) produced Inf in the gradient of its input 1",
                 "the forward inputs were [2, 1], [3]"});
  }
  SUBCASE("a user-defined Function is named by its type") {
    const Tensor x = random_leaf({4}, 4);
    const Tensor y = sum(NanGradient::apply(x));
    check_error([&] { y.backward(); }, {"detect_anomaly: the backward of",
                                        "NanGradient produced NaN in the gradient of its input 0",
                                        "the forward inputs were [4]"});
  }
  SUBCASE("a NaN handed to backward() is reported as such, not blamed on a node") {
    const Tensor x = random_leaf({2}, 5);
    const Tensor y = x * 2.0f;
    check_error([&] { y.backward(tensor({1.0f, std::numeric_limits<float>::quiet_NaN()})); },
                {"detect_anomaly: the gradient passed to backward() (float32 [2]) holds NaN"});
  }
}

TEST_CASE("with anomaly mode off nothing is checked: NaN and Inf flow as in PyTorch") {
  REQUIRE_FALSE(is_anomaly_enabled());
  const Tensor x = random_leaf({3}, 6, -2.0f, -1.0f);
  CHECK(std::isnan(ember::log(x).at({0})));
  const Tensor z = zeros({3}).requires_grad_();
  sum(ember::sqrt(z)).backward();
  CHECK(std::isinf(z.grad().at({0})));
  const Tensor w = random_leaf({4}, 7);
  sum(NanGradient::apply(w)).backward();
  CHECK(std::isnan(w.grad().at({0})));
}

TEST_CASE("ops that autograd does not record are not checked") {
  detect_anomaly anomaly;
  const Tensor negative = full({3}, -1.0f);
  CHECK(std::isnan(ember::log(negative).at({0})));  // needs no grad
  const Tensor leaf = full({3}, -1.0f).requires_grad_();
  NoGradGuard no_grad;
  CHECK(std::isnan(ember::log(leaf).at({0})));  // recording is off
}

TEST_CASE("the guard, the setter and other threads") {
  const Tensor x = full({2}, -1.0f).requires_grad_();
  auto throws = [&] {
    try {
      (void)ember::log(x);
      return false;
    } catch (const Error&) {
      return true;
    }
  };
  CHECK_FALSE(throws());
  {
    detect_anomaly outer;
    {
      detect_anomaly inner;
      CHECK(throws());
    }
    CHECK(throws());  // the outer guard still holds it on
  }
  CHECK_FALSE(is_anomaly_enabled());
  set_detect_anomaly(true);
  set_detect_anomaly(true);  // idempotent: one set_detect_anomaly(false) undoes it
  CHECK(throws());
  {
    detect_anomaly guard;
    set_detect_anomaly(false);
    CHECK(throws());  // a live guard keeps it on
  }
  CHECK_FALSE(is_anomaly_enabled());
  CHECK_FALSE(throws());

  // The mode is process-wide, so ops on other threads (TBB workers, a data thread) are checked.
  detect_anomaly anomaly;
  bool thrown_in_thread = false;
  std::thread worker([&] { thrown_in_thread = throws(); });
  worker.join();
  CHECK(thrown_in_thread);
}

TEST_CASE("a clean training step runs unchanged with anomaly mode on") {
  auto step = [](bool anomaly_on) {
    manual_seed(11);
    models::LeNet5 model;
    optim::SGD sgd(model.parameters(), optim::SGDOptions(0.05).momentum(0.9));
    const Tensor images = random_tensor({8, 1, 28, 28}, 12, 0.0f, 1.0f);
    const Tensor targets = labels({0, 1, 2, 3, 4, 5, 6, 7});
    std::optional<detect_anomaly> anomaly;
    if (anomaly_on) anomaly.emplace();
    for (int i = 0; i < 3; ++i) {
      sgd.zero_grad();
      const Tensor loss = cross_entropy(model(images), targets);
      loss.backward();
      sgd.step();
    }
    return model.parameters();
  };
  const TensorList with = step(true);
  const TensorList without = step(false);
  REQUIRE(with.size() == without.size());
  for (size_t i = 0; i < with.size(); ++i) check_bitwise_equal(with[i], without[i]);
}

TEST_CASE("node names map to the public op names") {
  CHECK(autograd::forward_op_name("LogBackward") == "log");
  CHECK(autograd::forward_op_name("MaxPool2dBackward") == "max_pool2d");
  CHECK(autograd::forward_op_name("Conv2dReluBackward") == "conv2d_relu");
  CHECK(autograd::forward_op_name("ConvTranspose2dBackward") == "conv_transpose2d");
  CHECK(autograd::forward_op_name("CrossEntropyBackward") == "cross_entropy");
  CHECK(autograd::forward_op_name("BatchNorm2dReluEvalBackward") == "batch_norm2d_relu");
  CHECK(autograd::forward_op_name("AdaptiveAvgPool2dBackward") == "adaptive_avg_pool2d");
  CHECK(autograd::forward_op_name("MyOp") == "MyOp");
}
