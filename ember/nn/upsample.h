#pragma once
// Upsample: nn.Upsample over ember::upsample_nearest2d / upsample_bilinear2d (ember/ops/upsample.h).
//   Upsample(UpsampleOptions().scale_factor(2))                               nearest, x2
//   Upsample(UpsampleOptions().size({14, 14}).mode("bilinear").align_corners(true))
// No parameters. A decoder's resize-convolution is Upsample(x2) followed by a 3x3 Conv2d(padding 1).
#include <string>
#include <string_view>

#include "ember/core/options.h"
#include "ember/nn/module.h"
#include "ember/ops/upsample.h"

namespace ember::nn {

enum class UpsampleMode { nearest, bilinear };

struct UpsampleOptions {
  // The output size, or scale factors (default: scale 2). size() reads which.
  UpsampleOptions& size(Int2 output_size) { size_ = UpsampleSize::to(output_size); return *this; }
  UpsampleOptions& scale_factor(double factor) { size_ = UpsampleSize::scale(factor); return *this; }
  UpsampleOptions& scale_factor(double height, double width) { size_ = UpsampleSize::scale(height, width); return *this; }
  const UpsampleSize& size() const { return size_; }
  EMBER_ARG(UpsampleMode, mode, UpsampleMode::nearest);

 public:
  // "nearest" or "bilinear"; throws ember::Error naming what it got otherwise.
  UpsampleOptions& mode(std::string_view name);
  // Bilinear only (PyTorch refuses it for nearest, and so does Upsample's constructor).
  EMBER_ARG(bool, align_corners, false);

 private:
  UpsampleSize size_ = UpsampleSize::scale(2.0);
};

class Upsample : public Module {
 public:
  explicit Upsample(const UpsampleOptions& options = {});
  Tensor forward(const Tensor& x) override;
  // "scale_factor=2.0, mode=nearest" (PyTorch's), plus ", align_corners=True" when set.
  std::string extra_repr() const override;

 private:
  UpsampleOptions options_;
};

}  // namespace ember::nn
