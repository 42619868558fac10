#include "ember/nn/summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <vector>

#include "ember/autograd/grad_mode.h"
#include "ember/nn/fusion.h"

namespace ember::nn {

namespace {

// "1,234,567"
std::string grouped(int64_t value) {
  std::string digits = std::to_string(value), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

void collect_names(const Module& module, const std::string& prefix, std::map<const Module*, std::string>& names) {
  for (const auto& [name, child] : module.named_children()) {
    const std::string full = prefix.empty() ? name : prefix + "." + name;
    names.emplace(child.get(), full);
    collect_names(*child, full, names);
  }
}

int64_t own_parameters(const Module& module) {
  int64_t count = 0;
  for (const Tensor& p : module.parameters(/*recurse=*/false)) count += p.numel();
  return count;
}

struct Call {
  const Module* module;
  Shape input, output;
};

// Runs one forward pass on zeros of input_shape in evaluation mode (no dropout, no running-stat
// updates), without a graph, recording every call through Module::operator() with a forward hook
// on every module of the tree; restores the modes and removes the hooks.
Tensor record_calls(Module& model, const Shape& input_shape, std::vector<Call>& calls) {
  ForwardHooks hooks;
  model.apply([&](Module& m) {
    hooks.add(m, [&calls](Module& called, const Tensor& input, const Tensor& output) {
      calls.push_back({&called, input.shape(), output.shape()});
    });
  });
  // apply() visits children before parents, so restoring in reverse sets each parent first and
  // then its children.
  std::vector<std::pair<Module*, bool>> modes;
  model.apply([&](Module& m) { modes.emplace_back(&m, m.is_training()); });
  auto restore = [&] {
    for (auto it = modes.rbegin(); it != modes.rend(); ++it) it->first->train(it->second);
  };
  model.eval();
  Tensor output;
  try {
    NoGradGuard no_grad;
    output = model(zeros(input_shape));
  } catch (...) {
    restore();
    throw;
  }
  restore();
  return output;
}

bool is_leaf_call(const Call& call, const Module& model) {
  return call.module->named_children().empty() && call.module != &model;
}

}  // namespace

int64_t forward_flops(Module& model, const Shape& input_shape) {
  std::vector<Call> calls;
  record_calls(model, input_shape, calls);
  int64_t total = 0;
  for (const auto& call : calls) {
    if (is_leaf_call(call, model)) total += call.module->flops(call.input, call.output);
  }
  return total;
}

ActivationSize activation_size(Module& model, const Shape& input_shape) {
  std::vector<Call> calls;
  record_calls(model, input_shape, calls);
  ActivationSize size;
  size.total = size.peak = numel_of(input_shape);
  for (const auto& call : calls) {
    if (!is_leaf_call(call, model)) continue;
    size.total += numel_of(call.output);
    size.peak = std::max(size.peak, numel_of(call.input) + numel_of(call.output));
  }
  return size;
}

namespace {

// Multiply-adds as torchinfo counts them ("Mult-Adds"), so the figures compare with PyTorch's
// summaries: every parameter (weights and biases) used once per output position of a
// convolution (batch x output pixels) and once per sample in any other layer. ember's FLOPs count
// 2 per multiply-add of the weights alone, so FLOPs / 2 is a little less than the Mult-Adds.
int64_t mult_adds(const Call& call) {
  const int64_t params = own_parameters(*call.module);
  if (params == 0 || call.output.empty()) return 0;
  const bool conv = call.module->type_name().find("Conv") != std::string::npos && call.output.size() > 2;
  return params * (conv ? numel_of(call.output) / call.output[1] : call.output[0]);
}

int64_t bytes_of(const TensorList& tensors) {
  int64_t bytes = 0;
  for (const Tensor& t : tensors) bytes += t.numel() * static_cast<int64_t>(dtype_size(t.dtype()));
  return bytes;
}

// Megabytes of 10^6 bytes, as torchinfo prints them.
std::string megabytes(int64_t bytes) { return fmt::format("{:.2f}", static_cast<double>(bytes) / 1e6); }

}  // namespace

std::string summary(Module& model, const Shape& input_shape) {
  std::vector<Call> calls;
  const Tensor output = record_calls(model, input_shape, calls);

  std::map<const Module*, std::string> names;
  collect_names(model, "", names);
  struct Row {
    std::string layer, shape, params, flops, mult_adds;
  };
  std::vector<Row> rows;
  int64_t total_flops = 0, total_mult_adds = 0, activation_bytes = 0;
  for (const auto& call : calls) {
    if (!is_leaf_call(call, model)) continue;  // leaf layers only
    auto it = names.find(call.module);
    const std::string name = it == names.end() ? "(unnamed)" : it->second;
    const int64_t f = call.module->flops(call.input, call.output), m = mult_adds(call);
    total_flops += f;
    total_mult_adds += m;
    activation_bytes += numel_of(call.output) * static_cast<int64_t>(sizeof(float));
    const auto* fusable = dynamic_cast<const FusesReLU*>(call.module);
    const bool with_relu = fusable != nullptr && fusable->relu_fused();
    rows.push_back({fmt::format("{} ({}{})", name, call.module->type_name(), with_relu ? "+ReLU" : ""),
                    shape_str(call.output), grouped(own_parameters(*call.module)), f > 0 ? grouped(f) : "-",
                    m > 0 ? grouped(m) : "-"});
  }
  if (rows.empty()) {  // a model with no registered children: itself is the only layer
    rows.push_back({model.type_name(), shape_str(output.shape()), grouped(own_parameters(model)), "-", "-"});
    activation_bytes = output.numel() * static_cast<int64_t>(sizeof(float));
  }
  size_t w0 = 13, w1 = 12, w2 = 6, w3 = 5, w4 = 9;
  for (const Row& r : rows) {
    w0 = std::max(w0, r.layer.size());
    w1 = std::max(w1, r.shape.size());
    w2 = std::max(w2, r.params.size());
    w3 = std::max(w3, r.flops.size());
    w4 = std::max(w4, r.mult_adds.size());
  }
  int64_t total = 0, trainable = 0, buffers = 0;
  const TensorList parameters = model.parameters(), buffer_list = model.buffers();
  for (const Tensor& p : parameters) {
    total += p.numel();
    if (p.requires_grad()) trainable += p.numel();
  }
  for (const Tensor& b : buffer_list) buffers += b.numel();
  const int64_t input_bytes = numel_of(input_shape) * static_cast<int64_t>(sizeof(float));
  const int64_t parameter_bytes = bytes_of(parameters), buffer_bytes = bytes_of(buffer_list);

  const std::string rule(w0 + w1 + w2 + w3 + w4 + 8, '-');
  std::string out = fmt::format("{} (input {})\n{}\n{:<{}}  {:<{}}  {:>{}}  {:>{}}  {:>{}}\n{}\n", model.type_name(),
                                shape_str(input_shape), rule, "Layer (type)", w0, "Output shape", w1, "Params", w2,
                                "FLOPs", w3, "Mult-Adds", w4, rule);
  for (const Row& r : rows) {
    out += fmt::format("{:<{}}  {:<{}}  {:>{}}  {:>{}}  {:>{}}\n", r.layer, w0, r.shape, w1, r.params, w2, r.flops,
                       w3, r.mult_adds, w4);
  }
  out += rule + "\n";
  out += fmt::format("output shape: {}\n", shape_str(output.shape()));
  out += fmt::format("total params: {}\n", grouped(total));
  out += fmt::format("trainable params: {}\n", grouped(trainable));
  out += fmt::format("non-trainable params: {}\n", grouped(total - trainable));
  out += fmt::format("buffers: {}\n", grouped(buffers));
  out += fmt::format("forward FLOPs: {}\n", grouped(total_flops));
  out += fmt::format("forward Mult-Adds: {}\n", grouped(total_mult_adds));
  out += rule + "\n";
  out += fmt::format("input size (MB): {}\n", megabytes(input_bytes));
  out += fmt::format("forward pass size (MB): {}\n", megabytes(activation_bytes));
  out += fmt::format("params size (MB): {}\n", megabytes(parameter_bytes));
  out += fmt::format("buffers size (MB): {}\n", megabytes(buffer_bytes));
  out += fmt::format("estimated total size (MB): {}",
                     megabytes(input_bytes + activation_bytes + parameter_bytes + buffer_bytes));
  return out;
}

}  // namespace ember::nn
