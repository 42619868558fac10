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

std::string summary(Module& model, const Shape& input_shape) {
  std::vector<Call> calls;
  const Tensor output = record_calls(model, input_shape, calls);

  std::map<const Module*, std::string> names;
  collect_names(model, "", names);
  struct Row {
    std::string layer, shape, params, flops;
  };
  std::vector<Row> rows;
  int64_t total_flops = 0;
  for (const auto& call : calls) {
    if (!is_leaf_call(call, model)) continue;  // leaf layers only
    auto it = names.find(call.module);
    const std::string name = it == names.end() ? "(unnamed)" : it->second;
    const int64_t f = call.module->flops(call.input, call.output);
    total_flops += f;
    const auto* fusable = dynamic_cast<const FusesReLU*>(call.module);
    const bool with_relu = fusable != nullptr && fusable->relu_fused();
    rows.push_back({fmt::format("{} ({}{})", name, call.module->type_name(), with_relu ? "+ReLU" : ""),
                    shape_str(call.output),
                    grouped(own_parameters(*call.module)), f > 0 ? grouped(f) : "-"});
  }
  if (rows.empty()) {  // a model with no registered children: itself is the only layer
    rows.push_back({model.type_name(), shape_str(output.shape()), grouped(own_parameters(model)), "-"});
  }
  size_t w0 = 13, w1 = 12, w2 = 6, w3 = 5;
  for (const Row& r : rows) {
    w0 = std::max(w0, r.layer.size());
    w1 = std::max(w1, r.shape.size());
    w2 = std::max(w2, r.params.size());
    w3 = std::max(w3, r.flops.size());
  }
  int64_t total = 0, trainable = 0;
  for (const Tensor& p : model.parameters()) {
    total += p.numel();
    if (p.requires_grad()) trainable += p.numel();
  }
  const std::string rule(w0 + w1 + w2 + w3 + 6, '-');
  std::string out = fmt::format("{} (input {})\n{}\n{:<{}}  {:<{}}  {:>{}}  {:>{}}\n{}\n", model.type_name(),
                                shape_str(input_shape), rule, "Layer (type)", w0, "Output shape", w1, "Params", w2,
                                "FLOPs", w3, rule);
  for (const Row& r : rows) {
    out += fmt::format("{:<{}}  {:<{}}  {:>{}}  {:>{}}\n", r.layer, w0, r.shape, w1, r.params, w2, r.flops, w3);
  }
  out += rule + "\n";
  out += fmt::format("output shape: {}\n", shape_str(output.shape()));
  out += fmt::format("forward FLOPs: {}\n", grouped(total_flops));
  out += fmt::format("trainable params: {}\n", grouped(trainable));
  out += fmt::format("total params: {}", total);
  return out;
}

}  // namespace ember::nn
