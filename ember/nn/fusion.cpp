#include "ember/nn/fusion.h"

#include <typeinfo>

#include "ember/nn/activation.h"
#include "ember/nn/sequential.h"

namespace ember::nn {

bool is_plain_relu(const Module& module) { return typeid(module) == typeid(ReLU); }

namespace {

void fuse_under(Module& module, const std::string& prefix, std::vector<std::string>& fused) {
  if (auto* sequential = dynamic_cast<Sequential*>(&module)) {
    const auto& children = sequential->named_children();
    for (size_t i = 0; i + 1 < children.size(); ++i) {
      auto* layer = dynamic_cast<FusesReLU*>(children[i].second.get());
      if (layer == nullptr || layer->relu_fused() || !is_plain_relu(*children[i + 1].second)) continue;
      layer->fuse_relu();
      sequential->skip(i + 1);
      fused.push_back(prefix + children[i].first);
    }
  }
  for (const auto& [name, child] : module.named_children()) fuse_under(*child, prefix + name + ".", fused);
}

}  // namespace

std::vector<std::string> fuse_relu(Module& root) {
  std::vector<std::string> fused;
  fuse_under(root, "", fused);
  return fused;
}

}  // namespace ember::nn
