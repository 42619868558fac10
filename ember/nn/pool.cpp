#include "ember/nn/pool.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ember::nn {

std::string MaxPool2d::extra_repr() const {
  return fmt::format("kernel_size={}, stride={}, padding={}, dilation={}, ceil_mode={}",
                     ember::to_string(options_.kernel_size()), ember::to_string(options_.stride()), ember::to_string(options_.padding()),
                     ember::to_string(options_.dilation()), options_.ceil_mode());
}

std::string AvgPool2d::extra_repr() const {
  return fmt::format("kernel_size={}, stride={}, padding={}, ceil_mode={}, count_include_pad={}",
                     ember::to_string(options_.kernel_size()), ember::to_string(options_.stride()), ember::to_string(options_.padding()),
                     options_.ceil_mode(), options_.count_include_pad());
}

std::string SpatialPyramidPool::extra_repr() const {
  return fmt::format("levels=[{}], mode={}", fmt::join(levels_, ", "), mode_ == PoolMode::max ? "max" : "avg");
}

}  // namespace ember::nn
