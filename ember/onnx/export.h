#pragma once
// ONNX export: an ember model as an .onnx file that other runtimes load (ONNX Runtime, OpenCV's
// DNN module, ...). Built on libonnx's protobuf types (library target ember_onnx, CMake option
// EMBER_ONNX); this header pulls in neither ONNX nor protobuf.
//
//   auto model = models::make_model("lenet5", {});
//   onnx::export_model(*model, {1, 1, 28, 28}, "lenet5.onnx");
//
// How: the model runs once, in eval mode, on zeros of `example_input_shape` while a tracer
// (ember/core/trace.h) records every op call; the records the output depends on become ONNX
// nodes (opset 13), registered parameters and buffers become initializers named by their
// state_dict names ("features.0.weight"), and the graph has one input "input" and one output
// "output". Fused layer pairs (conv2d_relu, batch_norm2d_relu) become their two ONNX nodes.
// Before writing, the model is checked with libonnx's checker and strict shape inference, and the
// inferred output shape must equal the traced one. The file is written atomically.
//
// Throws ember::Error, naming the op, for an op with no ONNX equivalent (for example
// adaptive_avg_pool2d to a size that does not divide the input, a dropout in training mode, or
// an op the tracer does not record, named by its autograd node), for a model that fails on the
// example shape, and naming the file for an unwritable path. The module's train/eval mode is
// restored afterwards, also on errors.
#include <string>

#include "ember/core/options.h"
#include "ember/core/shape.h"
#include "ember/nn/module.h"

namespace ember::onnx {

inline constexpr int64_t kOpset = 13;

struct ExportOptions {
  // The input's first dim becomes the symbolic "batch" (any batch size at run time), and so does
  // the output's when it equals the traced batch. false: every dim fixed to the traced shape.
  EMBER_ARG(bool, dynamic_batch, true);
  // > 0: the file's batch dim (input, and output when it carries the batch) is this number, while
  // the trace runs on the example shape's batch: a batch of 100,000 costs a trace of 2 images.
  // Takes precedence over dynamic_batch.
  EMBER_ARG(int64_t, fixed_batch, 0);
  EMBER_ARG(std::string, input_name, "input");
  EMBER_ARG(std::string, output_name, "output");
  EMBER_ARG(std::string, graph_name, "ember");  // the graph's name (the CLI uses the model's)
};

// The model as serialized ONNX bytes (a ModelProto).
std::string export_model_bytes(nn::Module& module, const Shape& example_input_shape,
                               const ExportOptions& options = ExportOptions());

// The same, written atomically to `path`.
void export_model(nn::Module& module, const Shape& example_input_shape, const std::string& path,
                  const ExportOptions& options = ExportOptions());

}  // namespace ember::onnx
