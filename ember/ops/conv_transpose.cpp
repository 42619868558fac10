// conv_transpose2d: the adjoint of conv2d, then its backward right below it. It reuses conv2d's
// kernels with the roles swapped: its forward is conv2d's input gradient, its input gradient is
// conv2d's forward, and its weight gradient is conv2d's weight gradient with x and dy exchanged.
#include "ember/autograd/node.h"
#include "ember/core/profiler.h"
#include "ember/core/trace.h"
#include "ember/ops/checks.h"
#include "ember/ops/conv.h"
#include "ember/ops/conv_common.h"
#include "ember/ops/shape.h"

namespace ember {

using autograd::GradMask;
using autograd::SavedTensor;
using ops_detail::check_float;

Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const ConvTranspose2dOptions& o) {
  EMBER_PROFILE_OP("conv_transpose2d");
  check_float("conv_transpose2d", "input", x);
  check_float("conv_transpose2d", "weight", weight);
  if (x.dim() == 3) return squeeze(conv_transpose2d(unsqueeze(x, 0), weight, bias, o), 0);
  EMBER_CHECK(x.dim() == 4, "conv_transpose2d: input must be [N, C, H, W] or [C, H, W], got {}", x.describe());
  EMBER_CHECK(weight.dim() == 4,
              "conv_transpose2d: weight must be [in_channels, out_channels / groups, kh, kw], got {}",
              weight.describe());
  conv_detail::check_window("conv_transpose2d", o.stride(), o.padding(), o.dilation(), o.groups());
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const int64_t groups = o.groups(), k = weight.size(1) * groups, kh = weight.size(2), kw = weight.size(3);
  EMBER_CHECK(weight.size(0) == c,
              "conv_transpose2d: input has {} channels but weight expects {} (weight.size(0)) (input {}, weight {})", c,
              weight.size(0), shape_str(x.shape()), shape_str(weight.shape()));
  EMBER_CHECK(c % groups == 0, "conv_transpose2d: groups {} must divide the input channels ({}) (input {}, weight {})",
              groups, c, shape_str(x.shape()), shape_str(weight.shape()));
  EMBER_CHECK(kh >= 1 && kw >= 1, "conv_transpose2d: kernel must be at least 1x1, got weight {}",
              shape_str(weight.shape()));
  conv_detail::check_declared_sizes("conv_transpose2d", o, c, k, Int2(kh, kw));
  const Int2 op = o.output_padding();
  EMBER_CHECK(op.h >= 0 && op.w >= 0 && (op.h < o.stride().h || op.h < o.dilation().h) &&
                  (op.w < o.stride().w || op.w < o.dilation().w),
              "conv_transpose2d: output_padding {} must be non-negative and smaller than stride {} or dilation {}",
              to_string(op), to_string(o.stride()), to_string(o.dilation()));
  if (bias.defined()) {
    check_float("conv_transpose2d", "bias", bias);
    EMBER_CHECK(bias.shape() == Shape{k}, "conv_transpose2d: bias must be [{}] (one per output channel), got {}", k,
                shape_str(bias.shape()));
  }
  const Padding2d& pad = o.padding();
  const int64_t oh = (h - 1) * o.stride().h - pad.top - pad.bottom + o.dilation().h * (kh - 1) + op.h + 1;
  const int64_t ow = (w - 1) * o.stride().w - pad.left - pad.right + o.dilation().w * (kw - 1) + op.w + 1;
  EMBER_CHECK(oh >= 1 && ow >= 1,
              "conv_transpose2d: output size would be {}x{} for input {} with kernel {}x{}, stride {}, padding {}, "
              "dilation {}",
              oh, ow, shape_str(x.shape()), kh, kw, to_string(o.stride()), to_string(pad), to_string(o.dilation()));

  // The conv2d this is the adjoint of: from [n, k, oh, ow] to [n, c, h, w], weight [c, k/g, kh, kw].
  const kernels::ConvPlan plan = kernels::plan_conv(
      conv_detail::conv_shape(n, k, c, groups, {oh, ow}, {kh, kw}, {h, w}, o.stride(), pad, o.dilation()));
  const Tensor xd = conv_detail::dense(x), wd = conv_detail::dense(weight);
  Tensor out = empty({n, k, oh, ow});
  if (out.numel() > 0) {
    kernels::conv_backward_input(plan, xd.data<float>(), wd.data<float>(), out.data<float>());
    if (bias.defined()) {
      kernels::add_channel_bias(out.data<float>(), n, k, oh * ow, conv_detail::dense(bias).data<float>());
    }
  }

  if (autograd::needs_graph({x, weight, bias})) {
    SavedTensor saved_x(weight.requires_grad() ? xd : Tensor()), saved_w(x.requires_grad() ? wd : Tensor());
    const Shape x_shape = x.shape(), w_shape = weight.shape();
    autograd::attach(out, "ConvTranspose2dBackward", {x, weight, bias},
                     [plan, saved_x, saved_w, x_shape, w_shape](const Tensor& g, const GradMask& needs) {
                       const Tensor gd = conv_detail::dense(g);
                       Tensor dx, dw, db;
                       if (needs[0]) {  // conv2d of the output gradient
                         dx = empty(x_shape);
                         kernels::conv_forward(plan, gd.data<float>(), saved_w.get().data<float>(), nullptr,
                                               dx.data<float>());
                       }
                       if (needs[1]) {  // conv2d's weight gradient with input g and output gradient x
                         dw = empty(w_shape);
                         kernels::conv_backward_weight(plan, gd.data<float>(), saved_x.get().data<float>(),
                                                       dw.data<float>());
                       }
                       if (needs[2]) {
                         db = empty({plan.in_channels});
                         kernels::channel_sums(gd.data<float>(), plan.batch, plan.in_channels,
                                               plan.group.in_h * plan.group.in_w, db.data<float>());
                       }
                       return TensorList{dx, dw, db};
                     });
  }
  if (trace::Tracer* t = trace::active()) {
    const Padding2d& p = o.padding();
    t->record({"conv_transpose2d", {x, weight, bias}, out,
               {{"stride", {double(o.stride().h), double(o.stride().w)}},
                {"padding", {double(p.top), double(p.bottom), double(p.left), double(p.right)}},
                {"output_padding", {double(o.output_padding().h), double(o.output_padding().w)}},
                {"dilation", {double(o.dilation().h), double(o.dilation().w)}},
                {"groups", {double(o.groups())}}}});
  }
  return out;
}

}  // namespace ember
