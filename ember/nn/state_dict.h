#pragma once
// StateDict: an ordered collection of named tensors, plus string metadata. A model's parameters
// and buffers ("features.0.weight", "bn1.running_mean") or an optimizer's state
// ("state.3.exp_avg", "step"). Insertion order is kept: it is the order files are written in.
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ember/core/tensor.h"

namespace ember::nn {

class StateDict {
 public:
  using Item = std::pair<std::string, Tensor>;

  // Adds a named tensor; throws ember::Error if the name is already there or the tensor is undefined.
  void insert(const std::string& name, const Tensor& tensor);
  bool contains(const std::string& name) const { return index_.count(name) > 0; }
  // The tensor under `name`; throws ember::Error naming the key if it is absent.
  const Tensor& at(const std::string& name) const;
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  std::vector<std::string> keys() const;
  std::vector<Item>::const_iterator begin() const { return items_.begin(); }
  std::vector<Item>::const_iterator end() const { return items_.end(); }

  // Free-form string metadata (format version, optimizer hyper-parameters, ...).
  std::map<std::string, std::string> metadata;

 private:
  std::vector<Item> items_;
  std::unordered_map<std::string, size_t> index_;
};

}  // namespace ember::nn
