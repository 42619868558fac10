#pragma once
// The op tracer: while a Tracer is active on this thread, the ops that an exporter can translate
// report each call (op name, input tensors, output tensor, options as numbers). ONNX export
// (ember/onnx/export.h) runs a model once under a Tracer and turns the records into a graph, as
// torch.onnx.export does. This header knows nothing of ONNX or protobuf.
//
// An op reports itself after computing its output:
//   if (trace::Tracer* t = trace::active()) t->record({"conv2d", {x, weight, bias}, out, {{"groups", {g}}}});
// When no Tracer is active that costs one thread-local load. Ops that call other ops report
// both levels (linear may call matmul); the exporter keeps what the model's output depends on,
// and for a tensor reported twice the outer op's record (the later one) wins.
#include <string>
#include <utility>
#include <vector>

#include "ember/core/tensor.h"

namespace ember::trace {

// Options as named lists of numbers (integers, floats and flags alike are exact in a double).
using Attributes = std::vector<std::pair<std::string, std::vector<double>>>;

struct Record {
  Record(std::string op_name, TensorList op_inputs, Tensor op_output, Attributes op_attributes = {})
      : op(std::move(op_name)), inputs(std::move(op_inputs)), output(std::move(op_output)),
        attributes(std::move(op_attributes)) {}

  std::string op;       // the op's ember name: "conv2d", "batch_norm2d_relu", ...
  TensorList inputs;    // in the op's argument order; undefined for an absent optional input
  Tensor output;
  Attributes attributes;
};

class Tracer {
 public:
  virtual ~Tracer() = default;
  virtual void record(Record record) = 0;
};

namespace detail {
extern constinit thread_local Tracer* active_tracer;
}  // namespace detail

// The tracer active on this thread, or null.
inline Tracer* active() { return detail::active_tracer; }

// Makes `tracer` the active one for this thread until destroyed (then the previous one again).
class TracingScope {
 public:
  explicit TracingScope(Tracer& tracer) : previous_(detail::active_tracer) { detail::active_tracer = &tracer; }
  ~TracingScope() { detail::active_tracer = previous_; }
  TracingScope(const TracingScope&) = delete;
  TracingScope& operator=(const TracingScope&) = delete;

 private:
  Tracer* previous_;
};

}  // namespace ember::trace
