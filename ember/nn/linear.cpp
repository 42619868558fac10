#include "ember/nn/linear.h"

#include <fmt/format.h>

#include "ember/nn/init.h"
#include "ember/ops/linalg.h"

namespace ember::nn {

Linear::Linear(int64_t in_features, int64_t out_features, bool with_bias)
    : Module("Linear"), in_features_(in_features), out_features_(out_features) {
  EMBER_CHECK(in_features >= 1 && out_features >= 1, "Linear: in_features {} and out_features {} must be at least 1",
              in_features, out_features);
  weight = register_parameter("weight", empty({out_features, in_features}));
  if (with_bias) bias = register_parameter("bias", empty({out_features}));
  init::default_linear_init(weight, bias);
}

Tensor Linear::forward(const Tensor& x) { return linear(x, weight, bias); }

int64_t Linear::flops(const Shape&, const Shape& output) const {
  return 2 * numel_of(output) * in_features_;  // each output: in_features multiply-adds
}

std::string Linear::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, bias={}", in_features_, out_features_, bias.defined());
}

}  // namespace ember::nn
