#include "onnx_test_support.h"

#include <doctest/doctest.h>

#include <onnx/onnx_pb.h>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>

namespace ember::test {

std::string onnx_out_dir() {
  const std::string dir = EMBER_ONNX_OUT_DIR;
  std::filesystem::create_directories(dir);
  return dir;
}

namespace {

::onnx::ModelProto parse(const std::string& path) {
  ::onnx::ModelProto model;
  REQUIRE(model.ParseFromString(read_file(path)));
  return model;
}

}  // namespace

std::vector<std::string> onnx_node_types(const std::string& path) {
  std::vector<std::string> out;
  const ::onnx::ModelProto model = parse(path);
  for (const auto& node : model.graph().node()) out.push_back(node.op_type());
  return out;
}

std::vector<std::string> onnx_initializer_names(const std::string& path) {
  std::vector<std::string> out;
  const ::onnx::ModelProto model = parse(path);
  for (const auto& init : model.graph().initializer()) out.push_back(init.name());
  return out;
}

std::vector<std::string> onnx_input_dims(const std::string& path) {
  std::vector<std::string> out;
  const ::onnx::ModelProto model = parse(path);
  for (const auto& dim : model.graph().input(0).type().tensor_type().shape().dim()) {
    out.push_back(dim.has_dim_value() ? std::to_string(dim.dim_value()) : dim.dim_param());
  }
  return out;
}

Tensor run_opencv(const std::string& path, const Tensor& input) {
  cv::dnn::Net net = cv::dnn::readNetFromONNX(path);
  net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  const Tensor x = input.contiguous();
  std::vector<int> sizes(x.shape().begin(), x.shape().end());
  cv::Mat blob(static_cast<int>(sizes.size()), sizes.data(), CV_32F, const_cast<float*>(x.data<float>()));
  net.setInput(blob);
  cv::Mat out = net.forward();
  REQUIRE(out.type() == CV_32F);
  Shape shape;
  for (int i = 0; i < out.dims; ++i) shape.push_back(out.size[i]);
  Tensor result = empty(shape);
  const cv::Mat dense = out.isContinuous() ? out : out.clone();
  std::memcpy(result.data<float>(), dense.ptr<float>(), static_cast<size_t>(result.numel()) * sizeof(float));
  return result;
}

double export_and_compare(nn::Module& module, const Tensor& input, const std::string& file,
                          const onnx::ExportOptions& options, double* output_scale) {
  const std::string path = onnx_out_dir() + "/" + file;
  onnx::export_model(module, input.shape(), path, options);
  Tensor expected;
  {
    const bool was_training = module.is_training();
    module.eval();
    NoGradGuard no_grad;
    expected = module(input);
    module.train(was_training);
  }
  const Tensor actual = run_opencv(path, input);
  // OpenCV drops or keeps size-1 dims on its own terms (a [N, 10] logit blob is [N, 10]; a 1-D
  // output may come back 2-D): compare the element counts, then the values in order.
  INFO(file << ": ember " << shape_str(expected.shape()) << ", OpenCV " << shape_str(actual.shape()));
  REQUIRE(actual.numel() == expected.numel());
  if (expected.dim() == actual.dim()) CHECK(actual.shape() == expected.shape());
  const Tensor e = expected.contiguous();
  const float* ev = e.data<float>();
  const float* av = actual.data<float>();
  double worst = 0, scale = 0;
  for (int64_t i = 0; i < e.numel(); ++i) {
    REQUIRE(std::isfinite(ev[i]));
    worst = std::max(worst, static_cast<double>(std::fabs(ev[i] - av[i])));
    scale = std::max(scale, static_cast<double>(std::fabs(ev[i])));
  }
  if (output_scale != nullptr) *output_scale = scale;
  return worst;
}

}  // namespace ember::test
