#include "ember/nn/conv.h"

#include "ember/nn/conv_layer.h"
#include "ember/nn/init.h"

namespace ember::nn {

Conv2d::Conv2d(const Conv2dOptions& o) : Module("Conv2d"), options_(o) {
  conv_layer::check_sizes("Conv2d", o);
  weight = register_parameter(
      "weight", empty(conv_layer::weight_shape(o.out_channels(), o.in_channels() / o.groups(), o.kernel_size())));
  if (o.bias()) bias = register_parameter("bias", empty({o.out_channels()}));
  init::default_conv_init(weight, bias);
}

Tensor Conv2d::forward(const Tensor& x) {
  return relu_fused() ? conv2d_relu(x, weight, bias, options_) : conv2d(x, weight, bias, options_);
}

int64_t Conv2d::flops(const Shape&, const Shape& output) const {
  return 2 * numel_of(output) *
         conv_layer::macs_per_element(options_.in_channels() / options_.groups(), options_.kernel_size());
}

std::string Conv2d::extra_repr() const { return conv_layer::repr(options_); }

ConvTranspose2d::ConvTranspose2d(const ConvTranspose2dOptions& o) : Module("ConvTranspose2d"), options_(o) {
  conv_layer::check_sizes("ConvTranspose2d", o);
  weight = register_parameter(
      "weight", empty(conv_layer::weight_shape(o.in_channels(), o.out_channels() / o.groups(), o.kernel_size())));
  if (o.bias()) bias = register_parameter("bias", empty({o.out_channels()}));
  init::default_conv_init(weight, bias);  // fan from weight.size(1) * kh * kw, as PyTorch
}

Tensor ConvTranspose2d::forward(const Tensor& x) { return conv_transpose2d(x, weight, bias, options_); }

int64_t ConvTranspose2d::flops(const Shape& input, const Shape&) const {
  // Each input element spreads into (out / groups) * kh * kw multiply-adds.
  return 2 * numel_of(input) *
         conv_layer::macs_per_element(options_.out_channels() / options_.groups(), options_.kernel_size());
}

std::string ConvTranspose2d::extra_repr() const { return conv_layer::repr(options_); }

}  // namespace ember::nn
