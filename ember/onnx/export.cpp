// ONNX export by tracing: run the model once under a Tracer, keep the records the output depends
// on, translate each (op_export.cpp), check the result with libonnx, serialize.
#include "ember/onnx/export.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <unordered_map>
#include <unordered_set>

#include "ember/autograd/grad_mode.h"
#include "ember/core/error.h"
#include "ember/core/file.h"
#include "ember/core/trace.h"
#include "ember/onnx/graph_builder.h"
#include "ember/onnx/op_export.h"

namespace ember::onnx {

namespace {

// Keeps every record, and with them every tensor an op read or wrote, so no TensorImpl address
// is reused while the trace is alive.
class RecordingTracer : public trace::Tracer {
 public:
  void record(trace::Record r) override {
    // An op that returned one of its inputs (contiguous of a contiguous tensor) computed nothing.
    for (const Tensor& t : r.inputs) {
      if (t.defined() && t.is_same(r.output)) return;
    }
    records.push_back(std::move(r));
  }
  std::vector<trace::Record> records;
};

// Restores the module's train/eval mode however the export ends.
class EvalModeScope {
 public:
  explicit EvalModeScope(nn::Module& m) : module_(m), was_training_(m.is_training()) { m.eval(); }
  ~EvalModeScope() { module_.train(was_training_); }
  EvalModeScope(const EvalModeScope&) = delete;
  EvalModeScope& operator=(const EvalModeScope&) = delete;

 private:
  nn::Module& module_;
  bool was_training_;
};

// A declared shape's dim that is the symbolic "batch".
constexpr int64_t kSymbolicBatch = -1;

void set_value_info(::onnx::ValueInfoProto& info, const std::string& name, const Shape& declared) {
  info.set_name(name);
  ::onnx::TypeProto_Tensor& type = *info.mutable_type()->mutable_tensor_type();
  type.set_elem_type(::onnx::TensorProto::FLOAT);
  ::onnx::TensorShapeProto& s = *type.mutable_shape();
  for (int64_t d : declared) {
    if (d == kSymbolicBatch) {
      s.add_dim()->set_dim_param("batch");
    } else {
      s.add_dim()->set_dim_value(d);
    }
  }
}

// The indices of the records the output depends on, in call order (a valid node order: an op's
// inputs exist before it runs). For a tensor recorded twice (an op that returns what an inner op
// made) the later, outer record is its producer.
std::vector<size_t> needed_records(const std::vector<trace::Record>& records, const Tensor& output) {
  std::unordered_map<const TensorImpl*, size_t> producer;
  for (size_t i = 0; i < records.size(); ++i) producer[records[i].output.impl().get()] = i;
  std::vector<bool> needed(records.size(), false);
  std::vector<const TensorImpl*> work = {output.impl().get()};
  std::unordered_set<const TensorImpl*> seen;
  while (!work.empty()) {
    const TensorImpl* t = work.back();
    work.pop_back();
    if (!seen.insert(t).second) continue;
    auto it = producer.find(t);
    if (it == producer.end() || needed[it->second]) continue;
    needed[it->second] = true;
    for (const Tensor& in : records[it->second].inputs) {
      if (in.defined()) work.push_back(in.impl().get());
    }
  }
  std::vector<size_t> order;
  for (size_t i = 0; i < records.size(); ++i) {
    if (needed[i]) order.push_back(i);
  }
  return order;
}

// libonnx's checker and strict shape inference; the inferred output shape must be the declared one.
void check_with_libonnx(const ::onnx::ModelProto& model, const Shape& output_shape) {
  try {
    ::onnx::checker::check_model(model);
    ::onnx::ModelProto inferred = model;
    ::onnx::shape_inference::InferShapes(inferred, ::onnx::OpSchemaRegistry::Instance(),
                                         ::onnx::ShapeInferenceOptions(/*check_type=*/true, /*strict=*/1));
    const auto& dims = inferred.graph().output(0).type().tensor_type().shape().dim();
    EMBER_CHECK(dims.size() == static_cast<int>(output_shape.size()),
                "onnx export: ONNX shape inference gives the output {} dims but ember's has {} (an exporter bug)",
                dims.size(), output_shape.size());
    for (int i = 0; i < dims.size(); ++i) {
      if (output_shape[static_cast<size_t>(i)] == kSymbolicBatch) continue;
      EMBER_CHECK(dims[i].has_dim_value() && dims[i].dim_value() == output_shape[static_cast<size_t>(i)],
                  "onnx export: ONNX shape inference gives output dim {} = {} but ember's output is {} (an exporter bug)",
                  i, dims[i].has_dim_value() ? std::to_string(dims[i].dim_value()) : dims[i].dim_param(),
                  shape_str(output_shape));
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    fail("onnx export: libonnx rejects the exported graph (an exporter bug): {}", e.what());
  }
}

}  // namespace

std::string export_model_bytes(nn::Module& module, const Shape& example_input_shape, const ExportOptions& options) {
  EMBER_CHECK(!example_input_shape.empty() && example_input_shape[0] >= 1,
              "onnx export: the example input shape must have a batch dim >= 1 first, got {}",
              shape_str(example_input_shape));
  for (int64_t d : example_input_shape) {
    EMBER_CHECK(d >= 1, "onnx export: every dim of the example input shape must be >= 1, got {}",
                shape_str(example_input_shape));
  }
  EMBER_CHECK(!options.input_name().empty() && !options.output_name().empty() && options.input_name() != options.output_name(),
              "onnx export: the input and output names must be distinct and non-empty, got '{}' and '{}'",
              options.input_name(), options.output_name());

  // Trace. Gradients on and an input that requires them: every tensor computed from the input or
  // the parameters then has an autograd node, so a tensor from an op the tracer does not record
  // is recognized (and named) instead of being mistaken for a constant.
  RecordingTracer tracer;
  Tensor input = zeros(example_input_shape);
  input.requires_grad_(true);
  Tensor output;
  {
    EvalModeScope eval(module);
    autograd::GradModeGuard grad(true);
    trace::TracingScope scope(tracer);
    output = module(input);
  }
  EMBER_CHECK(output.defined() && output.dtype() == DType::f32, "onnx export: the model's output must be a float32 tensor");

  ::onnx::ModelProto model;
  model.set_ir_version(::onnx::IR_VERSION_2020_5_8);  // IR 7, the version that introduced opset 13
  model.set_producer_name("ember");
  model.set_producer_version("0.1.0");
  ::onnx::OperatorSetIdProto& opset = *model.add_opset_import();
  opset.set_domain("");
  opset.set_version(kOpset);
  ::onnx::GraphProto& graph = *model.mutable_graph();
  graph.set_name(options.graph_name());

  EMBER_CHECK(options.fixed_batch() >= 0, "onnx export: fixed_batch must be >= 0 (0: none), got {}",
              options.fixed_batch());
  // The file's batch dim: symbolic, the traced batch, or a fixed size the trace did not run. Where
  // it is not the traced batch, reshapes of the batch copy the input's first dim (Reshape's 0)
  // instead of writing the traced number.
  const int64_t batch = example_input_shape[0];
  const bool fixed_other = options.fixed_batch() > 0;
  const int64_t declared_batch = fixed_other ? options.fixed_batch()
                                 : options.dynamic_batch() ? kSymbolicBatch
                                                         : batch;
  detail::GraphBuilder builder(graph, batch, options.dynamic_batch() || fixed_other);
  builder.name_input(input, options.input_name());
  for (const auto& [name, t] : module.named_parameters()) builder.add_parameter(t, name);
  for (const auto& [name, t] : module.named_buffers()) builder.add_parameter(t, name);

  for (size_t i : needed_records(tracer.records, output)) {
    const trace::Record& r = tracer.records[i];
    const bool is_output = r.output.is_same(output);
    const std::string name = is_output ? options.output_name() : builder.fresh(r.op);
    detail::export_op(r, builder, name);
    builder.name_output(r.output, name);
  }
  // A model that returns its input or a parameter unchanged still needs a node writing "output".
  const std::string produced = builder.name_of(output);
  if (produced != options.output_name()) builder.node("Identity", {produced}, options.output_name());

  Shape input_declared = example_input_shape, output_declared = output.shape();
  input_declared[0] = declared_batch;
  if (output.dim() > 0 && output.size(0) == batch) output_declared[0] = declared_batch;
  set_value_info(*graph.add_input(), options.input_name(), input_declared);
  set_value_info(*graph.add_output(), options.output_name(), output_declared);
  check_with_libonnx(model, output_declared);

  std::string bytes;
  EMBER_CHECK(model.SerializeToString(&bytes), "onnx export: protobuf could not serialize the model ({} bytes of "
              "weights; ONNX files are limited to 2 GiB)", model.ByteSizeLong());
  return bytes;
}

void export_model(nn::Module& module, const Shape& example_input_shape, const std::string& path,
                  const ExportOptions& options) {
  const std::string bytes = export_model_bytes(module, example_input_shape, options);
  AtomicWriter writer(path);
  writer.write(bytes.data(), bytes.size());
  writer.commit();
}

}  // namespace ember::onnx
