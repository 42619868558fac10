#include "ember/autograd/engine.h"

#include <optional>
#include <queue>
#include <unordered_map>

#include "ember/autograd/anomaly.h"
#include "ember/autograd/grad_mode.h"
#include "ember/autograd/grad_ready_hook.h"
#include "ember/autograd/node.h"
#include "ember/core/profiler.h"
#include "ember/kernels/elementwise_kernels.h"
#include "ember/kernels/reduce_kernels.h"

namespace ember::autograd {

namespace {

struct PendingNode {
  int dependencies = 0;  // consumers that have not yet delivered their gradient
  TensorList grads;      // one slot per output of the node
};

// Adds `grad` into a slot: the first arrival is kept as is, later ones are summed out of place
// (the first may alias a tensor another node holds).
void accumulate(Tensor& slot, const Tensor& grad) {
  if (!grad.defined()) return;
  if (!slot.defined()) {
    slot = grad;
    return;
  }
  Tensor sum = kernels::contiguous_copy(slot);
  kernels::add_inplace(sum, grad);
  slot = sum;
}

// Counts, for every node reachable from root, how many edges point at it.
std::unordered_map<Node*, PendingNode> count_dependencies(Node* root) {
  std::unordered_map<Node*, PendingNode> pending;
  std::vector<Node*> stack{root};
  pending[root];
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    for (const Edge& edge : node->next_edges()) {
      if (!edge.valid()) continue;
      auto [it, inserted] = pending.try_emplace(edge.node.get());
      ++it->second.dependencies;
      if (inserted) stack.push_back(edge.node.get());
    }
  }
  return pending;
}

// The gradient a node returned for input i, checked and summed back to the input's shape.
Tensor fit_to_input(const Node& node, size_t i, const Tensor& grad) {
  const Shape& want = node.input_shapes()[i];
  if (grad.shape() == want) return grad;
  EMBER_CHECK(broadcast_shapes(grad.shape(), want, "backward") == grad.shape(),
              "backward: {} returned a gradient of shape {} for input {}, whose shape is {}", node.name(),
              shape_str(grad.shape()), i, shape_str(want));
  return kernels::sum_to_shape(grad, want);
}

}  // namespace

void backward(const Tensor& root, const Tensor& grad, bool retain_graph) {
  EMBER_CHECK(root.defined(), "backward: called on an undefined tensor (default-constructed or moved from)");
  EMBER_CHECK(root.requires_grad(),
              "backward: the tensor ({}) does not require grad and has no grad_fn; did you forget "
              "requires_grad_() on a parameter, or compute it under NoGradGuard?",
              root.describe());
  Tensor seed = grad;
  if (!seed.defined()) {
    EMBER_CHECK(root.numel() == 1,
                "backward: a gradient can be created implicitly only for a one-element output, but the output is "
                "{}; pass backward(grad) with a gradient of that shape",
                root.describe());
    seed = ones(root.shape());
  }
  EMBER_CHECK(seed.dtype() == DType::f32 && seed.shape() == root.shape(),
              "backward: the gradient is {} but the output is {}; they must match", seed.describe(),
              root.describe());

  const bool anomaly = is_anomaly_enabled();  // read once: a pass is checked all through or not at all
  if (anomaly) check_backward_seed(seed);
  const GradReadyHook* grad_ready = current_grad_ready_hook();  // likewise read once per pass

  NoGradGuard no_grad;  // backward formulas are not themselves recorded
  const Edge root_edge = edge_to(root);
  auto pending = count_dependencies(root_edge.node.get());

  // Ready nodes run latest-created first: the reverse of the order the forward recorded them.
  auto later_first = [](Node* a, Node* b) { return a->sequence_nr() < b->sequence_nr(); };
  std::priority_queue<Node*, std::vector<Node*>, decltype(later_first)> ready(later_first);

  PendingNode& root_state = pending[root_edge.node.get()];
  root_state.grads.resize(root_edge.node->num_outputs());
  root_state.grads[root_edge.input_nr] = seed;
  ready.push(root_edge.node.get());

  while (!ready.empty()) {
    Node* node = ready.top();
    ready.pop();
    PendingNode& state = pending[node];
    state.grads.resize(node->num_outputs());
    bool any_grad = false;
    for (const Tensor& g : state.grads) any_grad |= g.defined();

    TensorList input_grads;
    if (any_grad) {
      try {
        const std::string profiled_name = profiler::enabled() ? node->name() : std::string();
        std::optional<profiler::Scope> timed;
        if (!profiled_name.empty()) timed.emplace(profiled_name, profiler::Phase::backward);
        input_grads = node->apply(state.grads);
      } catch (const Error& e) {
        throw Error(fmt::format("backward of {}: {}", node->name(), e.what()));
      }
      EMBER_CHECK(input_grads.size() == node->next_edges().size() || node->next_edges().empty(),
                  "backward: {} returned {} gradients for {} inputs", node->name(), input_grads.size(),
                  node->next_edges().size());
      if (anomaly) check_backward_grads(*node, input_grads);
      // A leaf's accumulator runs once per pass, after all its consumers: its .grad is final now.
      if (grad_ready) [[unlikely]] {
        if (const auto* leaf = dynamic_cast<const AccumulateGrad*>(node)) (*grad_ready)(leaf->leaf());
      }
    }
    state.grads.clear();  // free this node's incoming gradients as soon as it is done
    if (!retain_graph) node->release();

    const auto& edges = node->next_edges();
    for (size_t i = 0; i < edges.size(); ++i) {
      if (!edges[i].valid()) continue;
      PendingNode& next = pending[edges[i].node.get()];
      if (i < input_grads.size() && input_grads[i].defined()) {
        next.grads.resize(edges[i].node->num_outputs());
        accumulate(next.grads[edges[i].input_nr], fit_to_input(*node, i, input_grads[i]));
      }
      if (--next.dependencies == 0) ready.push(edges[i].node.get());
    }
  }
}

}  // namespace ember::autograd
