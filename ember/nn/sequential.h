#pragma once
// Sequential: runs its children in order. Children are named "0", "1", ... (as PyTorch), or
// given names; Sequentials nest, since every child is just a Module.
//
//   auto features = sequential({std::make_shared<Conv2d>(Conv2dOptions(1, 6, 5).padding(2)),
//                               std::make_shared<ReLU>(), std::make_shared<MaxPool2d>(2)});
#include <initializer_list>
#include <memory>
#include <vector>

#include "ember/nn/module.h"

namespace ember::nn {

class Sequential : public Module {
 public:
  Sequential() : Module("Sequential") {}
  Sequential(std::initializer_list<std::shared_ptr<Module>> modules);

  // Appends a child named by its position.
  template <typename M>
  std::shared_ptr<M> push_back(std::shared_ptr<M> module) {
    add_child(std::to_string(size()), module);
    return module;
  }
  // Appends a named child.
  template <typename M>
  std::shared_ptr<M> push_back(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }

  size_t size() const { return named_children().size(); }
  // The i-th child; throws ember::Error when out of range.
  std::shared_ptr<Module> operator[](size_t i) const;

  Tensor forward(const Tensor& x) override;

  // forward passes over the i-th child: what the fusion pass (nn/fusion.h) does to a ReLU whose
  // work the layer before it has taken over.
  void skip(size_t i);
  bool skipped(size_t i) const { return i < skipped_.size() && skipped_[i]; }

 private:
  std::vector<bool> skipped_;
};

// A shared Sequential of the given modules, named "0", "1", ...
inline std::shared_ptr<Sequential> sequential(std::initializer_list<std::shared_ptr<Module>> modules) {
  return std::make_shared<Sequential>(modules);
}

}  // namespace ember::nn
