#include "ember/autograd/node.h"

#include <atomic>

#include "ember/autograd/anomaly.h"
#include "ember/autograd/grad_mode.h"
#include "ember/kernels/elementwise_kernels.h"

namespace ember::autograd {

namespace {
std::atomic<uint64_t> next_sequence_nr{0};
std::atomic<int64_t> live_nodes{0};
}  // namespace

int64_t live_node_count() { return live_nodes.load(std::memory_order_relaxed); }

SavedTensor::SavedTensor(const Tensor& t) {
  if (!t.defined()) return;
  tensor_ = make_view(t, t.shape(), t.strides(), t.offset());  // same data, no history
  version_ = t.version();
}

Tensor SavedTensor::get() const {
  if (tensor_.defined() && tensor_.version() != version_) {
    fail(
        "a tensor of {} needed for backward was modified by an in-place operation (its version was {} when saved, "
        "now {}); use an out-of-place op, or clone() the tensor before modifying it",
        tensor_.describe(), version_, tensor_.version());
  }
  return tensor_;
}

Node::Node(std::vector<Edge> next_edges, std::vector<Shape> input_shapes, size_t num_outputs)
    : next_edges_(std::move(next_edges)),
      input_shapes_(std::move(input_shapes)),
      num_outputs_(num_outputs),
      sequence_nr_(next_sequence_nr.fetch_add(1, std::memory_order_relaxed)) {
  live_nodes.fetch_add(1, std::memory_order_relaxed);
}

Node::~Node() {
  live_nodes.fetch_sub(1, std::memory_order_relaxed);
  // Tear long chains down iteratively: a 100k-op graph would otherwise recurse 100k destructors
  // deep and overflow the stack. Children only we own are moved to a thread-local list and
  // destroyed by the outermost ~Node.
  thread_local std::vector<std::shared_ptr<Node>> pending;
  thread_local bool tearing_down = false;
  for (auto& edge : next_edges_) {
    if (edge.node && edge.node.use_count() == 1) pending.push_back(std::move(edge.node));
  }
  if (tearing_down) return;
  tearing_down = true;
  while (!pending.empty()) {
    std::shared_ptr<Node> node = std::move(pending.back());
    pending.pop_back();
    node.reset();  // may push its own children
  }
  tearing_down = false;
}

FunctionNode::FunctionNode(std::string name, std::vector<Edge> next_edges, std::vector<Shape> input_shapes,
                           BackwardFn backward)
    : Node(std::move(next_edges), std::move(input_shapes)), name_(std::move(name)), backward_(std::move(backward)) {
  needs_.resize(this->next_edges().size());
  for (size_t i = 0; i < needs_.size(); ++i) needs_[i] = needs_input_grad(i);
}

TensorList FunctionNode::apply(const TensorList& grad_outputs) {
  EMBER_CHECK(!released_,
              "backward: trying to backward through {} a second time, but its saved tensors were freed after the "
              "first backward; pass retain_graph=true to the first backward() if you need to call it twice",
              name_);
  return backward_(grad_outputs.at(0), needs_);
}

void FunctionNode::release() {
  Node::release();
  backward_ = nullptr;
}

AccumulateGrad::AccumulateGrad(std::shared_ptr<TensorImpl> leaf)
    : Node({}, {leaf->shape}), leaf_(std::move(leaf)) {}

TensorList AccumulateGrad::apply(const TensorList& grad_outputs) {
  const Tensor& incoming = grad_outputs.at(0);
  if (!incoming.defined()) return {};
  if (!leaf_->grad) {
    // Later accumulation writes into .grad in place, so .grad must never alias anything else.
    // A contiguous gradient that nothing else refers to (not another slot, leaf, view or saved
    // tensor) is taken over as it is; anything else is copied.
    const bool sole_owner = incoming.impl().use_count() == 1 && incoming.impl()->storage.use_count() == 1;
    const bool whole = incoming.is_contiguous() && incoming.offset() == 0 &&
                       incoming.impl()->storage->nbytes() == static_cast<size_t>(incoming.numel()) * sizeof(float);
    leaf_->grad = sole_owner && whole ? incoming.impl() : kernels::contiguous_copy(incoming).impl();
  } else {
    Tensor grad(leaf_->grad);
    kernels::add_inplace(grad, incoming);
  }
  return {};
}

bool needs_graph(const TensorList& inputs) {
  if (!is_grad_enabled()) return false;
  for (const Tensor& t : inputs) {
    if (t.defined() && t.requires_grad()) return true;
  }
  return false;
}

Edge edge_to(const Tensor& t) {
  if (!t.defined() || !t.requires_grad()) return {};
  const auto& impl = t.impl();
  if (impl->grad_fn) return {impl->grad_fn, impl->output_nr};
  std::shared_ptr<Node> accumulator = impl->grad_accumulator.lock();
  if (!accumulator) {
    accumulator = std::make_shared<AccumulateGrad>(impl);
    impl->grad_accumulator = accumulator;
  }
  return {accumulator, 0};
}

Tensor attach(const Tensor& output, std::string name, const TensorList& inputs, BackwardFn backward) {
  // Every recorded op passes here right after its forward: the one place anomaly mode needs.
  if (is_anomaly_enabled()) [[unlikely]] check_forward_outputs(name, {output}, inputs);
  std::vector<Edge> edges;
  std::vector<Shape> shapes;
  edges.reserve(inputs.size());
  shapes.reserve(inputs.size());
  for (const Tensor& input : inputs) {
    edges.push_back(edge_to(input));
    shapes.push_back(input.defined() ? input.shape() : Shape{});
  }
  auto node = std::make_shared<FunctionNode>(std::move(name), std::move(edges), std::move(shapes), std::move(backward));
  auto& impl = *output.impl();
  impl.grad_fn = std::move(node);
  impl.output_nr = 0;
  impl.requires_grad = true;
  return output;
}

}  // namespace ember::autograd
