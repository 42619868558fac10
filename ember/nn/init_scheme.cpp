#include "ember/nn/init_scheme.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

#include "ember/core/error.h"
#include "ember/nn/init.h"

namespace ember::nn::init {

InitScheme parse_init_scheme(std::string_view text, std::string_view what) {
  if (text == "pytorch") return {InitScheme::Kind::pytorch};
  if (text == "xavier" || text == "glorot_uniform") return {InitScheme::Kind::xavier_uniform};
  if (text == "kaiming") return {InitScheme::Kind::kaiming_normal};
  constexpr std::string_view normal = "normal:";
  if (text.substr(0, normal.size()) == normal) {
    const std::string number(text.substr(normal.size()));
    char* end = nullptr;
    errno = 0;
    const double stddev = number.empty() ? NAN : std::strtod(number.c_str(), &end);
    EMBER_CHECK(!number.empty() && end == number.c_str() + number.size() && errno == 0 && std::isfinite(stddev) &&
                    stddev > 0,
                "{} '{}': the standard deviation after 'normal:' must be a number greater than 0, e.g. normal:0.01",
                what, text);
    return {InitScheme::Kind::normal, stddev};
  }
  fail("unknown {} '{}' (choose from: {})", what, text, kInitSchemeNames);
}

void initialize(Module& model, const InitScheme& scheme, Generator* gen) {
  if (scheme.kind == InitScheme::Kind::pytorch) return;
  model.apply([&](Module& layer) {
    Tensor weight, bias;
    for (const auto& [name, p] : layer.named_parameters(/*recurse=*/false)) {
      if (name == "weight") weight = p;
      if (name == "bias") bias = p;
    }
    if (!weight.defined() || weight.dim() < 2) return;
    switch (scheme.kind) {
      case InitScheme::Kind::xavier_uniform: xavier_uniform_(weight, 1.0, gen); break;
      case InitScheme::Kind::kaiming_normal: kaiming_normal_(weight, 0.0, FanMode::fan_in, "relu", gen); break;
      case InitScheme::Kind::normal: normal_(weight, 0.0, scheme.stddev, gen); break;
      case InitScheme::Kind::pytorch: break;
    }
    if (bias.defined()) zeros_(bias);
  });
}

}  // namespace ember::nn::init
