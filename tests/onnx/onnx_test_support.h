#pragma once
// What the ONNX tests check every exported file with: OpenCV's DNN module (Debian's
// libopencv-dnn-dev), a consumer nobody here wrote, runs it on the same input as ember.
#include <string>

#include <ember/ember.h>
#include <ember/onnx/export.h>

namespace ember::test {

// The folder the ONNX tests write their files to; the python3-onnx checker test (onnx.checker)
// reads every file in it afterwards.
std::string onnx_out_dir();

// The op types of the exported graph's nodes, in order, and its initializers' names (parsed
// with libonnx's protobuf types).
std::vector<std::string> onnx_node_types(const std::string& path);
std::vector<std::string> onnx_initializer_names(const std::string& path);
// The input's dims as written: a number, or the symbolic name ("batch").
std::vector<std::string> onnx_input_dims(const std::string& path);

// OpenCV's output for `input` from the ONNX file at `path` (shape as OpenCV reports it).
Tensor run_opencv(const std::string& path, const Tensor& input);

// Exports `module` (eval mode) for `input`'s shape to onnx_out_dir()/<file>, runs ember and
// OpenCV on `input`, checks the shapes agree and returns the largest |ember - OpenCV|; the largest
// |ember output| goes to *output_scale if given.
double export_and_compare(nn::Module& module, const Tensor& input, const std::string& file,
                          const onnx::ExportOptions& options = onnx::ExportOptions(), double* output_scale = nullptr);

}  // namespace ember::test
