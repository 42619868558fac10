#include "ember/onnx/graph_builder.h"

#include <cstring>

#include "ember/autograd/node.h"
#include "ember/core/error.h"
#include "ember/ops/shape.h"

namespace ember::onnx::detail {

GraphBuilder::GraphBuilder(::onnx::GraphProto& graph, int64_t traced_batch, bool dynamic_batch)
    : graph_(graph), traced_batch_(traced_batch), dynamic_batch_(dynamic_batch) {}

std::string GraphBuilder::name_of(const Tensor& t) {
  EMBER_CHECK(t.defined(), "onnx export: an op read an undefined tensor");
  const TensorImpl* key = t.impl().get();
  if (auto it = names_.find(key); it != names_.end()) return it->second;
  if (auto it = parameters_.find(key); it != parameters_.end()) {
    add_initializer(it->second.tensor, it->second.name);
    names_[key] = it->second.name;
    return it->second.name;
  }
  if (t.grad_fn()) {
    fail("onnx export: the model uses an op the exporter cannot translate: a tensor {} comes from {} (its autograd "
         "node), which has no ONNX mapping",
         shape_str(t.shape()), t.grad_fn()->name());
  }
  EMBER_CHECK(!t.requires_grad(),
              "onnx export: the model reads a tensor {} that requires grad but is not one of its registered parameters "
              "or buffers (register it with register_parameter/register_buffer so it can be exported)",
              shape_str(t.shape()));
  const std::string name = constant(t, "const");
  names_[key] = name;
  return name;
}

std::string GraphBuilder::fresh(const std::string& hint) {
  const int n = used_names_[hint]++;
  return n == 0 ? hint : hint + "_" + std::to_string(n);
}

void GraphBuilder::add_initializer(const Tensor& value, const std::string& name) {
  EMBER_CHECK(value.dtype() == DType::f32 || value.dtype() == DType::i64,
              "onnx export: constant {} has an unsupported dtype", name);
  ::onnx::TensorProto& init = *graph_.add_initializer();
  init.set_name(name);
  init.set_data_type(value.dtype() == DType::f32 ? ::onnx::TensorProto::FLOAT : ::onnx::TensorProto::INT64);
  for (int64_t d : value.shape()) init.add_dims(d);
  // raw_data is little-endian, as ember's storage on every platform it builds for.
  const Tensor dense = contiguous(value);
  const size_t bytes = static_cast<size_t>(dense.numel()) * dtype_size(dense.dtype());
  std::string raw(bytes, '\0');
  if (bytes > 0) {
    if (dense.dtype() == DType::f32) {
      std::memcpy(raw.data(), dense.data<float>(), bytes);
    } else {
      std::memcpy(raw.data(), dense.data<int64_t>(), bytes);
    }
  }
  init.set_raw_data(std::move(raw));
}

std::string GraphBuilder::constant(const Tensor& value, const std::string& hint) {
  const std::string name = fresh(hint);
  add_initializer(value, name);
  return name;
}

std::string GraphBuilder::constant_ints(const std::vector<int64_t>& values, const std::string& hint) {
  Tensor t = empty({static_cast<int64_t>(values.size())}, DType::i64);
  if (!values.empty()) std::memcpy(t.data<int64_t>(), values.data(), values.size() * sizeof(int64_t));
  return constant(t, hint);
}

::onnx::NodeProto& GraphBuilder::node(const std::string& op_type, const std::vector<std::string>& inputs,
                                      const std::string& output) {
  ::onnx::NodeProto& n = *graph_.add_node();
  n.set_op_type(op_type);
  n.set_name(op_type + "_" + std::to_string(node_count_++));
  for (const std::string& input : inputs) n.add_input(input);
  n.add_output(output);
  return n;
}

void set_attribute(::onnx::NodeProto& node, const std::string& name, int64_t value) {
  ::onnx::AttributeProto& a = *node.add_attribute();
  a.set_name(name);
  a.set_type(::onnx::AttributeProto::INT);
  a.set_i(value);
}

void set_attribute(::onnx::NodeProto& node, const std::string& name, float value) {
  ::onnx::AttributeProto& a = *node.add_attribute();
  a.set_name(name);
  a.set_type(::onnx::AttributeProto::FLOAT);
  a.set_f(value);
}

void set_attribute(::onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& values) {
  ::onnx::AttributeProto& a = *node.add_attribute();
  a.set_name(name);
  a.set_type(::onnx::AttributeProto::INTS);
  for (int64_t v : values) a.add_ints(v);
}

void set_attribute(::onnx::NodeProto& node, const std::string& name, const std::string& value) {
  ::onnx::AttributeProto& a = *node.add_attribute();
  a.set_name(name);
  a.set_type(::onnx::AttributeProto::STRING);
  a.set_s(value);
}

}  // namespace ember::onnx::detail
