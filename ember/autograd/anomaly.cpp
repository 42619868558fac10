#include "ember/autograd/anomaly.h"

#include <cctype>
#include <cmath>

#include "ember/autograd/node.h"
#include "ember/kernels/elementwise_kernels.h"

namespace ember {

namespace autograd::anomaly_detail {
std::atomic<int> active{0};
}  // namespace autograd::anomaly_detail

void set_detect_anomaly(bool enabled) {
  // The setter owns one unit of the counter, taken and given back at most once, so it composes
  // with guards that are alive at the same time.
  static std::atomic<bool> set_by_setter{false};
  if (set_by_setter.exchange(enabled) != enabled) autograd::anomaly_detail::active.fetch_add(enabled ? 1 : -1);
}

namespace autograd {

namespace {

struct NonFinite {
  bool nan = false, inf = false;
  bool any() const { return nan || inf; }
  const char* what() const { return nan && inf ? "NaN and Inf" : (nan ? "NaN" : "Inf"); }
};

// Which non-finite values a float tensor holds (int64 tensors hold none).
NonFinite scan(const Tensor& t) {
  NonFinite found;
  if (!t.defined() || t.dtype() != DType::f32 || t.numel() == 0) return found;
  const Tensor dense = t.is_contiguous() ? t : kernels::contiguous_copy(t);
  const float* p = dense.data<float>();
  for (int64_t i = 0, n = dense.numel(); i < n; ++i) {
    if (std::isfinite(p[i])) [[likely]] continue;
    (std::isnan(p[i]) ? found.nan : found.inf) = true;
    if (found.nan && found.inf) break;
  }
  return found;
}

std::string describe_inputs(const TensorList& inputs) {
  std::string out;
  for (const Tensor& t : inputs) {
    if (!out.empty()) out += ", ";
    out += t.describe();
    const NonFinite bad = scan(t);
    if (bad.any()) out += fmt::format(" (already holding {})", bad.what());
  }
  return out.empty() ? "none" : out;
}

std::string join_shapes(const std::vector<Shape>& shapes) {
  std::string out;
  for (const Shape& s : shapes) out += (out.empty() ? "" : ", ") + shape_str(s);
  return out.empty() ? "none" : out;
}

}  // namespace

std::string forward_op_name(const std::string& node_name) {
  constexpr std::string_view suffix = "Backward";
  if (node_name.size() <= suffix.size() || !node_name.ends_with(suffix)) return node_name;
  std::string camel = node_name.substr(0, node_name.size() - suffix.size());
  // Batch norm records an eval-mode variant of the same public op.
  if (camel.ends_with("Eval")) camel.resize(camel.size() - 4);
  std::string snake;
  for (size_t i = 0; i < camel.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(camel[i]);
    const unsigned char prev = i > 0 ? static_cast<unsigned char>(camel[i - 1]) : 0;
    if (std::isupper(c) && i > 0 && (std::islower(prev) || std::isdigit(prev))) snake += '_';
    snake += static_cast<char>(std::tolower(c));
  }
  return snake;
}

void check_forward_outputs(const std::string& node_name, const TensorList& outputs, const TensorList& inputs) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    const NonFinite bad = scan(outputs[i]);
    if (!bad.any()) continue;
    fail("detect_anomaly: {} produced {} in its forward output{} {} (inputs: {})", forward_op_name(node_name),
         bad.what(), outputs.size() > 1 ? fmt::format(" {}", i) : std::string(), outputs[i].describe(),
         describe_inputs(inputs));
  }
}

void check_backward_grads(const Node& node, const TensorList& input_grads) {
  for (size_t i = 0; i < input_grads.size(); ++i) {
    const NonFinite bad = scan(input_grads[i]);
    if (!bad.any()) continue;
    // Built-in nodes have a name of their own ("SqrtBackward"); a user Function's is its forward's.
    const std::string name = node.name(), op = forward_op_name(name);
    const std::string who = op == name ? "the backward of " + name : fmt::format("{} (the backward of {})", name, op);
    fail("detect_anomaly: {} produced {} in the gradient of its input {} ({}); the forward inputs were {}", who,
         bad.what(), i, input_grads[i].describe(), join_shapes(node.input_shapes()));
  }
}

void check_backward_seed(const Tensor& grad) {
  const NonFinite bad = scan(grad);
  EMBER_CHECK(!bad.any(), "detect_anomaly: the gradient passed to backward() ({}) holds {}", grad.describe(),
              bad.what());
}

}  // namespace autograd

}  // namespace ember
