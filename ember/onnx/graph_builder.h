#pragma once
// Internal to ember_onnx: the ONNX graph under construction. It names every value: the model's
// input, parameters and buffers (as initializers named by their state_dict names, added on first
// use), values produced by nodes, and constants made up by the op translations. Tensors are known
// by their TensorImpl, which the tracer keeps alive, so an address is never reused while tracing.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "ember/core/tensor.h"

namespace ember::onnx::detail {

class GraphBuilder {
 public:
  GraphBuilder(::onnx::GraphProto& graph, int64_t traced_batch, bool dynamic_batch);

  void name_input(const Tensor& t, const std::string& name) { names_[t.impl().get()] = name; }
  // A parameter or buffer, turned into an initializer the first time a node uses it.
  void add_parameter(const Tensor& t, const std::string& name) { parameters_[t.impl().get()] = {t, name}; }
  void name_output(const Tensor& t, const std::string& name) { names_[t.impl().get()] = name; }

  // The value name of a tensor a node reads. A tensor no op produced and not part of the model
  // (a scalar an op made up) becomes a constant; one produced by an op the tracer does not know
  // (it has an autograd node, since tracing runs with gradients on) is an ember::Error naming it.
  std::string name_of(const Tensor& t);
  // "" for an undefined tensor (ONNX's absent optional input), else name_of.
  std::string optional_name(const Tensor& t) { return t.defined() ? name_of(t) : std::string(); }

  std::string constant(const Tensor& value, const std::string& hint);              // float32 or int64
  std::string constant_ints(const std::vector<int64_t>& values, const std::string& hint);  // 1-D int64
  std::string fresh(const std::string& hint);  // a new unique value name

  ::onnx::NodeProto& node(const std::string& op_type, const std::vector<std::string>& inputs,
                          const std::string& output);

  int64_t traced_batch() const { return traced_batch_; }
  bool dynamic_batch() const { return dynamic_batch_; }

 private:
  struct Parameter {
    Tensor tensor;
    std::string name;
  };
  void add_initializer(const Tensor& value, const std::string& name);

  ::onnx::GraphProto& graph_;
  int64_t traced_batch_;
  bool dynamic_batch_;
  std::unordered_map<const TensorImpl*, std::string> names_;
  std::unordered_map<const TensorImpl*, Parameter> parameters_;
  std::unordered_map<std::string, int> used_names_;
  int64_t node_count_ = 0;
};

// Attribute setters.
void set_attribute(::onnx::NodeProto& node, const std::string& name, int64_t value);
void set_attribute(::onnx::NodeProto& node, const std::string& name, float value);
void set_attribute(::onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& values);
void set_attribute(::onnx::NodeProto& node, const std::string& name, const std::string& value);

}  // namespace ember::onnx::detail
