#pragma once
// Gradient-ready hook: a callback the backward engine calls as soon as a leaf's .grad is final
// for the pass in progress, while the rest of backward still runs. Data-parallel training uses
// it to start averaging a bucket of gradients across processes before backward has finished
// (ember/distributed/gradient_reducer.h); anything else that wants to act on a gradient early
// (logging, per-parameter clipping) can use it too.
//
//   autograd::GradReadyHookGuard hook([&](const Tensor& leaf) { launch_if_bucket_full(leaf); });
//   loss.backward();   // the hook runs once per leaf that received a gradient, in the order
//                      // their gradients became final
//
// Contract:
// - Called once per backward pass for every leaf (requires_grad, no grad_fn) whose accumulator
//   received a gradient in that pass, right after that gradient was added into leaf.grad(). The
//   engine runs each leaf's accumulator once per pass, after every op that uses the leaf has
//   delivered its part, so leaf.grad() is final for this pass when the hook sees it.
// - Leaves that get no gradient in the pass (unused, or only reached through ops that need no
//   gradient for them) are not reported.
// - Runs on the thread that called backward(), under NoGradGuard; an exception thrown by the hook
//   leaves backward() at once and reaches its caller.
// - Thread-local and scoped, like grad mode: a guard sets the hook for this thread, nested guards
//   restore the previous one. With no hook installed the engine pays one thread-local read per
//   backward pass.
#include <functional>

#include "ember/core/tensor.h"

namespace ember::autograd {

using GradReadyHook = std::function<void(const Tensor& leaf)>;

// The hook installed on this thread, or nullptr.
const GradReadyHook* current_grad_ready_hook();

class GradReadyHookGuard {
 public:
  explicit GradReadyHookGuard(GradReadyHook hook);
  ~GradReadyHookGuard();
  GradReadyHookGuard(const GradReadyHookGuard&) = delete;
  GradReadyHookGuard& operator=(const GradReadyHookGuard&) = delete;

 private:
  GradReadyHook hook_;
  const GradReadyHook* previous_;
};

}  // namespace ember::autograd
