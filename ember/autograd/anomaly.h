#pragma once
// Anomaly mode: find the first op whose forward or backward produced NaN or Inf.
//
//   {
//     ember::detect_anomaly anomaly;   // on for this scope (or ember::set_detect_anomaly(true))
//     Tensor loss = cross_entropy(model(x), y);
//     loss.backward();
//   }
//
// While it is on:
// - every op autograd records (grad mode on and an input requires grad) checks its outputs
//   right after its forward; NaN or Inf throws ember::Error naming the op and its inputs:
//     "detect_anomaly: log produced NaN in its forward output float32 [64, 10] (inputs: float32 [64, 10])"
//   (an input that already held NaN/Inf is marked, so the first op to see a bad value from
//   outside the graph, e.g. the data, is named with that fact);
// - the engine checks every gradient a node returns; NaN or Inf throws naming the node, the
//   input whose gradient it was and the shapes of the node's forward inputs:
//     "detect_anomaly: SqrtBackward (the backward of sqrt) produced Inf in the gradient of its input 0 ..."
// Ops run with recording off (NoGradGuard, inputs that need no grad) are not checked: like
// PyTorch's anomaly mode, it watches the graph. A user-defined autograd::Function is checked
// too, under its C++ type name.
//
// The switch is process-wide (one atomic counter, like torch.autograd.set_detect_anomaly), so it
// covers ops running on TBB worker threads. Guards nest and may overlap across threads: the mode
// is on while any guard lives or set_detect_anomaly(true) is in effect.
// Cost when off: one relaxed atomic load per recorded op (in autograd::attach, next to the node
// allocation it already makes) and one per backward() call. When on, each recorded output and
// each gradient is read once more (a copy first if it is not contiguous).
#include <atomic>
#include <string>

#include "ember/core/tensor.h"

namespace ember {

namespace autograd {
class Node;
namespace anomaly_detail {
extern std::atomic<int> active;  // live guards, + 1 while set_detect_anomaly(true) holds
}  // namespace anomaly_detail
}  // namespace autograd

inline bool is_anomaly_enabled() { return autograd::anomaly_detail::active.load(std::memory_order_relaxed) > 0; }

// Turns anomaly mode on (true) or off (false) until changed again; guards still alive keep it on.
void set_detect_anomaly(bool enabled);

// Anomaly mode for a scope. Lower-case like torch.autograd.detect_anomaly, the name the issue and
// PyTorch users know.
class detect_anomaly {
 public:
  detect_anomaly() { autograd::anomaly_detail::active.fetch_add(1); }
  ~detect_anomaly() { autograd::anomaly_detail::active.fetch_sub(1); }
  detect_anomaly(const detect_anomaly&) = delete;
  detect_anomaly& operator=(const detect_anomaly&) = delete;
};

namespace autograd {

// The checks themselves, called by attach(), Function::apply and the engine only when
// is_anomaly_enabled(). `node_name` is the recorded node's name ("LogBackward").
void check_forward_outputs(const std::string& node_name, const TensorList& outputs, const TensorList& inputs);
void check_backward_grads(const Node& node, const TensorList& input_grads);
// The gradient handed to backward() itself, so a bad seed is not blamed on the first node.
void check_backward_seed(const Tensor& grad);

// The public op a node name stands for: "MaxPool2dBackward" -> "max_pool2d". Names not ending in
// "Backward" (user-defined Functions) are returned as they are.
std::string forward_op_name(const std::string& node_name);

}  // namespace autograd

}  // namespace ember
