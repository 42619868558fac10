#pragma once
// The recorded graph: a Node per op application, with edges to the nodes that produced its inputs.
//
// Built-in ops record a FunctionNode whose backward is a lambda written right under the op's
// forward (see ops/elementwise.cpp). User-defined ops subclass autograd::Function
// (autograd/function.h). The engine (autograd/engine.h) walks the nodes in reverse.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ember/core/tensor.h"

namespace ember::autograd {

class Node;

// Where a gradient goes: input slot `input_nr` of `node`. An empty edge means "no gradient needed".
struct Edge {
  std::shared_ptr<Node> node;
  uint32_t input_nr = 0;
  bool valid() const { return node != nullptr; }
};

// A tensor kept for backward. Holds a history-free alias of the tensor (so saving an op's own
// output makes no reference cycle) and the storage version at save time: unpacking after an
// in-place write throws instead of returning a silently wrong gradient.
class SavedTensor {
 public:
  SavedTensor() = default;
  explicit SavedTensor(const Tensor& t);
  // The saved tensor; throws ember::Error if it was modified in place since it was saved.
  Tensor get() const;
  bool defined() const { return tensor_.defined(); }

 private:
  Tensor tensor_;
  uint64_t version_ = 0;
};

class Node {
 public:
  Node(std::vector<Edge> next_edges, std::vector<Shape> input_shapes, size_t num_outputs = 1);
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // The op's name in errors and printouts, e.g. "MulBackward".
  virtual std::string name() const = 0;
  // Gradients w.r.t. the outputs -> gradients w.r.t. the inputs, one per next edge (undefined where
  // not needed). A gradient may have its output's broadcast shape: the engine sums it back to the
  // input's shape (the one place un-broadcasting happens).
  virtual TensorList apply(const TensorList& grad_outputs) = 0;
  // Frees what backward needed (saved tensors) once backward ran without retain_graph.
  virtual void release() { released_ = true; }
  bool released() const { return released_; }

  const std::vector<Edge>& next_edges() const { return next_edges_; }
  const std::vector<Shape>& input_shapes() const { return input_shapes_; }
  size_t num_outputs() const { return num_outputs_; }
  // Whether input i needs a gradient: backward computes only those.
  bool needs_input_grad(size_t i) const { return i < next_edges_.size() && next_edges_[i].valid(); }
  // Creation order; the engine runs later nodes first.
  uint64_t sequence_nr() const { return sequence_nr_; }

 protected:
  bool released_ = false;

 private:
  std::vector<Edge> next_edges_;
  std::vector<Shape> input_shapes_;
  size_t num_outputs_;
  uint64_t sequence_nr_;
};

// How many nodes exist right now in this process: a diagnostic for graphs that are kept alive by
// mistake (a loss stored across iterations keeps its whole graph).
int64_t live_node_count();

// Which inputs need gradients, passed to a built-in op's backward lambda.
using GradMask = std::vector<bool>;
using BackwardFn = std::function<TensorList(const Tensor& grad_output, const GradMask& needs)>;

// A single-output node whose backward is a lambda. Releasing destroys the lambda, and with it
// every tensor it captured.
class FunctionNode final : public Node {
 public:
  FunctionNode(std::string name, std::vector<Edge> next_edges, std::vector<Shape> input_shapes, BackwardFn backward);
  std::string name() const override { return name_; }
  TensorList apply(const TensorList& grad_outputs) override;
  void release() override;

 private:
  std::string name_;
  BackwardFn backward_;
  GradMask needs_;
};

// Leaves: adds the incoming gradient into the leaf's .grad.
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(std::shared_ptr<TensorImpl> leaf);
  std::string name() const override { return "AccumulateGrad"; }
  TensorList apply(const TensorList& grad_outputs) override;
  void release() override {}  // holds nothing that backward frees
  Tensor leaf() const { return Tensor(leaf_); }

 private:
  std::shared_ptr<TensorImpl> leaf_;
};

// True when grad mode is on and any input requires grad: then the op should record a node.
bool needs_graph(const TensorList& inputs);
inline bool needs_graph(std::initializer_list<Tensor> inputs) { return needs_graph(TensorList(inputs)); }

// The edge a gradient for `t` travels: to its grad_fn, to its leaf accumulator, or nowhere.
Edge edge_to(const Tensor& t);

// Makes `output` the result of a recorded op: creates a FunctionNode with edges to `inputs` and
// sets output's grad_fn. Call only when needs_graph(inputs) is true. Returns output.
Tensor attach(const Tensor& output, std::string name, const TensorList& inputs, BackwardFn backward);

}  // namespace ember::autograd
