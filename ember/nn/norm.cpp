#include "ember/nn/norm.h"

#include <fmt/format.h>

#include "ember/autograd/grad_mode.h"
#include "ember/ops/dropout.h"
#include "ember/ops/norm.h"

namespace ember::nn {

LocalResponseNorm::LocalResponseNorm(int64_t size, float alpha, float beta, float k)
    : Module("LocalResponseNorm"), size_(size), alpha_(alpha), beta_(beta), k_(k) {
  EMBER_CHECK(size >= 1, "LocalResponseNorm: size must be at least 1, got {}", size);
}

Tensor LocalResponseNorm::forward(const Tensor& x) { return local_response_norm(x, size_, alpha_, beta_, k_); }

std::string LocalResponseNorm::extra_repr() const {
  return fmt::format("{}, alpha={}, beta={}, k={}", size_, alpha_, beta_, k_);
}

BatchNorm2d::BatchNorm2d(int64_t num_features, float eps, float momentum, bool affine)
    : Module("BatchNorm2d"), num_features_(num_features), eps_(eps), momentum_(momentum) {
  EMBER_CHECK(num_features >= 1, "BatchNorm2d: num_features must be at least 1, got {}", num_features);
  EMBER_CHECK(eps > 0.0f, "BatchNorm2d: eps must be positive, got {}", eps);
  EMBER_CHECK(momentum >= 0.0f && momentum <= 1.0f, "BatchNorm2d: momentum must be in [0, 1], got {}", momentum);
  if (affine) {
    weight = register_parameter("weight", ones({num_features}));
    bias = register_parameter("bias", zeros({num_features}));
  }
  running_mean = register_buffer("running_mean", zeros({num_features}));
  running_var = register_buffer("running_var", ones({num_features}));
  num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, DType::i64));
}

Tensor BatchNorm2d::forward(const Tensor& x) {
  const auto op = relu_fused() ? batch_norm2d_relu : batch_norm2d;
  Tensor out = op(x, running_mean, running_var, weight, bias, is_training(), momentum_, eps_);
  if (is_training()) num_batches_tracked.set<int64_t>({}, num_batches_tracked.item<int64_t>() + 1);
  return out;
}

std::string BatchNorm2d::extra_repr() const {
  return fmt::format("{}, eps={}, momentum={}, affine={}", num_features_, eps_, momentum_, weight.defined());
}

Dropout::Dropout(float p, Generator* generator) : Module("Dropout"), p_(p), generator_(generator) {
  EMBER_CHECK(p >= 0.0f && p <= 1.0f, "Dropout: p must be in [0, 1], got {}", p);
}

Tensor Dropout::forward(const Tensor& x) { return dropout(x, p_, is_training(), generator_); }
std::string Dropout::extra_repr() const { return fmt::format("p={}", p_); }

Dropout2d::Dropout2d(float p, Generator* generator) : Module("Dropout2d"), p_(p), generator_(generator) {
  EMBER_CHECK(p >= 0.0f && p <= 1.0f, "Dropout2d: p must be in [0, 1], got {}", p);
}

Tensor Dropout2d::forward(const Tensor& x) { return dropout2d(x, p_, is_training(), generator_); }
std::string Dropout2d::extra_repr() const { return fmt::format("p={}", p_); }

}  // namespace ember::nn
