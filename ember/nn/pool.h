#pragma once
// Pooling layers over the ops in ember/ops/pool.h.
//   MaxPool2d(MaxPool2dOptions(3).stride(2)), AvgPool2d(2), AdaptiveAvgPool2d(1)
#include <vector>

#include "ember/nn/module.h"
#include "ember/ops/pool.h"

namespace ember::nn {

class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(const MaxPool2dOptions& options) : Module("MaxPool2d"), options_(options) {}
  explicit MaxPool2d(Int2 kernel_size) : MaxPool2d(MaxPool2dOptions(kernel_size)) {}
  Tensor forward(const Tensor& x) override { return max_pool2d(x, options_); }
  std::string extra_repr() const override;

 private:
  MaxPool2dOptions options_;
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(const AvgPool2dOptions& options) : Module("AvgPool2d"), options_(options) {}
  explicit AvgPool2d(Int2 kernel_size) : AvgPool2d(AvgPool2dOptions(kernel_size)) {}
  Tensor forward(const Tensor& x) override { return avg_pool2d(x, options_); }
  std::string extra_repr() const override;

 private:
  AvgPool2dOptions options_;
};

class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(Int2 output_size) : Module("AdaptiveAvgPool2d"), output_size_(output_size) {}
  Tensor forward(const Tensor& x) override { return adaptive_avg_pool2d(x, output_size_); }
  std::string extra_repr() const override { return "output_size=" + ember::to_string(output_size_); }

 private:
  Int2 output_size_;
};

class AdaptiveMaxPool2d : public Module {
 public:
  explicit AdaptiveMaxPool2d(Int2 output_size) : Module("AdaptiveMaxPool2d"), output_size_(output_size) {}
  Tensor forward(const Tensor& x) override { return adaptive_max_pool2d(x, output_size_); }
  std::string extra_repr() const override { return "output_size=" + ember::to_string(output_size_); }

 private:
  Int2 output_size_;
};

// [N, C, H, W] of any H, W -> [N, C * sum(level^2)].
class SpatialPyramidPool : public Module {
 public:
  explicit SpatialPyramidPool(std::vector<int64_t> levels = {1, 2, 4}, PoolMode mode = PoolMode::max)
      : Module("SpatialPyramidPool"), levels_(std::move(levels)), mode_(mode) {}
  Tensor forward(const Tensor& x) override { return spatial_pyramid_pool(x, levels_, mode_); }
  std::string extra_repr() const override;

 private:
  std::vector<int64_t> levels_;
  PoolMode mode_;
};

}  // namespace ember::nn
