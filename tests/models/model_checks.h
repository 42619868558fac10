#pragma once
// Checks shared by the model-zoo tests (tests/models/test_*.cpp).
#include <string>
#include <vector>

#include "support/helpers.h"

#include "ember/models/common.h"

namespace ember::test {

// Runs model on x, checks the output shape, backpropagates a random weighting of the output and
// checks that every parameter received a gradient of its own shape. Returns the output.
inline Tensor check_forward_backward(nn::Module& model, const Tensor& x, const Shape& expected) {
  model.zero_grad();
  const Tensor out = model(x);
  CHECK(out.shape() == expected);
  sum(mul(out, random_tensor(out.shape(), 1234))).backward();
  for (const auto& [name, p] : model.named_parameters()) {
    INFO("parameter ", name);
    REQUIRE(p.grad().defined());
    CHECK(p.grad().shape() == p.shape());
  }
  return out;
}

inline std::vector<std::string> state_dict_keys(const nn::Module& model) {
  std::vector<std::string> keys;
  for (const auto& [name, t] : model.state_dict()) keys.push_back(name);
  return keys;
}

// Every module of the tree is in the given mode.
inline void check_mode(nn::Module& model, bool training) {
  model.apply([&](nn::Module& m) { CHECK(m.is_training() == training); });
}

}  // namespace ember::test
