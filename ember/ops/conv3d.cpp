// conv3d: the forward, then its backward right below it. The kernels (vol2col + GEMM) are in
// kernels/conv3d_kernels.cpp.
#include "ember/autograd/node.h"
#include "ember/core/profiler.h"
#include "ember/core/trace.h"
#include "ember/ops/checks.h"
#include "ember/ops/conv_common.h"
#include "ember/ops/conv3d.h"
#include "ember/kernels/conv3d_kernels.h"
#include "ember/ops/shape.h"

namespace ember {

using autograd::GradMask;
using autograd::SavedTensor;
using ops_detail::check_float;

namespace {

// Explicit per-side padding for the options' mode and this kernel.
Padding3d resolve_padding(const Conv3dOptions& o, const Int3& kernel) {
  const Int3 total(o.dilation().d * (kernel.d - 1), o.dilation().h * (kernel.h - 1), o.dilation().w * (kernel.w - 1));
  switch (o.padding_mode()) {
    case PaddingMode::explicit_sizes:
      return o.padding();
    case PaddingMode::valid:
      return Padding3d(0);
    case PaddingMode::same: {
      EMBER_CHECK(o.stride() == Int3(1), "conv3d: padding \"same\" needs stride 1, got stride {}", to_string(o.stride()));
      const Int3 before(total.d / 2, total.h / 2, total.w / 2);
      return Padding3d(before, Int3(total.d - before.d, total.h - before.h, total.w - before.w));
    }
    case PaddingMode::full:
      return Padding3d(total, total);
  }
  return o.padding();
}

void check_options(const Conv3dOptions& o) {
  const Int3 &s = o.stride(), &d = o.dilation(), &pb = o.padding().before, &pa = o.padding().after;
  EMBER_CHECK(s.d >= 1 && s.h >= 1 && s.w >= 1, "conv3d: stride must be at least 1, got {}", to_string(s));
  EMBER_CHECK(d.d >= 1 && d.h >= 1 && d.w >= 1, "conv3d: dilation must be at least 1, got {}", to_string(d));
  EMBER_CHECK(pb.d >= 0 && pb.h >= 0 && pb.w >= 0 && pa.d >= 0 && pa.h >= 0 && pa.w >= 0,
              "conv3d: padding must be non-negative, got {}", to_string(o.padding()));
  EMBER_CHECK(o.groups() >= 1, "conv3d: groups must be at least 1, got {}", o.groups());
}

}  // namespace

Tensor conv3d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv3dOptions& o) {
  EMBER_PROFILE_OP("conv3d");
  check_float("conv3d", "input", x);
  check_float("conv3d", "weight", weight);
  if (x.dim() == 4) return squeeze(conv3d(unsqueeze(x, 0), weight, bias, o), 0);
  EMBER_CHECK(x.dim() == 5, "conv3d: input must be [N, C, D, H, W] or [C, D, H, W], got {}", x.describe());
  EMBER_CHECK(weight.dim() == 5, "conv3d: weight must be [out_channels, in_channels / groups, kd, kh, kw], got {}",
              weight.describe());
  check_options(o);
  const int64_t n = x.size(0), c = x.size(1), k = weight.size(0), groups = o.groups();
  const Int3 in(x.size(2), x.size(3), x.size(4)), kernel(weight.size(2), weight.size(3), weight.size(4));
  conv_detail::check_channels("conv3d", x, weight, bias, groups);
  EMBER_CHECK(kernel.d >= 1 && kernel.h >= 1 && kernel.w >= 1, "conv3d: kernel must be at least 1x1x1, got weight {}",
              shape_str(weight.shape()));
  conv_detail::check_declared_sizes("conv3d", o, c, k, kernel);
  const Padding3d pad = resolve_padding(o, kernel);
  const Int3 span(o.dilation().d * (kernel.d - 1) + 1, o.dilation().h * (kernel.h - 1) + 1,
                  o.dilation().w * (kernel.w - 1) + 1);
  const Int3 padded(in.d + pad.before.d + pad.after.d, in.h + pad.before.h + pad.after.h,
                    in.w + pad.before.w + pad.after.w);
  EMBER_CHECK(padded.d >= span.d && padded.h >= span.h && padded.w >= span.w,
              "conv3d: the kernel ({}x{}x{}, spanning {}x{}x{} with dilation {}) is larger than the padded input "
              "({}x{}x{}) (input {}, padding {})",
              kernel.d, kernel.h, kernel.w, span.d, span.h, span.w, to_string(o.dilation()), padded.d, padded.h,
              padded.w, shape_str(x.shape()), to_string(pad));
  const Int3 out(window_output_size(in.d, kernel.d, o.stride().d, pad.before.d, pad.after.d, o.dilation().d),
                 window_output_size(in.h, kernel.h, o.stride().h, pad.before.h, pad.after.h, o.dilation().h),
                 window_output_size(in.w, kernel.w, o.stride().w, pad.before.w, pad.after.w, o.dilation().w));

  kernels::Conv3dPlan plan;
  plan.batch = n;
  plan.in_channels = c;
  plan.out_channels = k;
  plan.groups = groups;
  plan.group = {c / groups,     in.d,           in.h,           in.w,           kernel.d,       kernel.h,
                kernel.w,       out.d,          out.h,          out.w,          o.stride().d,    o.stride().h,
                o.stride().w,    pad.before.d,   pad.before.h,   pad.before.w,   o.dilation().d,  o.dilation().h,
                o.dilation().w};
  plan.pointwise = kernel == Int3(1) && o.stride() == Int3(1) && pad == Padding3d(0);
  plan.general_only = o.algorithm() == ConvAlgorithm::im2col;

  const Tensor xd = conv_detail::dense(x), wd = conv_detail::dense(weight);
  const Tensor bd = bias.defined() ? conv_detail::dense(bias) : Tensor();
  Tensor result = empty({n, k, out.d, out.h, out.w});
  if (result.numel() > 0) {
    kernels::conv3d_forward(plan, xd.data<float>(), wd.data<float>(), bd.defined() ? bd.data<float>() : nullptr,
                            result.data<float>());
  }

  if (autograd::needs_graph({x, weight, bias})) {
    SavedTensor saved_x(weight.requires_grad() ? xd : Tensor()), saved_w(x.requires_grad() ? wd : Tensor());
    const Shape x_shape = x.shape(), w_shape = weight.shape();
    autograd::attach(result, "Conv3dBackward", {x, weight, bias},
                     [plan, saved_x, saved_w, x_shape, w_shape](const Tensor& g, const GradMask& needs) {
                       const Tensor gd = conv_detail::dense(g);
                       Tensor dx, dw, db;
                       if (needs[0]) {
                         dx = empty(x_shape);
                         if (dx.numel() > 0) {
                           kernels::conv3d_backward_input(plan, gd.data<float>(), saved_w.get().data<float>(),
                                                          dx.data<float>());
                         }
                       }
                       if (needs[1]) {
                         dw = empty(w_shape);
                         kernels::conv3d_backward_weight(plan, saved_x.get().data<float>(), gd.data<float>(),
                                                         dw.data<float>());
                       }
                       if (needs[2]) {
                         db = empty({plan.out_channels});
                         kernels::channel_sums(gd.data<float>(), plan.batch, plan.out_channels, plan.out_volume(),
                                               db.data<float>());
                       }
                       return TensorList{dx, dw, db};
                     });
  }
  if (trace::Tracer* t = trace::active()) {
    t->record({"conv3d", {x, weight, bias}, result,
               {{"stride", {double(o.stride().d), double(o.stride().h), double(o.stride().w)}},
                {"pads", {double(pad.before.d), double(pad.before.h), double(pad.before.w), double(pad.after.d),
                          double(pad.after.h), double(pad.after.w)}},
                {"dilation", {double(o.dilation().d), double(o.dilation().h), double(o.dilation().w)}},
                {"groups", {double(groups)}}}});
  }
  return result;
}

}  // namespace ember
