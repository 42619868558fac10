#include "ember/nn/init.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "ember/autograd/grad_mode.h"

namespace ember::nn::init {

namespace {

Generator& pick(Generator* gen) { return gen ? *gen : default_generator(); }

// Every filling function's checks, reported under its own name (kaiming_uniform_, not uniform_).
void check_target(const char* fn, const Tensor& t) {
  EMBER_CHECK(t.defined(), "{}: the tensor is undefined", fn);
  EMBER_CHECK(t.dtype() == DType::f32, "{}: expects a float32 tensor, got {}", fn, t.describe());
  for (int64_t d = 0; d < t.dim() && t.numel() > 0; ++d) {  // an empty tensor aliases nothing
    EMBER_CHECK(t.strides()[d] != 0 || t.shape()[d] <= 1,
                "{}: the tensor {} is an expanded view in which several elements share memory; clone() it first", fn,
                t.describe());
  }
}

// Writes draw() into every element in row-major order, outside the graph, and bumps the version.
template <typename Draw>
void fill_with(const Tensor& t, Draw draw) {
  NoGradGuard no_grad;
  if (t.is_contiguous() || t.numel() == 0) {
    float* p = t.data<float>();
    for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = draw();
    t.bump_version();
  } else {
    const Tensor values = empty(t.shape());
    float* p = values.data<float>();
    for (int64_t i = 0, n = values.numel(); i < n; ++i) p[i] = draw();
    t.copy_(values);  // bumps the version
  }
}

// U(a, b) in double, rounded to float and kept below b: rounding a value just under b to float
// can give b itself, and the bounds of an initializer must hold.
void fill_uniform(const Tensor& t, double a, double b, Generator& g) {
  const float fa = static_cast<float>(a), fb = static_cast<float>(b);
  const float below_b = std::max(std::nextafter(fb, fa), fa);
  const double span = b - a;
  fill_with(t, [&] {
    const float v = static_cast<float>(a + span * static_cast<double>(g.uniform()));
    return v < fb ? v : below_b;
  });
}

void fill_normal(const Tensor& t, double mean, double stddev, Generator& g) {
  fill_with(t, [&] { return static_cast<float>(mean + stddev * static_cast<double>(g.normal())); });
}

// Not Tensor::fill_: it rejects empty tensors whose strides contain a 0 (e.g. [3, 0]).
void fill_constant(const Tensor& t, float value) {
  fill_with(t, [value] { return value; });
}

bool has_zero_dim(const Tensor& t) {
  return std::any_of(t.shape().begin(), t.shape().end(), [](int64_t s) { return s == 0; });
}

Fans fans_for(const char* fn, const Tensor& t) {
  EMBER_CHECK(t.dim() >= 2,
              "{}: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions, got {}", fn,
              t.describe());
  int64_t receptive_field = 1;
  for (int64_t d = 2; d < t.dim(); ++d) receptive_field *= t.size(d);
  return {t.size(1) * receptive_field, t.size(0) * receptive_field};
}

double gain_for(const char* fn, std::string_view nonlinearity, std::optional<double> param) {
  static constexpr std::string_view kLinear[] = {"linear",           "conv1d",           "conv2d",          "conv3d",
                                                 "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid"};
  if (std::find(std::begin(kLinear), std::end(kLinear), nonlinearity) != std::end(kLinear)) return 1.0;
  if (nonlinearity == "tanh") return 5.0 / 3.0;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") {
    const double slope = param.value_or(0.01);
    return std::sqrt(2.0 / (1.0 + slope * slope));
  }
  if (nonlinearity == "selu") return 3.0 / 4.0;
  fail("{}: unsupported nonlinearity '{}' (expected one of linear, conv1d, conv2d, conv3d, conv_transpose1d, "
       "conv_transpose2d, conv_transpose3d, sigmoid, tanh, relu, leaky_relu, selu)",
       fn, nonlinearity);
}

double xavier_std(const char* fn, const Tensor& t, double gain) {
  const Fans f = fans_for(fn, t);
  EMBER_CHECK(f.fan_in + f.fan_out > 0, "{}: fan_in + fan_out is 0 for {}, so the std gain * sqrt(2 / (fan_in + fan_out)) is undefined",
              fn, t.describe());
  return gain * std::sqrt(2.0 / static_cast<double>(f.fan_in + f.fan_out));
}

// The std of a Kaiming init, or nothing for a zero-element tensor (a no-op, as in PyTorch).
std::optional<double> kaiming_std(const char* fn, const Tensor& t, double a, FanMode mode,
                                  std::string_view nonlinearity) {
  check_target(fn, t);
  const double gain = gain_for(fn, nonlinearity, a);
  if (has_zero_dim(t)) return std::nullopt;
  const Fans f = fans_for(fn, t);
  const int64_t fan = mode == FanMode::fan_in ? f.fan_in : f.fan_out;
  return gain / std::sqrt(static_cast<double>(fan));
}

// A bias is 1-D; with match_out it must have weight.size(0) entries. Transposed convolutions keep
// out_channels in the weight's size(1), so default_conv_init only asks for 1-D.
void check_bias(const char* fn, const Tensor& weight, const Tensor& bias, bool match_out) {
  if (!bias.defined()) return;
  check_target(fn, bias);
  EMBER_CHECK(bias.dim() == 1, "{}: expects a 1-D bias, got {} (weight {})", fn, bias.describe(), weight.describe());
  EMBER_CHECK(!match_out || (weight.dim() >= 1 && bias.size(0) == weight.size(0)),
              "{}: bias {} does not match weight {} (expected [out] = [weight.size(0)])", fn, bias.describe(),
              weight.describe());
}

// Linear's and Conv's reset_parameters; they differ only in the bias check and in what happens to
// the bias at fan_in 0.
void default_init(const char* fn, const Tensor& weight, const Tensor& bias, bool linear, Generator* gen) {
  check_target(fn, weight);
  check_bias(fn, weight, bias, /*match_out=*/linear);
  Generator& g = pick(gen);
  if (const auto stddev = kaiming_std(fn, weight, std::sqrt(5.0), FanMode::fan_in, "leaky_relu")) {
    const double bound = std::sqrt(3.0) * *stddev;
    fill_uniform(weight, -bound, bound, g);
  }
  if (!bias.defined()) return;
  const int64_t fan_in = fans_for(fn, weight).fan_in;
  if (fan_in > 0) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    fill_uniform(bias, -bound, bound, g);
  } else if (linear) {  // Linear's bias becomes U(0, 0); Conv's is left alone
    fill_uniform(bias, 0.0, 0.0, g);
  }
}

}  // namespace

double calculate_gain(std::string_view nonlinearity, std::optional<double> param) {
  return gain_for("calculate_gain", nonlinearity, param);
}

Fans calculate_fan_in_and_fan_out(const Tensor& t) {
  EMBER_CHECK(t.defined(), "calculate_fan_in_and_fan_out: the tensor is undefined");
  return fans_for("calculate_fan_in_and_fan_out", t);
}

const Tensor& uniform_(const Tensor& t, double a, double b, Generator* gen) {
  check_target("uniform_", t);
  EMBER_CHECK(std::isfinite(a) && std::isfinite(b) && a <= b, "uniform_: needs finite a <= b, got a {} b {}", a, b);
  fill_uniform(t, a, b, pick(gen));
  return t;
}

const Tensor& normal_(const Tensor& t, double mean, double stddev, Generator* gen) {
  check_target("normal_", t);
  EMBER_CHECK(std::isfinite(mean) && std::isfinite(stddev) && stddev >= 0.0,
              "normal_: needs a finite mean and a finite std >= 0, got mean {} std {}", mean, stddev);
  fill_normal(t, mean, stddev, pick(gen));
  return t;
}

const Tensor& constant_(const Tensor& t, double value) {
  check_target("constant_", t);
  fill_constant(t, static_cast<float>(value));
  return t;
}

const Tensor& zeros_(const Tensor& t) {
  check_target("zeros_", t);
  fill_constant(t, 0.0f);
  return t;
}

const Tensor& ones_(const Tensor& t) {
  check_target("ones_", t);
  fill_constant(t, 1.0f);
  return t;
}

const Tensor& xavier_uniform_(const Tensor& t, double gain, Generator* gen) {
  check_target("xavier_uniform_", t);
  const double bound = std::sqrt(3.0) * xavier_std("xavier_uniform_", t, gain);
  fill_uniform(t, -bound, bound, pick(gen));
  return t;
}

const Tensor& xavier_normal_(const Tensor& t, double gain, Generator* gen) {
  check_target("xavier_normal_", t);
  fill_normal(t, 0.0, xavier_std("xavier_normal_", t, gain), pick(gen));
  return t;
}

const Tensor& kaiming_uniform_(const Tensor& t, double a, FanMode mode, std::string_view nonlinearity,
                               Generator* gen) {
  if (const auto stddev = kaiming_std("kaiming_uniform_", t, a, mode, nonlinearity)) {
    const double bound = std::sqrt(3.0) * *stddev;
    fill_uniform(t, -bound, bound, pick(gen));
  }
  return t;
}

const Tensor& kaiming_normal_(const Tensor& t, double a, FanMode mode, std::string_view nonlinearity,
                              Generator* gen) {
  if (const auto stddev = kaiming_std("kaiming_normal_", t, a, mode, nonlinearity)) fill_normal(t, 0.0, *stddev, pick(gen));
  return t;
}

void default_linear_init(const Tensor& weight, const Tensor& bias, Generator* gen) {
  EMBER_CHECK(weight.defined() && weight.dim() == 2, "default_linear_init: expects a 2-D weight [out, in], got {}",
              weight.defined() ? weight.describe() : std::string("an undefined tensor"));
  default_init("default_linear_init", weight, bias, /*linear=*/true, gen);
}

void default_conv_init(const Tensor& weight, const Tensor& bias, Generator* gen) {
  EMBER_CHECK(weight.defined() && weight.dim() >= 3,
              "default_conv_init: expects a weight [out, in/groups, k...] with at least 3 dims, got {}",
              weight.defined() ? weight.describe() : std::string("an undefined tensor"));
  default_init("default_conv_init", weight, bias, /*linear=*/false, gen);
}

void normal_init(const Tensor& weight, const Tensor& bias, double stddev, Generator* gen) {
  check_target("normal_init", weight);
  check_bias("normal_init", weight, bias, /*match_out=*/true);
  EMBER_CHECK(std::isfinite(stddev) && stddev >= 0.0, "normal_init: needs a finite std >= 0, got {}", stddev);
  fill_normal(weight, 0.0, stddev, pick(gen));
  if (bias.defined()) zeros_(bias);
}

}  // namespace ember::nn::init
