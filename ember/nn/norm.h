#pragma once
// Normalization and dropout layers.
#include "ember/core/random.h"
#include "ember/nn/fusion.h"
#include "ember/nn/module.h"

namespace ember::nn {

// AlexNet's across-channel local response normalization (alpha divided by size, as PyTorch).
class LocalResponseNorm : public Module {
 public:
  explicit LocalResponseNorm(int64_t size, float alpha = 1e-4f, float beta = 0.75f, float k = 1.0f);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

 private:
  int64_t size_;
  float alpha_, beta_, k_;
};

// BatchNorm2d over [N, C, H, W]: batch statistics in training (updating the running ones),
// running statistics in eval. Parameters weight (ones) and bias (zeros) when affine; buffers
// running_mean (zeros), running_var (ones) and num_batches_tracked (int64), as PyTorch.
class BatchNorm2d : public Module, public FusesReLU {
 public:
  explicit BatchNorm2d(int64_t num_features, float eps = 1e-5f, float momentum = 0.1f, bool affine = true);
  Tensor forward(const Tensor& x) override;  // batch_norm2d, or batch_norm2d_relu once fused (nn/fusion.h)
  std::string extra_repr() const override;

  Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 private:
  int64_t num_features_;
  float eps_, momentum_;
};

// Zeroes each element with probability p in training and scales the rest by 1/(1-p); identity
// in eval. Draws from `generator` (the default generator if null).
class Dropout : public Module {
 public:
  explicit Dropout(float p = 0.5f, Generator* generator = nullptr);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

 private:
  float p_;
  Generator* generator_;
};

// Zeroes whole channels of [N, C, H, W] with probability p (training only).
class Dropout2d : public Module {
 public:
  explicit Dropout2d(float p = 0.5f, Generator* generator = nullptr);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

 private:
  float p_;
  Generator* generator_;
};

}  // namespace ember::nn
