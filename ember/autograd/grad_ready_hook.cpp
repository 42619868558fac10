#include "ember/autograd/grad_ready_hook.h"

namespace ember::autograd {

namespace {
thread_local const GradReadyHook* installed_hook = nullptr;
}

const GradReadyHook* current_grad_ready_hook() { return installed_hook; }

GradReadyHookGuard::GradReadyHookGuard(GradReadyHook hook) : hook_(std::move(hook)), previous_(installed_hook) {
  installed_hook = hook_ ? &hook_ : nullptr;
}

GradReadyHookGuard::~GradReadyHookGuard() { installed_hook = previous_; }

}  // namespace ember::autograd
