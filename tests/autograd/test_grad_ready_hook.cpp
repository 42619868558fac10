// The gradient-ready hook: when it fires (once per leaf, with the final gradient, before
// backward has finished), what it skips, its scoping, and errors thrown from it.
#include <cmath>
#include <stdexcept>
#include <thread>
#include <vector>

#include "ember/autograd/grad_ready_hook.h"
#include "support/helpers.h"

using namespace ember;
using autograd::GradReadyHookGuard;
using ember::test::check_close;

namespace {
// Which leaf a hook call is about (leaves are compared by their shared state).
bool same(const Tensor& a, const Tensor& b) { return a.impl() == b.impl(); }
}  // namespace

TEST_CASE("the hook sees each leaf once, with its final gradient, while backward is still running") {
  // A two-layer chain: w2's gradient is final long before w1's is computed.
  Tensor x = tensor({{1, 2}, {3, 4}});
  Tensor w1 = tensor({{0.5f, -1}, {2, 1}}).requires_grad_();
  Tensor w2 = tensor({{1, 0}, {-1, 3}}).requires_grad_();
  Tensor loss = (relu(matmul(relu(matmul(x, w1)), w2)) * 0.5f).sum();

  std::vector<std::string> seen;
  std::vector<Tensor> grads_at_hook;
  bool w1_had_grad_when_w2_was_ready = true;
  GradReadyHookGuard hook([&](const Tensor& leaf) {
    seen.push_back(same(leaf, w1) ? "w1" : same(leaf, w2) ? "w2" : "other");
    grads_at_hook.push_back(leaf.grad().clone());
    if (same(leaf, w2)) w1_had_grad_when_w2_was_ready = w1.grad().defined();
  });
  loss.backward();
  REQUIRE(seen == std::vector<std::string>{"w2", "w1"});
  CHECK_FALSE(w1_had_grad_when_w2_was_ready);  // reported before backward reached w1
  check_close(grads_at_hook[0], w2.grad());
  check_close(grads_at_hook[1], w1.grad());
}

TEST_CASE("a leaf used several times is reported once, after all its contributions") {
  Tensor x = tensor({1, -2, 3}).requires_grad_();
  Tensor y = (x * x + x * 3.0f + exp(x)).sum();  // three paths into x
  int calls = 0;
  Tensor grad_at_hook;
  GradReadyHookGuard hook([&](const Tensor& leaf) {
    ++calls;
    grad_at_hook = leaf.grad().clone();
  });
  y.backward();
  CHECK(calls == 1);
  check_close(grad_at_hook, x.grad());
  check_close(x.grad(), tensor({2 * 1 + 3 + std::exp(1.0f), 2 * -2 + 3 + std::exp(-2.0f), 2 * 3 + 3 + std::exp(3.0f)}));
}

TEST_CASE("the gradient the hook sees includes what earlier passes accumulated") {
  Tensor x = tensor({1, 2}).requires_grad_();
  (x * 2.0f).sum().backward();  // no hook: .grad = 2
  Tensor seen;
  GradReadyHookGuard hook([&](const Tensor& leaf) { seen = leaf.grad().clone(); });
  (x * 3.0f).sum().backward();
  check_close(seen, tensor({5, 5}));
}

TEST_CASE("leaves without a gradient in the pass, and non-leaves, are not reported") {
  Tensor used = tensor({1, 2}).requires_grad_();
  Tensor unused = tensor({3, 4}).requires_grad_();
  Tensor constant = tensor({5, 6});  // requires no grad
  Tensor hidden = used * 2.0f;       // not a leaf
  (void)unused;
  std::vector<TensorImpl*> seen;
  GradReadyHookGuard hook([&](const Tensor& leaf) { seen.push_back(leaf.impl().get()); });
  (hidden * constant).sum().backward();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0] == used.impl().get());
}

TEST_CASE("guards are scoped and nest; without one nothing is called") {
  Tensor x = tensor({1, 2}).requires_grad_();
  int outer = 0, inner = 0;
  {
    GradReadyHookGuard outer_hook([&](const Tensor&) { ++outer; });
    {
      GradReadyHookGuard inner_hook([&](const Tensor&) { ++inner; });
      (x * 2.0f).sum().backward();
    }
    (x * 2.0f).sum().backward();
    {
      GradReadyHookGuard none(nullptr);  // an empty hook switches reporting off in its scope
      CHECK(autograd::current_grad_ready_hook() == nullptr);
      (x * 2.0f).sum().backward();
    }
  }
  CHECK(autograd::current_grad_ready_hook() == nullptr);
  (x * 2.0f).sum().backward();
  CHECK(inner == 1);
  CHECK(outer == 1);
}

TEST_CASE("the hook is per thread") {
  GradReadyHookGuard hook([](const Tensor&) {});
  const autograd::GradReadyHook* other_thread = &*autograd::current_grad_ready_hook();
  std::thread([&] { other_thread = autograd::current_grad_ready_hook(); }).join();
  CHECK(other_thread == nullptr);
}

TEST_CASE("an exception from the hook reaches the caller of backward") {
  Tensor x = tensor({1, 2}).requires_grad_();
  GradReadyHookGuard hook([](const Tensor&) { throw std::runtime_error("hook says no"); });
  CHECK_THROWS_WITH_AS((x * 2.0f).sum().backward(), "hook says no", std::runtime_error);
}
