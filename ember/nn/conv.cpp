#include "ember/nn/conv.h"

#include "ember/nn/conv_layer.h"

namespace ember::nn {

Conv2d::Conv2d(const Conv2dOptions& o) : Module("Conv2d"), options_(o) {
  conv_layer::make_parameters("Conv2d", *this, o, /*transposed=*/false, weight, bias);
}

Tensor Conv2d::forward(const Tensor& x) {
  return relu_fused() ? conv2d_relu(x, weight, bias, options_) : conv2d(x, weight, bias, options_);
}

int64_t Conv2d::flops(const Shape&, const Shape& output) const {
  return conv_layer::flops(options_, numel_of(output), /*transposed=*/false);
}

std::string Conv2d::extra_repr() const { return conv_layer::repr(options_); }

ConvTranspose2d::ConvTranspose2d(const ConvTranspose2dOptions& o) : Module("ConvTranspose2d"), options_(o) {
  conv_layer::make_parameters("ConvTranspose2d", *this, o, /*transposed=*/true, weight, bias);
}

Tensor ConvTranspose2d::forward(const Tensor& x) { return conv_transpose2d(x, weight, bias, options_); }

int64_t ConvTranspose2d::flops(const Shape& input, const Shape&) const {
  return conv_layer::flops(options_, numel_of(input), /*transposed=*/true);
}

std::string ConvTranspose2d::extra_repr() const { return conv_layer::repr(options_); }

}  // namespace ember::nn
