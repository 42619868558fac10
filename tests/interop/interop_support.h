#pragma once
// What the PyTorch interchange test (test_pytorch.cpp) and its peer program for
// check_pytorch.py (pytorch_peer.cpp) share: the zoo model for an input batch, and the few SGD
// steps that tests/interop/make_pytorch_files.py takes in PyTorch (STEPS, LR, MOMENTUM there).
#include <memory>
#include <string>

#include <ember/ember.h>

namespace ember::interop {

inline constexpr int kSteps = 3;
inline constexpr double kLr = 0.05, kMomentum = 0.9;

// The registry's model `name` for inputs shaped like x ([N, C, S, S]). `dropout` only for
// alexnet_cifar (the registry refuses it for the others); 0 trains without drawing random numbers,
// so ember's steps can be compared with PyTorch's.
inline std::shared_ptr<nn::Module> zoo_model(const std::string& name, const Tensor& x, float dropout = 0.5f) {
  models::ModelConfig config;
  config.in_channels = x.size(1);
  config.input_size = x.size(2);
  if (name == "alexnet_cifar") config.dropout = dropout;
  return models::make_model(name, config);
}

// kSteps of SGD(kLr, kMomentum) on cross_entropy(model(x), targets) in training mode; leaves the
// model in eval mode.
inline void sgd_steps(nn::Module& model, const Tensor& x, const Tensor& targets) {
  optim::SGD sgd(model.parameters(), optim::SGDOptions(kLr).momentum(kMomentum));
  model.train();
  for (int step = 0; step < kSteps; ++step) {
    sgd.zero_grad();
    cross_entropy(model(x), targets).backward();
    sgd.step();
  }
  model.eval();
}

// Eval-mode logits without a graph.
inline Tensor eval_logits(nn::Module& model, const Tensor& x) {
  model.eval();
  NoGradGuard no_grad;
  return model(x);
}

}  // namespace ember::interop
