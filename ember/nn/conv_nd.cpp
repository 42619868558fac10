#include "ember/nn/conv_nd.h"

#include "ember/nn/conv_layer.h"
#include "ember/nn/init.h"

namespace ember::nn {

Conv1d::Conv1d(const Conv1dOptions& o) : Module("Conv1d"), options_(o) {
  conv_layer::check_sizes("Conv1d", o);
  weight = register_parameter(
      "weight", empty(conv_layer::weight_shape(o.out_channels(), o.in_channels() / o.groups(), o.kernel_size())));
  if (o.bias()) bias = register_parameter("bias", empty({o.out_channels()}));
  init::default_conv_init(weight, bias);
}

Tensor Conv1d::forward(const Tensor& x) { return conv1d(x, weight, bias, options_); }

int64_t Conv1d::flops(const Shape&, const Shape& output) const {
  return 2 * numel_of(output) *
         conv_layer::macs_per_element(options_.in_channels() / options_.groups(), options_.kernel_size());
}

std::string Conv1d::extra_repr() const { return conv_layer::repr(options_); }

Conv3d::Conv3d(const Conv3dOptions& o) : Module("Conv3d"), options_(o) {
  conv_layer::check_sizes("Conv3d", o);
  weight = register_parameter(
      "weight", empty(conv_layer::weight_shape(o.out_channels(), o.in_channels() / o.groups(), o.kernel_size())));
  if (o.bias()) bias = register_parameter("bias", empty({o.out_channels()}));
  init::default_conv_init(weight, bias);
}

Tensor Conv3d::forward(const Tensor& x) { return conv3d(x, weight, bias, options_); }

int64_t Conv3d::flops(const Shape&, const Shape& output) const {
  return 2 * numel_of(output) *
         conv_layer::macs_per_element(options_.in_channels() / options_.groups(), options_.kernel_size());
}

std::string Conv3d::extra_repr() const { return conv_layer::repr(options_); }

}  // namespace ember::nn
