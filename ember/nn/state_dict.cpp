#include "ember/nn/state_dict.h"

namespace ember::nn {

void StateDict::insert(const std::string& name, const Tensor& tensor) {
  EMBER_CHECK(!name.empty(), "state_dict: a tensor needs a non-empty name");
  EMBER_CHECK(tensor.defined(), "state_dict: tensor '{}' is undefined", name);
  EMBER_CHECK(!contains(name), "state_dict: the name '{}' is already used", name);
  index_.emplace(name, items_.size());
  items_.emplace_back(name, tensor);
}

const Tensor& StateDict::at(const std::string& name) const {
  auto it = index_.find(name);
  EMBER_CHECK(it != index_.end(), "state_dict: no tensor named '{}' ({} entries)", name, items_.size());
  return items_[it->second].second;
}

std::vector<std::string> StateDict::keys() const {
  std::vector<std::string> out;
  out.reserve(items_.size());
  for (const auto& item : items_) out.push_back(item.first);
  return out;
}

}  // namespace ember::nn
