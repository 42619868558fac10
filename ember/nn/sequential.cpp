#include "ember/nn/sequential.h"

#include <typeinfo>

#include "ember/nn/activation.h"
#include "ember/nn/fusion.h"
#include "ember/nn/summary.h"

namespace ember::nn {

Sequential::Sequential(std::initializer_list<std::shared_ptr<Module>> modules) : Module("Sequential") {
  for (const auto& module : modules) push_back(module);
}

std::shared_ptr<Module> Sequential::operator[](size_t i) const {
  EMBER_CHECK(i < size(), "Sequential: index {} is out of range for {} modules", i, size());
  return named_children()[i].second;
}

Tensor Sequential::forward(const Tensor& x) {
  const auto& children = named_children();
  Tensor out = x;
  for (size_t i = 0; i < children.size(); ++i) {
    Module& child = *children[i].second;
    if (i + 1 < children.size() && is_plain_relu(*children[i + 1].second)) {
      out = layer_then(child, *children[i + 1].second, out);
      ++i;
    } else {
      out = child(out);
    }
  }
  return out;
}

bool is_plain_relu(const Module& module) { return typeid(module) == typeid(ReLU); }

Tensor layer_then(Module& layer, Module& activation, const Tensor& x) {
  const bool may_fuse = detail::active_recorder() == nullptr;  // summary() wants every layer
  if (may_fuse && is_plain_relu(activation)) {
    if (auto* fused = dynamic_cast<FusesReLU*>(&layer)) return fused->forward_relu(x);
  }
  return activation(layer(x));
}

}  // namespace ember::nn
