#include "ember/nn/sequential.h"

namespace ember::nn {

Sequential::Sequential(std::initializer_list<std::shared_ptr<Module>> modules) : Module("Sequential") {
  for (const auto& module : modules) push_back(module);
}

std::shared_ptr<Module> Sequential::operator[](size_t i) const {
  EMBER_CHECK(i < size(), "Sequential: index {} is out of range for {} modules", i, size());
  return named_children()[i].second;
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor out = x;
  const auto& children = named_children();
  for (size_t i = 0; i < children.size(); ++i) {
    if (!skipped(i)) out = (*children[i].second)(out);
  }
  return out;
}

void Sequential::skip(size_t i) {
  EMBER_CHECK(i < size(), "Sequential: cannot skip child {} of {}", i, size());
  skipped_.resize(size(), false);
  skipped_[i] = true;
}

}  // namespace ember::nn
