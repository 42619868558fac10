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
  for (const auto& [name, child] : named_children()) out = (*child)(out);
  return out;
}

}  // namespace ember::nn
