#pragma once
// Upsample: nn.Upsample over ember::upsample_nearest2d / upsample_bilinear2d (ember/ops/upsample.h).
//   Upsample(UpsampleOptions().scale_factor(2))                               nearest, x2
//   Upsample(UpsampleOptions().size({14, 14}).mode("bilinear").align_corners(true))
// No parameters. A decoder's resize-convolution is Upsample(x2) followed by a 3x3 Conv2d(padding 1).
#include <string>
#include <string_view>

#include "ember/nn/module.h"
#include "ember/ops/upsample.h"

namespace ember::nn {

enum class UpsampleMode { nearest, bilinear };

struct UpsampleOptions {
  UpsampleOptions& size(Int2 output_size) { size_ = UpsampleSize::to(output_size); return *this; }
  UpsampleOptions& scale_factor(double factor) { size_ = UpsampleSize::scale(factor); return *this; }
  UpsampleOptions& scale_factor(double height, double width) { size_ = UpsampleSize::scale(height, width); return *this; }
  UpsampleOptions& mode(UpsampleMode m) { mode_ = m; return *this; }
  // "nearest" or "bilinear"; throws ember::Error naming what it got otherwise.
  UpsampleOptions& mode(std::string_view name);
  // Bilinear only (PyTorch refuses it for nearest, and so does Upsample's constructor).
  UpsampleOptions& align_corners(bool on) { align_corners_ = on; return *this; }

  UpsampleSize size_ = UpsampleSize::scale(2.0);
  UpsampleMode mode_ = UpsampleMode::nearest;
  bool align_corners_ = false;
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
