// Each traced ember op as ONNX opset-13 nodes. The table in docs/INTEROP.md ("ONNX") lists the
// mapping; every entry here has a test in tests/onnx/test_export_ops.cpp that runs the file in
// OpenCV's DNN module and compares with ember.
#include "ember/onnx/op_export.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "ember/core/error.h"

namespace ember::onnx::detail {

namespace {

using Ints = std::vector<int64_t>;

const std::vector<double>& attribute(const trace::Record& r, const char* name) {
  for (const auto& [key, values] : r.attributes) {
    if (key == name) return values;
  }
  fail("onnx export: op {} was traced without its '{}' option (an ember bug)", r.op, name);
}

Ints ints(const trace::Record& r, const char* name) {
  Ints out;
  for (double v : attribute(r, name)) out.push_back(static_cast<int64_t>(v));
  return out;
}
int64_t int_of(const trace::Record& r, const char* name) { return ints(r, name).at(0); }
float float_of(const trace::Record& r, const char* name) { return static_cast<float>(attribute(r, name).at(0)); }

// ember's padding (top, bottom, left, right) as ONNX's pads (begins, then ends).
Ints onnx_pads(const Ints& p) { return {p[0], p[2], p[1], p[3]}; }

std::string input(const trace::Record& r, GraphBuilder& g, size_t i) { return g.name_of(r.inputs.at(i)); }

// A node, then a Relu on its result for the fused ops.
::onnx::NodeProto& node_then_relu(GraphBuilder& g, const std::string& op_type, const std::vector<std::string>& inputs,
                                  const std::string& output, bool relu) {
  if (!relu) return g.node(op_type, inputs, output);
  const std::string before = g.fresh(output + "_pre_relu");
  ::onnx::NodeProto& n = g.node(op_type, inputs, before);
  g.node("Relu", {before}, output);
  return n;
}

void conv(const trace::Record& r, GraphBuilder& g, const std::string& out) {
  const Tensor& weight = r.inputs.at(1);
  std::vector<std::string> inputs = {input(r, g, 0), input(r, g, 1)};
  if (r.inputs.at(2).defined()) inputs.push_back(input(r, g, 2));
  ::onnx::NodeProto& n = node_then_relu(g, "Conv", inputs, out, r.op == "conv2d_relu");
  set_attribute(n, "kernel_shape", Ints{weight.size(2), weight.size(3)});
  set_attribute(n, "strides", ints(r, "stride"));
  set_attribute(n, "pads", onnx_pads(ints(r, "padding")));
  set_attribute(n, "dilations", ints(r, "dilation"));
  set_attribute(n, "group", int_of(r, "groups"));
}

// conv1d and conv3d: the same Conv node, with as many spatial dims as the weight has; their
// padding is recorded in ONNX's order already (all begins, then all ends). Where a side has more
// padding than the other, the excess is an explicit zero Pad before the Conv: the same result,
// and OpenCV 4.6 reads asymmetric 1-D Conv pads wrongly (it pads both sides by the first).
void conv_nd(const trace::Record& r, GraphBuilder& g, const std::string& out) {
  const Tensor& weight = r.inputs.at(1);
  const Ints pads = ints(r, "pads");
  const size_t spatial = pads.size() / 2;
  Ints conv_pads(pads.size()), extra(2 * (spatial + 2), 0);  // extra: Pad's pads over all axes
  bool asymmetric = false;
  for (size_t i = 0; i < spatial; ++i) {
    const int64_t both = std::min(pads[i], pads[i + spatial]);
    conv_pads[i] = conv_pads[i + spatial] = both;
    extra[i + 2] = pads[i] - both;
    extra[i + 2 + spatial + 2] = pads[i + spatial] - both;
    asymmetric = asymmetric || pads[i] != pads[i + spatial];
  }
  std::string x = input(r, g, 0);
  if (asymmetric) {
    const std::string padded = g.fresh(out + "_padded");
    g.node("Pad", {x, g.constant_ints(extra, out + "_pads")}, padded);
    x = padded;
  }
  std::vector<std::string> inputs = {x, input(r, g, 1)};
  if (r.inputs.at(2).defined()) inputs.push_back(input(r, g, 2));
  ::onnx::NodeProto& n = g.node("Conv", inputs, out);
  set_attribute(n, "kernel_shape", Ints(weight.shape().begin() + 2, weight.shape().end()));
  set_attribute(n, "strides", ints(r, "stride"));
  set_attribute(n, "pads", conv_pads);
  set_attribute(n, "dilations", ints(r, "dilation"));
  set_attribute(n, "group", int_of(r, "groups"));
}

void conv_transpose(const trace::Record& r, GraphBuilder& g, const std::string& out) {
  const Tensor& weight = r.inputs.at(1);
  std::vector<std::string> inputs = {input(r, g, 0), input(r, g, 1)};
  if (r.inputs.at(2).defined()) inputs.push_back(input(r, g, 2));
  ::onnx::NodeProto& n = g.node("ConvTranspose", inputs, out);
  set_attribute(n, "kernel_shape", Ints{weight.size(2), weight.size(3)});
  set_attribute(n, "strides", ints(r, "stride"));
  set_attribute(n, "pads", onnx_pads(ints(r, "padding")));
  set_attribute(n, "output_padding", ints(r, "output_padding"));
  set_attribute(n, "dilations", ints(r, "dilation"));
  set_attribute(n, "group", int_of(r, "groups"));
}

void linear(const trace::Record& r, GraphBuilder& g, const std::string& out) {
  const Tensor& x = r.inputs.at(0);
  const bool has_bias = r.inputs.at(2).defined();
  if (x.dim() == 2) {  // Gemm: x @ W^T + b
    std::vector<std::string> inputs = {input(r, g, 0), input(r, g, 1)};
    if (has_bias) inputs.push_back(input(r, g, 2));
    set_attribute(g.node("Gemm", inputs, out), "transB", int64_t{1});
    return;
  }
  // Any other rank: MatMul with the transposed weight, then the bias.
  const std::string weight_t = g.fresh(out + "_weight_t");
  set_attribute(g.node("Transpose", {input(r, g, 1)}, weight_t), "perm", Ints{1, 0});
  if (!has_bias) {
    g.node("MatMul", {input(r, g, 0), weight_t}, out);
    return;
  }
  const std::string product = g.fresh(out + "_matmul");
  g.node("MatMul", {input(r, g, 0), weight_t}, product);
  g.node("Add", {product, input(r, g, 2)}, out);
}

// ONNX rounds a ceil-mode pooling output up without PyTorch's rule that the last window must
// start inside the input or the left padding; refuse the shapes where the two differ.
void check_pool_size(const trace::Record& r, const Ints& kernel, const Ints& stride, const Ints& pad,
                     const Ints& dilation) {
  const Tensor& x = r.inputs.at(0);
  for (int d = 0; d < 2; ++d) {
    const int64_t in = x.size(x.dim() - 2 + d), out = r.output.size(r.output.dim() - 2 + d);
    const int64_t span = dilation[d] * (kernel[d] - 1) + 1;
    const int64_t room = in + pad[d] + pad[d + 2] - span;
    const int64_t onnx_out = (room + stride[d] - 1) / stride[d] + 1;
    EMBER_CHECK(onnx_out == out,
                "onnx export: {} with ceil_mode on input {} gives {} rows/columns in ember but {} in ONNX (ONNX lets "
                "the last window start in the right padding); use padding or sizes where they agree",
                r.op, shape_str(x.shape()), out, onnx_out);
  }
}

void pool(const trace::Record& r, GraphBuilder& g, const std::string& out) {
  const bool max = r.op == "max_pool2d";
  const Ints kernel = ints(r, "kernel_size"), stride = ints(r, "stride"), dilation = ints(r, "dilation");
  const Ints pads = onnx_pads(ints(r, "padding"));
  const bool ceil = int_of(r, "ceil_mode") != 0;
  if (ceil) check_pool_size(r, kernel, stride, pads, dilation);
  std::string pooled = input(r, g, 0);
  Ints pool_pads = pads;
  // ember's count_include_pad divides by the window clipped to the padded input. That is exactly
  // an explicit zero Pad, then pooling that counts only the (now padded) input: also for a
  // ceil-mode window hanging past the padding, where ONNX's count_include_pad would count the
  // whole kernel. (OpenCV 4.6 also ignores count_include_pad = 1, but runs Pad.)
  const bool count_pad = !max && int_of(r, "count_include_pad") != 0;
  if (count_pad && std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p > 0; })) {
    const int64_t rank = r.inputs.at(0).dim();
    Ints all_pads(static_cast<size_t>(2 * rank), 0);  // begins of every axis, then ends
    all_pads[static_cast<size_t>(rank - 2)] = pads[0];
    all_pads[static_cast<size_t>(rank - 1)] = pads[1];
    all_pads[static_cast<size_t>(2 * rank - 2)] = pads[2];
    all_pads[static_cast<size_t>(2 * rank - 1)] = pads[3];
    const std::string padded = g.fresh(out + "_padded");
    g.node("Pad", {pooled, g.constant_ints(all_pads, out + "_pads")}, padded);
    pooled = padded;
    pool_pads = Ints(4, 0);
  }
  ::onnx::NodeProto& n = g.node(max ? "MaxPool" : "AveragePool", {pooled}, out);
  set_attribute(n, "kernel_shape", kernel);
  set_attribute(n, "strides", stride);
  set_attribute(n, "pads", pool_pads);
  set_attribute(n, "ceil_mode", int64_t{ceil});
  if (max) {
    set_attribute(n, "dilations", dilation);
  } else {
    set_attribute(n, "count_include_pad", int64_t{0});
  }
}

// Adaptive pooling is global pooling for a 1x1 output and a plain pooling when the output size
// divides the input's (then every bin is one kernel-sized window); other sizes have overlapping,
// uneven bins that no ONNX op computes.
void adaptive_pool(const trace::Record& r, GraphBuilder& g, const std::string& out) {
  const bool max = r.op == "adaptive_max_pool2d";
  const Tensor& x = r.inputs.at(0);
  const Ints size = ints(r, "output_size");
  const int64_t h = x.size(-2), w = x.size(-1);
  if (size[0] == 1 && size[1] == 1) {
    g.node(max ? "GlobalMaxPool" : "GlobalAveragePool", {input(r, g, 0)}, out);
    return;
  }
  EMBER_CHECK(h % size[0] == 0 && w % size[1] == 0,
              "onnx export: {} to {}x{} from a {}x{} input has no ONNX equivalent (its bins overlap unevenly; ONNX "
              "has global pooling and pooling with a fixed window: use an output size that divides the input)",
              r.op, size[0], size[1], h, w);
  ::onnx::NodeProto& n = g.node(max ? "MaxPool" : "AveragePool", {input(r, g, 0)}, out);
  set_attribute(n, "kernel_shape", Ints{h / size[0], w / size[1]});
  set_attribute(n, "strides", Ints{h / size[0], w / size[1]});
}

// Upsampling as Resize with scales (so the batch stays dynamic). ember's source pixel is
// floor(dst * s) for nearest ("asymmetric" + "floor") and PyTorch's half-pixel rule for bilinear
// ("pytorch_half_pixel"), or "align_corners"; s is 1 / scale_factor, or in / out for a size.
void resize(const trace::Record& r, GraphBuilder& g, const std::string& out) {
  const bool nearest = r.op == "upsample_nearest2d";
  const Tensor& x = r.inputs.at(0);
  const std::vector<double>& given = attribute(r, "scale");
  float scales[2];
  for (int d = 0; d < 2; ++d) {
    const int64_t in = x.size(2 + d), size = r.output.size(2 + d);
    scales[d] = given[static_cast<size_t>(d)] > 0 ? static_cast<float>(given[static_cast<size_t>(d)])
                                                   : static_cast<float>(static_cast<double>(size) / static_cast<double>(in));
    // ONNX's output size is floor(in * scale), with the scale as stored (float32): a size whose
    // ratio rounds down in float32 (5 -> 7) takes the next float up, which moves no sample point
    // by more than float rounding.
    auto onnx_size = [&] { return static_cast<int64_t>(std::floor(static_cast<double>(in) * double{scales[d]})); };
    for (int step = 0; step < 4 && onnx_size() < size; ++step) scales[d] = std::nextafter(scales[d], INFINITY);
    EMBER_CHECK(onnx_size() == size,
                "onnx export: {} from {} to {} rows/columns has no exact float32 scale for ONNX Resize", r.op, in,
                size);
  }
  const std::string scale_values = g.constant(tensor({1.0f, 1.0f, scales[0], scales[1]}), out + "_scales");
  ::onnx::NodeProto& n = g.node("Resize", {input(r, g, 0), "", scale_values}, out);
  set_attribute(n, "mode", std::string(nearest ? "nearest" : "linear"));
  if (nearest) {
    set_attribute(n, "coordinate_transformation_mode", std::string("asymmetric"));
    set_attribute(n, "nearest_mode", std::string("floor"));
  } else {
    set_attribute(n, "coordinate_transformation_mode",
                  std::string(int_of(r, "align_corners") != 0 ? "align_corners" : "pytorch_half_pixel"));
  }
}

void lrn(const trace::Record& r, GraphBuilder& g, const std::string& out) {
  const int64_t size = int_of(r, "size");
  // ember (as PyTorch) sums channels c - size/2 .. c + (size-1)/2; ONNX c - (size-1)/2 .. c + size/2.
  EMBER_CHECK(size % 2 == 1,
              "onnx export: local_response_norm with an even size ({}) has no ONNX equivalent (ONNX's LRN centres an "
              "even window one channel later)",
              size);
  ::onnx::NodeProto& n = g.node("LRN", {input(r, g, 0)}, out);
  set_attribute(n, "size", size);
  set_attribute(n, "alpha", float_of(r, "alpha"));
  set_attribute(n, "beta", float_of(r, "beta"));
  set_attribute(n, "bias", float_of(r, "k"));
}

void batch_norm(const trace::Record& r, GraphBuilder& g, const std::string& out) {
  EMBER_CHECK(int_of(r, "training") == 0,
              "onnx export: {} in training mode (batch statistics) cannot be exported; export runs the model in eval "
              "mode, so this call passes training = true itself",
              r.op);
  const int64_t c = r.inputs.at(0).size(1);
  const Tensor& weight = r.inputs.at(3);
  const Tensor& bias = r.inputs.at(4);
  const std::string scale = weight.defined() ? g.name_of(weight) : g.constant(full({c}, 1.0f), out + "_scale");
  const std::string shift = bias.defined() ? g.name_of(bias) : g.constant(zeros({c}), out + "_bias");
  ::onnx::NodeProto& n = node_then_relu(g, "BatchNormalization", {input(r, g, 0), scale, shift, input(r, g, 1), input(r, g, 2)},
                                        out, r.op == "batch_norm2d_relu");
  set_attribute(n, "epsilon", float_of(r, "eps"));
}

void reshape(const trace::Record& r, GraphBuilder& g, const std::string& out) {
  const Tensor& x = r.inputs.at(0);
  Ints shape = r.output.shape();
  // Keep a dynamic batch dynamic: 0 copies the input's first dim.
  if (g.dynamic_batch() && !shape.empty() && x.dim() > 0 && x.size(0) == g.traced_batch() &&
      shape[0] == g.traced_batch()) {
    shape[0] = 0;
  }
  g.node("Reshape", {input(r, g, 0), g.constant_ints(shape, out + "_shape")}, out);
}

void flatten(const trace::Record& r, GraphBuilder& g, const std::string& out) {
  const Tensor& x = r.inputs.at(0);
  // ONNX's Flatten always gives 2-D: ember's flatten(x, 1) exactly; anything else is a Reshape.
  if (int_of(r, "start_dim") == 1 && int_of(r, "end_dim") == x.dim() - 1) {
    set_attribute(g.node("Flatten", {input(r, g, 0)}, out), "axis", int64_t{1});
    return;
  }
  reshape(r, g, out);
}

void softmax(const trace::Record& r, GraphBuilder& g, const std::string& out) {
  // Opset 13's Softmax normalizes along one axis, as ember.
  set_attribute(g.node(r.op == "softmax" ? "Softmax" : "LogSoftmax", {input(r, g, 0)}, out), "axis", int_of(r, "dim"));
}

// Opset 13 has no Gelu (opset 20 does): x * 0.5 * (1 + Erf(x * (1 / sqrt 2))), ember's own arithmetic.
void gelu(const trace::Record& r, GraphBuilder& g, const std::string& out) {
  const std::string x = input(r, g, 0);
  const std::string scaled = g.fresh(out + "_scaled"), erf = g.fresh(out + "_erf");
  const std::string one_plus = g.fresh(out + "_one_plus_erf"), half_x = g.fresh(out + "_half_x");
  g.node("Mul", {x, g.constant(scalar_tensor(0.70710678118654752f), out + "_sqrt_half")}, scaled);
  g.node("Erf", {scaled}, erf);
  g.node("Add", {erf, g.constant(scalar_tensor(1.0f), out + "_one")}, one_plus);
  g.node("Mul", {x, g.constant(scalar_tensor(0.5f), out + "_half")}, half_x);
  g.node("Mul", {half_x, one_plus}, out);
}

void refuse_locally_connected(const trace::Record& r, GraphBuilder&, const std::string&) {
  fail("onnx export: locally_connected2d (weight {}) has no ONNX equivalent: it has one filter per output position, "
       "and ONNX's Conv shares one filter across positions (expressing it would need a Conv per position)",
       shape_str(r.inputs.at(1).shape()));
}

void refuse_dropout(const trace::Record& r, GraphBuilder&, const std::string&) {
  fail("onnx export: {} in training mode (p = {}) is random and cannot be exported; export runs the model in eval "
       "mode, where nn::Dropout is the identity, so this call passes training = true itself",
       r.op, float_of(r, "p"));
}

// One ONNX op with the same inputs and no attributes.
std::function<void(const trace::Record&, GraphBuilder&, const std::string&)> same_inputs(const char* op_type) {
  return [op_type](const trace::Record& r, GraphBuilder& g, const std::string& out) {
    std::vector<std::string> inputs;
    for (const Tensor& t : r.inputs) inputs.push_back(g.optional_name(t));
    g.node(op_type, inputs, out);
  };
}

using Translation = std::function<void(const trace::Record&, GraphBuilder&, const std::string&)>;

const std::map<std::string, Translation>& translations() {
  static const std::map<std::string, Translation> table = {
      {"conv2d", conv},
      {"conv2d_relu", conv},
      {"conv1d", conv_nd},
      {"conv3d", conv_nd},
      {"conv_transpose2d", conv_transpose},
      {"linear", linear},
      {"matmul", same_inputs("MatMul")},
      {"relu", same_inputs("Relu")},
      {"sigmoid", same_inputs("Sigmoid")},
      {"tanh", same_inputs("Tanh")},
      {"gelu", gelu},
      {"leaky_relu",
       [](const trace::Record& r, GraphBuilder& g, const std::string& out) {
         set_attribute(g.node("LeakyRelu", {input(r, g, 0)}, out), "alpha", float_of(r, "negative_slope"));
       }},
      {"softmax", softmax},
      {"log_softmax", softmax},
      {"max_pool2d", pool},
      {"avg_pool2d", pool},
      {"adaptive_avg_pool2d", adaptive_pool},
      {"adaptive_max_pool2d", adaptive_pool},
      {"local_response_norm", lrn},
      {"upsample_nearest2d", resize},
      {"upsample_bilinear2d", resize},
      {"batch_norm2d", batch_norm},
      {"batch_norm2d_relu", batch_norm},
      {"locally_connected2d", refuse_locally_connected},
      {"dropout", refuse_dropout},
      {"dropout2d", refuse_dropout},
      {"reshape", reshape},
      {"flatten", flatten},
      {"permute",
       [](const trace::Record& r, GraphBuilder& g, const std::string& out) {
         set_attribute(g.node("Transpose", {input(r, g, 0)}, out), "perm", ints(r, "dims"));
       }},
      {"clone", same_inputs("Identity")},
      {"cat",
       [](const trace::Record& r, GraphBuilder& g, const std::string& out) {
         std::vector<std::string> inputs;
         for (const Tensor& t : r.inputs) inputs.push_back(g.name_of(t));
         set_attribute(g.node("Concat", inputs, out), "axis", int_of(r, "dim"));
       }},
      {"add", same_inputs("Add")},
      {"sub", same_inputs("Sub")},
      {"mul", same_inputs("Mul")},
      {"div", same_inputs("Div")},
      {"neg", same_inputs("Neg")},
      {"exp", same_inputs("Exp")},
      {"log", same_inputs("Log")},
      {"pow", same_inputs("Pow")},
      {"sqrt", same_inputs("Sqrt")},
      {"abs", same_inputs("Abs")},
      {"clamp", same_inputs("Clip")},
  };
  return table;
}

}  // namespace

void export_op(const trace::Record& record, GraphBuilder& graph, const std::string& output) {
  const auto& table = translations();
  auto it = table.find(record.op);
  EMBER_CHECK(it != table.end(), "onnx export: op {} has no ONNX mapping (input {}, output {})", record.op,
              record.inputs.empty() || !record.inputs[0].defined() ? "-" : shape_str(record.inputs[0].shape()),
              shape_str(record.output.shape()));
  it->second(record, graph, output);
}

}  // namespace ember::onnx::detail
