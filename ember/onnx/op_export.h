#pragma once
// Internal to ember_onnx: one traced op call as ONNX nodes.
#include <string>

#include "ember/core/trace.h"
#include "ember/onnx/graph_builder.h"

namespace ember::onnx::detail {

// Adds the nodes computing `record`'s output, the last of which writes the value `output`.
// ember::Error naming the op when it has no ONNX equivalent (or not with these options).
void export_op(const trace::Record& record, GraphBuilder& graph, const std::string& output);

}  // namespace ember::onnx::detail
