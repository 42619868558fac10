#pragma once
// Printing tensors: fmt::format("{}", t), fmt::print, and std::ostream <<.
//   tensor([[ 1.0000, -2.5000],
//           [ 3.0000,  4.0000]], shape=[2, 2], requires_grad)
// Tensors over 1000 elements show the first and last three entries of each dimension.
#include <fmt/format.h>

#include <iosfwd>
#include <string>

#include "ember/core/tensor.h"

namespace ember {

std::string to_string(const Tensor& t);
std::ostream& operator<<(std::ostream& os, const Tensor& t);

}  // namespace ember

template <>
struct fmt::formatter<ember::Tensor> : fmt::formatter<std::string> {
  template <typename Context>
  auto format(const ember::Tensor& t, Context& ctx) const {
    return fmt::formatter<std::string>::format(ember::to_string(t), ctx);
  }
};
