#include "ember/nn/conv_nd.h"

#include "ember/nn/conv_layer.h"

namespace ember::nn {

Conv1d::Conv1d(const Conv1dOptions& o) : Module("Conv1d"), options_(o) {
  conv_layer::make_parameters("Conv1d", *this, o, /*transposed=*/false, weight, bias);
}

Tensor Conv1d::forward(const Tensor& x) { return conv1d(x, weight, bias, options_); }

int64_t Conv1d::flops(const Shape&, const Shape& output) const {
  return conv_layer::flops(options_, numel_of(output), /*transposed=*/false);
}

std::string Conv1d::extra_repr() const { return conv_layer::repr(options_); }

Conv3d::Conv3d(const Conv3dOptions& o) : Module("Conv3d"), options_(o) {
  conv_layer::make_parameters("Conv3d", *this, o, /*transposed=*/false, weight, bias);
}

Tensor Conv3d::forward(const Tensor& x) { return conv3d(x, weight, bias, options_); }

int64_t Conv3d::flops(const Shape&, const Shape& output) const {
  return conv_layer::flops(options_, numel_of(output), /*transposed=*/false);
}

std::string Conv3d::extra_repr() const { return conv_layer::repr(options_); }

}  // namespace ember::nn
