#pragma once
// The backward engine: runs the recorded graph in reverse.
#include "ember/core/tensor.h"

namespace ember::autograd {

// Backpropagates from `root` with gradient `grad` (defaults to 1 for a one-element root) and
// accumulates into the .grad of every leaf that requires grad.
//
// Nodes run in reverse creation order once all their consumers are done, each exactly once; a
// node's input gradients are summed (in a fixed order) before it runs. Gradients a node returns
// in a broadcast shape are summed back to its inputs' shapes here, the one place that does it.
// Unless retain_graph, every node's saved tensors are freed as it finishes, so a training loop's
// memory does not grow and a second backward through the same graph throws.
// A GradReadyHookGuard (autograd/grad_ready_hook.h) on this thread is told of each leaf as soon
// as its gradient is final, while backward continues.
void backward(const Tensor& root, const Tensor& grad = Tensor(), bool retain_graph = false);

}  // namespace ember::autograd
