#include "ember/nn/upsample.h"

namespace ember::nn {

UpsampleOptions& UpsampleOptions::mode(std::string_view name) {
  if (name == "nearest") return mode(UpsampleMode::nearest);
  if (name == "bilinear") return mode(UpsampleMode::bilinear);
  fail("Upsample: mode must be \"nearest\" or \"bilinear\", got \"{}\"", name);
}

Upsample::Upsample(const UpsampleOptions& options) : Module("Upsample"), options_(options) {
  EMBER_CHECK(!(options.align_corners() && options.mode() == UpsampleMode::nearest),
              "Upsample: align_corners only applies to mode bilinear, got mode nearest with align_corners=true");
}

Tensor Upsample::forward(const Tensor& x) {
  if (options_.mode() == UpsampleMode::nearest) return upsample_nearest2d(x, options_.size());
  return upsample_bilinear2d(x, options_.size(), options_.align_corners());
}

std::string Upsample::extra_repr() const {
  std::string s = ember::to_string(options_.size());
  s += options_.mode() == UpsampleMode::nearest ? ", mode=nearest" : ", mode=bilinear";
  if (options_.align_corners()) s += ", align_corners=True";
  return s;
}

}  // namespace ember::nn
