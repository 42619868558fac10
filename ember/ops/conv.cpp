// conv2d: the forward, then its backward right below it. The kernels (im2col + GEMM, pointwise,
// direct depthwise) are in kernels/conv_kernels.cpp.
#include "ember/ops/conv.h"

#include "ember/autograd/node.h"
#include "ember/core/profiler.h"
#include "ember/core/trace.h"
#include "ember/ops/checks.h"
#include "ember/ops/conv_common.h"
#include "ember/kernels/elementwise_kernels.h"
#include "ember/ops/shape.h"

namespace ember {

using autograd::GradMask;
using autograd::SavedTensor;
using ops_detail::check_float;

namespace {

// Explicit per-side padding for the options' mode and this kernel.
Padding2d resolve_padding(const Conv2dOptions& o, int64_t kernel_h, int64_t kernel_w) {
  const int64_t total_h = o.dilation().h * (kernel_h - 1), total_w = o.dilation().w * (kernel_w - 1);
  switch (o.padding_mode()) {
    case PaddingMode::explicit_sizes:
      return o.padding();
    case PaddingMode::valid:
      return Padding2d(0);
    case PaddingMode::same:
      EMBER_CHECK(o.stride() == Int2(1), "conv2d: padding \"same\" needs stride 1, got stride {}", to_string(o.stride()));
      return Padding2d(total_h / 2, total_h - total_h / 2, total_w / 2, total_w - total_w / 2);
    case PaddingMode::full:
      return Padding2d(total_h, total_h, total_w, total_w);
  }
  return o.padding();
}

Tensor conv2d_impl(const char* op, const char* node, const Tensor& x, const Tensor& weight, const Tensor& bias,
                   const Conv2dOptions& o, bool relu) {
  EMBER_PROFILE_OP(op);
  check_float(op, "input", x);
  check_float(op, "weight", weight);
  if (x.dim() == 3) return squeeze(conv2d_impl(op, node, unsqueeze(x, 0), weight, bias, o, relu), 0);
  EMBER_CHECK(x.dim() == 4, "{}: input must be [N, C, H, W] or [C, H, W], got {}", op, x.describe());
  EMBER_CHECK(weight.dim() == 4, "{}: weight must be [out_channels, in_channels / groups, kh, kw], got {}", op,
              weight.describe());
  conv_detail::check_window(op, o.stride(), o.padding(), o.dilation(), o.groups());
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const int64_t k = weight.size(0), kh = weight.size(2), kw = weight.size(3), groups = o.groups();
  conv_detail::check_channels(op, x, weight, bias, groups);
  EMBER_CHECK(kh >= 1 && kw >= 1, "{}: kernel must be at least 1x1, got weight {}", op, shape_str(weight.shape()));
  conv_detail::check_declared_sizes(op, o, c, k, Int2(kh, kw));
  const Padding2d pad = resolve_padding(o, kh, kw);
  const int64_t span_h = o.dilation().h * (kh - 1) + 1, span_w = o.dilation().w * (kw - 1) + 1;
  EMBER_CHECK(h + pad.top + pad.bottom >= span_h && w + pad.left + pad.right >= span_w,
              "{}: the kernel ({}x{}, spanning {}x{} with dilation {}) is larger than the padded input ({}x{}) "
              "(input {}, padding {})",
              op, kh, kw, span_h, span_w, to_string(o.dilation()), h + pad.top + pad.bottom, w + pad.left + pad.right,
              shape_str(x.shape()), to_string(pad));
  const int64_t oh = window_output_size(h, kh, o.stride().h, pad.top, pad.bottom, o.dilation().h);
  const int64_t ow = window_output_size(w, kw, o.stride().w, pad.left, pad.right, o.dilation().w);
  const kernels::ConvPlan plan =
      kernels::plan_conv(conv_detail::conv_shape(n, c, k, groups, {h, w}, {kh, kw}, {oh, ow}, o.stride(), pad, o.dilation()),
                         o.algorithm() == ConvAlgorithm::im2col);

  const Tensor xd = conv_detail::dense(x), wd = conv_detail::dense(weight);
  const Tensor bd = bias.defined() ? conv_detail::dense(bias) : Tensor();
  Tensor out = empty({n, k, oh, ow});
  if (out.numel() > 0) {
    kernels::conv_forward(plan, xd.data<float>(), wd.data<float>(), bd.defined() ? bd.data<float>() : nullptr,
                          out.data<float>(), relu);
  }

  if (autograd::needs_graph({x, weight, bias})) {
    SavedTensor saved_x(weight.requires_grad() ? xd : Tensor()), saved_w(x.requires_grad() ? wd : Tensor());
    SavedTensor saved_out(relu ? out : Tensor());
    const Shape x_shape = x.shape(), w_shape = weight.shape();
    autograd::attach(out, node, {x, weight, bias},
                     [plan, saved_x, saved_w, saved_out, x_shape, w_shape](const Tensor& g, const GradMask& needs) {
                       const Tensor dx = needs[0] ? empty(x_shape) : Tensor();
                       const Tensor dw = needs[1] ? empty(w_shape) : Tensor();
                       const Tensor db = needs[2] ? empty({plan.out_channels}) : Tensor();
                       auto data = [](const Tensor& t) { return t.defined() ? t.data<float>() : nullptr; };
                       Tensor gd = conv_detail::dense(g);
                       float* bias_grad = data(db);
                       if (saved_out.defined()) {
                         // The fused ReLU's backward first (the gradient only where the output is
                         // positive), the bias gradient in the same pass.
                         Tensor masked = empty(gd.shape());
                         kernels::relu_grad_channel_sums(gd.data<float>(), saved_out.get().data<float>(),
                                                         masked.data<float>(), plan.batch, plan.out_channels,
                                                         plan.out_plane(), bias_grad);
                         gd = masked;
                         bias_grad = nullptr;
                       }
                       kernels::conv_backward(plan, data(saved_x.get()), gd.data<float>(), data(saved_w.get()),
                                              data(dx), data(dw), bias_grad);
                       return TensorList{dx, dw, db};
                     });
  }
  if (trace::Tracer* t = trace::active()) {
    t->record({relu ? "conv2d_relu" : "conv2d", {x, weight, bias}, out,
               {{"stride", {double(o.stride().h), double(o.stride().w)}},
                {"padding", {double(pad.top), double(pad.bottom), double(pad.left), double(pad.right)}},
                {"dilation", {double(o.dilation().h), double(o.dilation().w)}},
                {"groups", {double(groups)}}}});
  }
  return out;
}

}  // namespace

Tensor conv_detail::conv2d_named(const char* op, const char* node, const Tensor& x, const Tensor& weight,
                                 const Tensor& bias, const Conv2dOptions& o) {
  return conv2d_impl(op, node, x, weight, bias, o, false);
}

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dOptions& o) {
  return conv2d_impl("conv2d", "Conv2dBackward", x, weight, bias, o, false);
}

Tensor conv2d_relu(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dOptions& o) {
  return conv2d_impl("conv2d_relu", "Conv2dReluBackward", x, weight, bias, o, true);
}

}  // namespace ember
