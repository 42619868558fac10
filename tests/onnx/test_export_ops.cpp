// Each op the ONNX exporter translates: the nodes it becomes, and OpenCV's DNN module running the
// file on the same input as ember. Then what cannot be exported, and the error it gives.
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>

#include "onnx_test_support.h"
#include "support/helpers.h"

namespace ember::test {
namespace {

using Nodes = std::vector<std::string>;

// A module computing fn(input, parameters): functional ops with registered weights.
class FnModule : public nn::Module {
 public:
  using Fn = std::function<Tensor(const Tensor&, const TensorList&)>;
  explicit FnModule(Fn fn, const std::vector<std::pair<std::string, Tensor>>& parameters = {},
                    const std::shared_ptr<nn::Module>& child = nullptr)
      : Module("FnModule"), fn_(std::move(fn)) {
    for (const auto& [name, t] : parameters) parameters_.push_back(register_parameter(name, t));
    if (child) register_module("child", child);
  }
  Tensor forward(const Tensor& x) override { return fn_(x, parameters_); }

 private:
  Fn fn_;
  TensorList parameters_;
};

std::shared_ptr<nn::Module> fn(FnModule::Fn f, const std::vector<std::pair<std::string, Tensor>>& parameters = {},
                               const std::shared_ptr<nn::Module>& child = nullptr) {
  return std::make_shared<FnModule>(std::move(f), parameters, child);
}

// Exports, checks the node types, runs OpenCV and compares.
void check_export(nn::Module& module, const Shape& input_shape, const std::string& name, const Nodes& nodes,
                  double tolerance = 1e-5) {
  CAPTURE(name);
  const Tensor input = random_tensor(input_shape, 5, -2.0f, 2.0f);
  const double diff = export_and_compare(module, input, "op_" + name + ".onnx");
  CHECK(onnx_node_types(onnx_out_dir() + "/op_" + name + ".onnx") == nodes);
  CHECK(diff <= tolerance);
}

void check_export(const std::shared_ptr<nn::Module>& module, const Shape& input_shape, const std::string& name,
                  const Nodes& nodes, double tolerance = 1e-5) {
  check_export(*module, input_shape, name, nodes, tolerance);
}

std::shared_ptr<nn::Module> conv(const nn::Conv2dOptions& o) { return std::make_shared<nn::Conv2d>(o); }

// The model's own output in eval mode, what an exported file must reproduce.
Tensor eval_output(nn::Module& model, const Tensor& input) {
  model.eval();
  NoGradGuard no_grad;
  return model(input);
}

}  // namespace

TEST_CASE("Conv: groups, dilation, strides, asymmetric and 'same' padding, no bias") {
  manual_seed(1);
  check_export(conv(nn::Conv2dOptions(4, 6, {3, 2}).stride({2, 1}).padding(Padding2d(1, 0, 2, 1)).dilation({2, 1}).groups(2)),
               {2, 4, 9, 10}, "conv_groups_dilation_asymmetric", {"Conv"});
  check_export(conv(nn::Conv2dOptions(3, 4, 4).padding("same")), {1, 3, 7, 8}, "conv_same_even_kernel", {"Conv"});
  check_export(conv(nn::Conv2dOptions(6, 6, 3).padding(1).groups(6).bias(false)), {2, 6, 8, 8}, "conv_depthwise_no_bias",
               {"Conv"});
  check_export(conv(nn::Conv2dOptions(2, 3, 3).padding("full")), {1, 2, 5, 5}, "conv_full", {"Conv"});
}

TEST_CASE("conv1d and conv3d export as Conv with 1 and 3 spatial dims") {
  manual_seed(11);
  check_export(std::make_shared<nn::Conv1d>(nn::Conv1dOptions(4, 6, 3).stride(2).padding(2, 1).dilation(2).groups(2)),
               {2, 4, 17}, "conv1d", {"Pad", "Conv"});
  check_export(std::make_shared<nn::Conv1d>(nn::Conv1dOptions(4, 6, 3).stride(2).padding(1).dilation(2).groups(2)),
               {2, 4, 17}, "conv1d_symmetric", {"Conv"});
  check_export(std::make_shared<nn::Conv1d>(nn::Conv1dOptions(3, 5, 4).padding("same").bias(false)), {1, 3, 9},
               "conv1d_same", {"Pad", "Conv"});
  check_export(std::make_shared<nn::Conv3d>(
                   nn::Conv3dOptions(4, 6, {3, 2, 3}).stride({1, 2, 1}).padding(Padding3d(1, 0, 2)).groups(2)),
               {2, 4, 5, 6, 7}, "conv3d", {"Conv"});
  check_export(std::make_shared<nn::Conv3d>(nn::Conv3dOptions(2, 3, 2).padding("same")), {1, 2, 4, 5, 3},
               "conv3d_same_even_kernel", {"Pad", "Conv"});
}

TEST_CASE("the spatially separable conv exports as its two Convs") {
  manual_seed(12);
  check_export(std::make_shared<nn::SpatiallySeparableConv2d>(
                   nn::SpatiallySeparableConv2dOptions(3, 4, 5).padding(2).mid_channels(6)),
               {2, 3, 9, 9}, "spatially_separable", {"Conv", "Conv"});
}

TEST_CASE("fused conv2d_relu and batch_norm2d_relu (nn::Sequential) export as two nodes each") {
  manual_seed(2);
  auto bn = std::make_shared<nn::BatchNorm2d>(4);
  {
    NoGradGuard no_grad;
    bn->running_mean.copy_(random_tensor({4}, 1, -1.0f, 1.0f));
    bn->running_var.copy_(random_tensor({4}, 2, 0.5f, 2.0f));
    bn->weight.copy_(random_tensor({4}, 3, 0.5f, 1.5f));
    bn->bias.copy_(random_tensor({4}, 4, -1.0f, 1.0f));
  }
  auto model = nn::sequential({conv(nn::Conv2dOptions(3, 4, 3).padding(1)), std::make_shared<nn::ReLU>(),
                               conv(nn::Conv2dOptions(4, 4, 3).bias(false)), bn, std::make_shared<nn::ReLU>()});
  check_export(model, {2, 3, 8, 8}, "fused_conv_bn_relu", {"Conv", "Relu", "Conv", "BatchNormalization", "Relu"});
  auto plain = std::make_shared<nn::BatchNorm2d>(3, 1e-3f, 0.1f, /*affine=*/false);
  check_export(plain, {2, 3, 4, 4}, "batch_norm_no_affine", {"BatchNormalization"});
}

TEST_CASE("ConvTranspose: stride, padding, output_padding, groups") {
  manual_seed(3);
  check_export(std::make_shared<nn::ConvTranspose2d>(
                   nn::ConvTranspose2dOptions(4, 6, 3).stride(2).padding(1).output_padding(1).groups(2)),
               {2, 4, 5, 5}, "conv_transpose_output_padding", {"ConvTranspose"});
  check_export(std::make_shared<nn::ConvTranspose2d>(nn::ConvTranspose2dOptions(2, 3, {2, 3}).stride({1, 2}).bias(false)),
               {1, 2, 4, 4}, "conv_transpose_rect", {"ConvTranspose"});
}

TEST_CASE("Gemm (linear on 2-D), MatMul (linear on 3-D, matmul)") {
  manual_seed(4);
  check_export(std::make_shared<nn::Linear>(7, 5), {3, 7}, "linear", {"Gemm"});
  check_export(std::make_shared<nn::Linear>(7, 5, /*bias=*/false), {3, 7}, "linear_no_bias", {"Gemm"});
  check_export(std::make_shared<nn::Linear>(6, 4), {2, 3, 6}, "linear_3d", {"Transpose", "MatMul", "Add"});
  check_export(fn([](const Tensor& x, const TensorList& p) { return matmul(x, p[0]); },
                  {{"weight", random_tensor({6, 3}, 9)}}),
               {2, 6}, "matmul", {"MatMul"});
}

TEST_CASE("activations: Relu, Sigmoid, Tanh, LeakyRelu, Softmax, LogSoftmax") {
  check_export(std::make_shared<nn::ReLU>(), {2, 3, 4, 4}, "relu", {"Relu"});
  check_export(std::make_shared<nn::Sigmoid>(), {2, 3, 4, 4}, "sigmoid", {"Sigmoid"});
  check_export(std::make_shared<nn::Tanh>(), {2, 3, 4, 4}, "tanh", {"Tanh"});
  check_export(std::make_shared<nn::LeakyReLU>(0.2f), {2, 3, 4, 4}, "leaky_relu", {"LeakyRelu"});
  check_export(std::make_shared<nn::Softmax>(1), {3, 10}, "softmax", {"Softmax"});
  check_export(std::make_shared<nn::LogSoftmax>(1), {3, 10}, "log_softmax", {"LogSoftmax"});
}

TEST_CASE("gelu exports as x * 0.5 * (1 + Erf(x / sqrt 2)): opset 13 has no Gelu") {
  const Nodes nodes = {"Mul", "Erf", "Add", "Mul", "Mul"};
  check_export(std::make_shared<nn::GELU>(), {2, 3, 4, 4}, "gelu", nodes);
  // Scaled to [-8, 8]: the tails, where the output is 0 or x.
  check_export(fn([](const Tensor& x, const TensorList&) { return gelu(x * 4.0f); }), {2, 3, 4, 4}, "gelu_wide",
               {"Mul", "Mul", "Erf", "Add", "Mul", "Mul"});
  auto model = nn::sequential({std::make_shared<nn::Linear>(6, 8), std::make_shared<nn::GELU>(),
                               std::make_shared<nn::Linear>(8, 3)});
  check_export(model, {4, 6}, "gelu_mlp", {"Gemm", "Mul", "Erf", "Add", "Mul", "Mul", "Gemm"});
}

TEST_CASE("hardswish, composed of add, clamp, mul and div, exports as those ops with no code of its own") {
  // Checked as written (the node types here, onnx.checker in onnx.python_checker) but not run:
  // clamp exports as opset 13's Clip, whose min and max are inputs, and OpenCV 4.6 reads only the
  // opset-6 form with attributes. When OpenCV runs it, use check_export here and for clamp.
  const std::string path = onnx_out_dir() + "/op_hardswish.onnx";
  const Tensor x = random_tensor({2, 3, 4, 4}, 5, -6.0f, 6.0f);
  nn::Hardswish model;
  onnx::export_model(model, x.shape(), path);
  CHECK(onnx_node_types(path) == Nodes{"Add", "Clip", "Mul", "Div"});
  CHECK_THROWS(run_opencv(path, x));
}

TEST_CASE("MaxPool and AveragePool: padding, dilation, ceil_mode, count_include_pad") {
  check_export(std::make_shared<nn::MaxPool2d>(MaxPool2dOptions(3).stride(2).padding(1)), {2, 3, 9, 9}, "max_pool",
               {"MaxPool"});
  // Dilated max pooling is exported (MaxPool's dilations) and accepted by onnx.checker, but OpenCV
  // 4.6 ignores the attribute, so only the file is checked here.
  const auto dilated = std::make_shared<nn::MaxPool2d>(MaxPool2dOptions({3, 2}).stride({1, 2}).dilation({2, 1}));
  onnx::export_model(*dilated, {1, 2, 9, 8}, onnx_out_dir() + "/op_max_pool_dilated.onnx");
  CHECK(onnx_node_types(onnx_out_dir() + "/op_max_pool_dilated.onnx") == Nodes{"MaxPool"});
  check_export(std::make_shared<nn::MaxPool2d>(MaxPool2dOptions(2).ceil_mode(true)), {1, 2, 7, 7}, "max_pool_ceil",
               {"MaxPool"});
  check_export(std::make_shared<nn::AvgPool2d>(AvgPool2dOptions(3).stride(2).padding(1)), {2, 3, 9, 9},
               "avg_pool_count_pad", {"Pad", "AveragePool"});
  // ceil_mode windows hanging past the padding: ember divides by the part inside the padded input.
  check_export(std::make_shared<nn::AvgPool2d>(AvgPool2dOptions(3).stride(2).padding(1).ceil_mode(true)),
               {1, 2, 8, 8}, "avg_pool_count_pad_ceil", {"Pad", "AveragePool"});
  check_export(std::make_shared<nn::AvgPool2d>(AvgPool2dOptions(2).stride(2).ceil_mode(true).count_include_pad(false)),
               {1, 2, 7, 5}, "avg_pool_ceil", {"AveragePool"});
  check_export(std::make_shared<nn::AvgPool2d>(AvgPool2dOptions(3).stride(2).padding(1).count_include_pad(false)),
               {2, 3, 9, 9}, "avg_pool_no_count_pad", {"AveragePool"});
  check_export(std::make_shared<nn::AvgPool2d>(AvgPool2dOptions(2)), {1, 2, 8, 6}, "avg_pool", {"AveragePool"});
}

TEST_CASE("adaptive pooling: global, or a fixed window when the output size divides the input") {
  check_export(std::make_shared<nn::AdaptiveAvgPool2d>(1), {2, 3, 5, 7}, "adaptive_avg_global", {"GlobalAveragePool"});
  check_export(std::make_shared<nn::AdaptiveMaxPool2d>(1), {2, 3, 5, 7}, "adaptive_max_global", {"GlobalMaxPool"});
  check_export(std::make_shared<nn::AdaptiveAvgPool2d>(Int2(2, 3)), {2, 3, 8, 9}, "adaptive_avg_even", {"AveragePool"});
  check_export(std::make_shared<nn::AdaptiveMaxPool2d>(2), {2, 3, 8, 8}, "adaptive_max_even", {"MaxPool"});
}

TEST_CASE("upsampling as Resize: nearest, bilinear with and without align_corners, by scale or size") {
  auto up = [](const nn::UpsampleOptions& o) { return std::make_shared<nn::Upsample>(o); };
  check_export(up(nn::UpsampleOptions().scale_factor(2)), {2, 3, 4, 5}, "upsample_nearest", {"Resize"});
  check_export(up(nn::UpsampleOptions().scale_factor(2, 3)), {1, 2, 3, 4}, "upsample_nearest_2x3", {"Resize"});
  check_export(up(nn::UpsampleOptions().size({8, 15})), {1, 2, 4, 5}, "upsample_nearest_size", {"Resize"});
  check_export(up(nn::UpsampleOptions().scale_factor(2).mode("bilinear")), {2, 3, 4, 5}, "upsample_bilinear",
               {"Resize"});
  check_export(up(nn::UpsampleOptions().size({9, 7}).mode("bilinear").align_corners(true)), {1, 2, 4, 5},
               "upsample_bilinear_align_corners", {"Resize"});
}

TEST_CASE("LRN, Dropout (eval: no node), Flatten, Reshape, Concat, Add and the elementwise ops") {
  check_export(std::make_shared<nn::LocalResponseNorm>(5, 1e-2f, 0.75f, 2.0f), {2, 7, 4, 4}, "lrn", {"LRN"});
  manual_seed(5);
  check_export(nn::sequential({std::make_shared<nn::Dropout2d>(0.3f), std::make_shared<nn::Flatten>(),
                               std::make_shared<nn::Dropout>(0.5f), std::make_shared<nn::Linear>(4, 3)}),
               {2, 1, 2, 2}, "dropout_eval", {"Flatten", "Gemm"});
  check_export(std::make_shared<nn::Flatten>(), {2, 3, 4, 5}, "flatten", {"Flatten"});
  check_export(std::make_shared<nn::Flatten>(2), {2, 3, 4, 5}, "flatten_from_2", {"Reshape"});
  check_export(fn([](const Tensor& x, const TensorList&) { return x.view({-1, 6, 2}); }), {2, 3, 4}, "view",
               {"Reshape"});
  check_export(fn([](const Tensor& x, const TensorList&) { return x.permute({0, 2, 1}); }), {2, 3, 4}, "permute",
               {"Transpose"});
  manual_seed(6);
  auto c = std::make_shared<nn::Conv2d>(nn::Conv2dOptions(3, 3, 3).padding(1));
  check_export(fn([c](const Tensor& x, const TensorList&) { return cat({(*c)(x), x, relu(x)}, 1); }, {}, c),
               {2, 3, 5, 5}, "concat", {"Conv", "Relu", "Concat"});
  check_export(fn([c](const Tensor& x, const TensorList&) { return add((*c)(x), x); }, {}, c), {2, 3, 5, 5},
               "residual_add", {"Conv", "Add"});
  check_export(fn(
                   [](const Tensor& x, const TensorList& p) {
                     const Tensor numerator = x * 2.0f - p[0];
                     return numerator / (abs(x) + 1.0f);
                   },
                  {{"shift", random_tensor({4}, 3)}}),
               {2, 4}, "elementwise", {"Mul", "Sub", "Abs", "Add", "Div"});
}

TEST_CASE("the batch stays dynamic: a file traced with batch 2 runs batch 3") {
  manual_seed(8);
  auto model = models::make_model("lenet5", {});
  const std::string path = onnx_out_dir() + "/dynamic_batch.onnx";
  onnx::export_model(*model, {2, 1, 28, 28}, path);
  CHECK(onnx_input_dims(path) == std::vector<std::string>{"batch", "1", "28", "28"});
  const Tensor input = random_tensor({3, 1, 28, 28}, 4, 0.0f, 1.0f);
  check_close(run_opencv(path, input), eval_output(*model, input), 1e-5, 1e-4);
  onnx::export_model(*model, {2, 1, 28, 28}, path, onnx::ExportOptions().dynamic_batch(false));
  CHECK(onnx_input_dims(path) == std::vector<std::string>{"2", "1", "28", "28"});
}

TEST_CASE("a fixed batch other than the traced one: the file declares it, the trace stays small") {
  // The flatten before LeNet's first linear layer is a reshape of the batch: it must copy the
  // input's first dim (Reshape's 0), not write the traced 2, or the file would not run batch 3.
  manual_seed(9);
  auto model = models::make_model("lenet5", {});
  const std::string path = onnx_out_dir() + "/fixed_batch.onnx";
  onnx::export_model(*model, {2, 1, 28, 28}, path, onnx::ExportOptions().fixed_batch(3));
  CHECK(onnx_input_dims(path) == std::vector<std::string>{"3", "1", "28", "28"});
  const Tensor input = random_tensor({3, 1, 28, 28}, 5, 0.0f, 1.0f);
  check_close(run_opencv(path, input), eval_output(*model, input), 1e-5, 1e-4);
  check_error([&] { onnx::export_model(*model, {2, 1, 28, 28}, path, onnx::ExportOptions().fixed_batch(-1)); },
              {"fixed_batch must be >= 0", "got -1"});
}

TEST_CASE("initializers are named by the state_dict's names") {
  auto model = models::make_model("resnet", {});
  const std::string path = onnx_out_dir() + "/names_resnet.onnx";
  onnx::export_model(*model, {1, 1, 28, 28}, path);
  std::vector<std::string> names = onnx_initializer_names(path), expected;
  for (const auto& [name, t] : model->named_parameters()) expected.push_back(name);
  for (const auto& [name, t] : model->named_buffers()) {
    if (!name.ends_with("num_batches_tracked")) expected.push_back(name);
  }
  std::sort(names.begin(), names.end());
  std::sort(expected.begin(), expected.end());
  CHECK(names == expected);
}

TEST_CASE("what has no ONNX equivalent is an ember::Error naming the op") {
  TempDir dir;
  const std::string path = dir.file("x.onnx");
  auto refuse = [&](const std::shared_ptr<nn::Module>& m, const Shape& shape, const std::vector<std::string>& words) {
    check_error([&] { onnx::export_model(*m, shape, path); }, words);
    CHECK_FALSE(file_exists(path));  // nothing written
    CHECK(m->is_training());         // the mode is restored after a failed export too
  };
  refuse(std::make_shared<nn::AdaptiveAvgPool2d>(3), {1, 2, 7, 7},
         {"adaptive_avg_pool2d", "3x3", "7x7", "no ONNX equivalent"});
  refuse(std::make_shared<nn::LocallyConnected2d>(nn::LocallyConnected2dOptions(2, 3, 3, {5, 5})), {1, 2, 5, 5},
         {"locally_connected2d", "no ONNX equivalent", "one filter per output position"});
  refuse(std::make_shared<nn::LocalResponseNorm>(4), {1, 6, 3, 3}, {"local_response_norm", "even size (4)"});
  refuse(fn([](const Tensor& x, const TensorList&) { return dropout(x, 0.5f, /*training=*/true); }), {2, 3},
         {"dropout", "training mode"});
  refuse(fn([](const Tensor& x, const TensorList&) { return x.slice(1, 0, 2); }), {2, 3},
         {"SliceBackward", "no ONNX mapping"});
  refuse(fn([](const Tensor& x, const TensorList&) { return sum(x, {1}); }), {2, 3}, {"no ONNX mapping"});
  // ceil_mode where PyTorch's rule drops a window that would start in the right padding.
  refuse(std::make_shared<nn::MaxPool2d>(MaxPool2dOptions(2).stride(2).padding(1).ceil_mode(true)), {1, 1, 5, 5},
         {"max_pool2d", "ceil_mode", "4 in ONNX"});
  // A tensor that needs gradients but is no registered parameter cannot become an initializer.
  const Tensor loose = random_leaf({3}, 1);
  refuse(fn([loose](const Tensor& x, const TensorList&) { return x + loose; }), {2, 3},
         {"not one of its registered parameters"});
}

TEST_CASE("bad paths, bad shapes and models that reject the shape are ember::Errors") {
  auto model = models::make_model("lenet5", {});
  check_error([&] { onnx::export_model(*model, {1, 1, 28, 28}, "/nonexistent-folder/lenet5.onnx"); },
              {"/nonexistent-folder/lenet5.onnx"});
  check_error([&] { onnx::export_model(*model, {1, 3, 32, 32}, "unused.onnx"); }, {"lenet5" == std::string() ? "" : "conv2d"});
  check_error([&] { onnx::export_model(*model, {}, "unused.onnx"); }, {"example input shape"});
  check_error([&] { onnx::export_model(*model, {0, 1, 28, 28}, "unused.onnx"); }, {"example input shape"});
  check_error([&] { onnx::export_model(*model, {1, 1, 28, 28}, "unused.onnx", onnx::ExportOptions().output_name("input")); },
              {"distinct"});
  CHECK_FALSE(file_exists("unused.onnx"));
  CHECK(model->is_training());
}

}  // namespace ember::test
