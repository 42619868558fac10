#pragma once
// What the training-loop tests share: a small real-MNIST experiment and a bitwise model comparison.
#include <string>

#include "support/helpers.h"

namespace ember::test {

inline const std::string kMnistSmall = EMBER_FIXTURES_DIR "/mnist-small";

// LeNet-5 on the committed 1000-image MNIST subset: 2 epochs of 20 batches, SGD with momentum.
inline train::ExperimentConfig small_config(const std::string& out) {
  train::ExperimentConfig c;
  c.model = "lenet5";
  c.data = "mnist";
  c.data_dir = kMnistSmall;
  c.train_limit = 1000;
  c.epochs = 2;
  c.batch = 50;
  c.lr = 0.05;
  c.momentum = 0.9;
  c.out = out;
  c.seed = 7;
  return c;
}

// Every parameter and buffer of two models, bit for bit.
inline void check_same_weights(nn::Module& a, nn::Module& b) {
  const auto sa = a.state_dict(), sb = b.state_dict();
  REQUIRE(sa.keys() == sb.keys());
  for (const auto& [name, tensor] : sa) {
    INFO(name);
    check_bitwise_equal(tensor, sb.at(name));
  }
}

// Optimizer state (tensors and metadata), bit for bit.
inline void check_same_optimizer_state(const optim::Optimizer& a, const optim::Optimizer& b) {
  const auto sa = a.state_dict(), sb = b.state_dict();
  REQUIRE(sa.keys() == sb.keys());
  for (const auto& [name, t] : sa) {
    INFO(name);
    check_bitwise_equal(t, sb.at(name));
  }
  CHECK(sa.metadata == sb.metadata);
}

}  // namespace ember::test
