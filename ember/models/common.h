#pragma once
// Pieces shared by the model zoo: the activation choice and small builders.
#include <memory>
#include <string>

#include "ember/core/error.h"
#include "ember/core/random.h"
#include "ember/nn/activation.h"
#include "ember/nn/module.h"

namespace ember::models {

// The type of the options' `generator` fields. EMBER_ARG's getter returns `const type&`, which
// for a spelled-out `Generator*` would read `const Generator*&` (a pointer to a const generator,
// which the field cannot bind to); through the alias it is `Generator* const&`.
using GeneratorPtr = Generator*;

// The nonlinearity a model uses where the architecture allows a choice.
enum class Activation { relu, tanh, sigmoid };

inline std::shared_ptr<nn::Module> make_activation(Activation a) {
  switch (a) {
    case Activation::relu: return std::make_shared<nn::ReLU>();
    case Activation::tanh: return std::make_shared<nn::Tanh>();
    case Activation::sigmoid: return std::make_shared<nn::Sigmoid>();
  }
  fail("models: unknown activation {}", static_cast<int>(a));
}

inline const char* to_string(Activation a) {
  switch (a) {
    case Activation::relu: return "relu";
    case Activation::tanh: return "tanh";
    case Activation::sigmoid: return "sigmoid";
  }
  return "?";
}

// The number of scalar parameters of a module tree (what PyTorch's
// sum(p.numel() for p in m.parameters()) prints).
inline int64_t parameter_count(const nn::Module& m) {
  int64_t n = 0;
  for (const Tensor& p : m.parameters()) n += p.numel();
  return n;
}

}  // namespace ember::models
