#pragma once
// Weight initialization, like torch.nn.init: functions that fill an existing float32 tensor in
// place and return it.
//
// Contract shared by every filling function:
//   - the tensor must be defined, float32 and not an expanded view (several elements sharing
//     memory); anything else throws ember::Error naming the function and the tensor;
//   - the write happens under NoGradGuard, so parameters that require grad can be initialized
//     directly; it bumps the version counter, as any in-place write does;
//   - random values are drawn from `gen` (the default generator when null) in row-major order
//     of the tensor's logical layout, so a seeded Generator gives the same tensor every time,
//     whatever its strides;
//   - uniform values lie in [a, b) (never b itself, unless a == b); normal values are
//     mean + std * N(0, 1).
//
// Fans follow PyTorch: for a weight [out, in, k1, k2, ...] (Linear [out, in], Conv2d
// [out, in/groups, kh, kw]) fan_in = in * k1 * k2 * ..., fan_out = out * k1 * k2 * ...
// It needs at least 2 dims.
#include <cstdint>
#include <optional>
#include <string_view>

#include "ember/core/random.h"
#include "ember/core/tensor.h"

namespace ember::nn::init {

// ---- gains and fans ----

// The recommended gain for a nonlinearity (its `nn.functional` name), exactly PyTorch's:
//   linear, conv1d/2d/3d, conv_transpose1d/2d/3d, sigmoid -> 1;  tanh -> 5/3;  relu -> sqrt(2);
//   leaky_relu -> sqrt(2 / (1 + slope^2)) with slope = param (0.01 if absent);  selu -> 3/4.
// `param` is ignored except for leaky_relu. Throws ember::Error for any other name.
double calculate_gain(std::string_view nonlinearity, std::optional<double> param = std::nullopt);

struct Fans {
  int64_t fan_in = 0;
  int64_t fan_out = 0;
};
// fan_in and fan_out as above. Throws ember::Error for fewer than 2 dims.
Fans calculate_fan_in_and_fan_out(const Tensor& t);

// Which fan Kaiming initialization preserves the variance of: fan_in for the forward pass,
// fan_out for the backward pass.
enum class FanMode { fan_in, fan_out };

// ---- plain distributions and constants ----

// U(a, b). Needs finite a <= b.
const Tensor& uniform_(const Tensor& t, double a = 0.0, double b = 1.0, Generator* gen = nullptr);
// N(mean, std^2). Needs finite mean and finite std >= 0 (std == 0 fills with mean).
const Tensor& normal_(const Tensor& t, double mean = 0.0, double stddev = 1.0, Generator* gen = nullptr);
const Tensor& constant_(const Tensor& t, double value);
const Tensor& zeros_(const Tensor& t);
const Tensor& ones_(const Tensor& t);

// ---- Glorot / Xavier: std = gain * sqrt(2 / (fan_in + fan_out)) ----
// xavier_uniform_ draws U(-sqrt(3) * std, sqrt(3) * std); xavier_normal_ draws N(0, std^2).
// Need >= 2 dims and fan_in + fan_out > 0 (PyTorch divides by zero there).
const Tensor& xavier_uniform_(const Tensor& t, double gain = 1.0, Generator* gen = nullptr);
const Tensor& xavier_normal_(const Tensor& t, double gain = 1.0, Generator* gen = nullptr);

// ---- He / Kaiming: std = calculate_gain(nonlinearity, a) / sqrt(fan) ----
// `a` is the negative slope of the rectifier after this layer (used only by leaky_relu).
// kaiming_uniform_ draws U(-sqrt(3) * std, sqrt(3) * std); kaiming_normal_ draws N(0, std^2).
// As in PyTorch, a tensor with a zero-sized dim is left untouched (a no-op, not an error); the
// nonlinearity is still validated first. Otherwise needs >= 2 dims.
const Tensor& kaiming_uniform_(const Tensor& t, double a = 0.0, FanMode mode = FanMode::fan_in,
                               std::string_view nonlinearity = "leaky_relu", Generator* gen = nullptr);
const Tensor& kaiming_normal_(const Tensor& t, double a = 0.0, FanMode mode = FanMode::fan_in,
                              std::string_view nonlinearity = "leaky_relu", Generator* gen = nullptr);

// ---- per-layer defaults, for the Module layer's reset_parameters ----
// Both are exactly torch.nn.Linear / torch.nn._ConvNd.reset_parameters: weight by
// kaiming_uniform_(weight, a = sqrt(5)), which is U(-1/sqrt(fan_in), 1/sqrt(fan_in)); then the
// bias (optional: pass an undefined Tensor for none) by U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
// drawn after the weight from the same generator. With fan_in == 0, Linear's bias becomes 0 and
// Conv's bias is left untouched, as in PyTorch.
// default_linear_init needs a 2-D weight [out, in] and a bias [out]. default_conv_init needs a
// weight with >= 3 dims and a 1-D bias: it serves both Conv2d (weight [out, in/groups, k...]) and
// ConvTranspose2d (weight [in, out/groups, k...], bias [out]), as _ConvNd.reset_parameters does.
void default_linear_init(const Tensor& weight, const Tensor& bias, Generator* gen = nullptr);
void default_conv_init(const Tensor& weight, const Tensor& bias, Generator* gen = nullptr);

// The classic initialization (torchvision's VGG/AlexNet classifier, Caffe's "gaussian" filler):
// weight from N(0, std^2), bias (if defined) zero.
void normal_init(const Tensor& weight, const Tensor& bias, double stddev = 0.01, Generator* gen = nullptr);

}  // namespace ember::nn::init
