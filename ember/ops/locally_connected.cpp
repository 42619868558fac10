// locally_connected2d: checks, the forward, then its backward right below it. The kernels
// (im2col + one GEMM per position) are in kernels/locally_connected.cpp.
#include "ember/ops/locally_connected.h"

#include "ember/autograd/node.h"
#include "ember/core/profiler.h"
#include "ember/core/trace.h"
#include "ember/ops/checks.h"
#include "ember/ops/conv_common.h"
#include "ember/kernels/locally_connected.h"
#include "ember/ops/shape.h"

namespace ember {

using autograd::GradMask;
using autograd::SavedTensor;
using ops_detail::check_float;

namespace {

constexpr const char* kOp = "locally_connected2d";

using conv_detail::dense;

kernels::LocalPlan make_plan(const Tensor& x, const Tensor& weight, const Tensor& bias,
                             const LocallyConnected2dOptions& o) {
  EMBER_CHECK(x.dim() == 4, "{}: input must be [N, C, H, W] or [C, H, W], got {}", kOp, x.describe());
  EMBER_CHECK(weight.dim() == 6, "{}: weight must be 6-D [out_h, out_w, out_channels, in_channels, kh, kw], got {}", kOp,
              weight.describe());
  const Int2 s = o.stride();
  const Padding2d pad = o.padding();
  EMBER_CHECK(s.h >= 1 && s.w >= 1, "{}: stride must be at least 1, got {}", kOp, to_string(s));
  EMBER_CHECK(pad.top >= 0 && pad.bottom >= 0 && pad.left >= 0 && pad.right >= 0,
              "{}: padding must be non-negative, got {}", kOp, to_string(pad));
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const int64_t k = weight.size(2), kh = weight.size(4), kw = weight.size(5);
  EMBER_CHECK(weight.size(3) == c, "{}: input has {} channels but weight expects {} (input {}, weight {})", kOp, c,
              weight.size(3), shape_str(x.shape()), shape_str(weight.shape()));
  EMBER_CHECK(c >= 1 && k >= 1 && kh >= 1 && kw >= 1,
              "{}: channels and kernel sizes must be at least 1 (input {}, weight {})", kOp, shape_str(x.shape()),
              shape_str(weight.shape()));
  conv_detail::check_declared_sizes(kOp, o, c, k, Int2(kh, kw));
  EMBER_CHECK(o.input_size() == Int2(0) || o.input_size() == Int2(h, w),
              "{}: the options say input_size {} but the input is {}x{} (input {})", kOp, to_string(o.input_size()), h,
              w, shape_str(x.shape()));
  EMBER_CHECK(h + pad.top + pad.bottom >= kh && w + pad.left + pad.right >= kw,
              "{}: the kernel ({}x{}) is larger than the padded input ({}x{}) (input {}, padding {})", kOp, kh, kw,
              h + pad.top + pad.bottom, w + pad.left + pad.right, shape_str(x.shape()), to_string(pad));
  const int64_t oh = window_output_size(h, kh, s.h, pad.top, pad.bottom, 1);
  const int64_t ow = window_output_size(w, kw, s.w, pad.left, pad.right, 1);
  EMBER_CHECK(weight.size(0) == oh && weight.size(1) == ow,
              "{}: input {} with a {}x{} kernel, stride {} and padding {} gives {}x{} output positions, but weight "
              "{} has filters for {}x{}",
              kOp, shape_str(x.shape()), kh, kw, to_string(s), to_string(pad), oh, ow, shape_str(weight.shape()),
              weight.size(0), weight.size(1));
  if (bias.defined()) {
    check_float(kOp, "bias", bias);
    EMBER_CHECK(bias.shape() == (Shape{k, oh, ow}), "{}: bias must be [{}, {}, {}] (out_channels, out_h, out_w), got {}",
                kOp, k, oh, ow, shape_str(bias.shape()));
  }
  kernels::LocalPlan plan;
  plan.batch = n;
  plan.out_channels = k;
  plan.geometry = {c, h, w, kh, kw, oh, ow, s.h, s.w, pad.top, pad.left, 1, 1};
  return plan;
}

}  // namespace

Tensor locally_connected2d(const Tensor& x, const Tensor& weight, const Tensor& bias,
                           const LocallyConnected2dOptions& o) {
  EMBER_PROFILE_OP(kOp);
  check_float(kOp, "input", x);
  check_float(kOp, "weight", weight);
  if (x.dim() == 3) return squeeze(locally_connected2d(unsqueeze(x, 0), weight, bias, o), 0);
  const kernels::LocalPlan plan = make_plan(x, weight, bias, o);
  const Tensor xd = dense(x), wd = dense(weight), bd = bias.defined() ? dense(bias) : Tensor();
  Tensor out = empty({plan.batch, plan.out_channels, plan.geometry.out_h, plan.geometry.out_w});
  kernels::locally_connected_forward(plan, xd.data<float>(), wd.data<float>(),
                                     bd.defined() ? bd.data<float>() : nullptr, out.data<float>());

  if (autograd::needs_graph({x, weight, bias})) {
    SavedTensor saved_x(weight.requires_grad() ? xd : Tensor()), saved_w(x.requires_grad() ? wd : Tensor());
    const Shape x_shape = x.shape(), w_shape = weight.shape(), b_shape = bias.defined() ? bias.shape() : Shape{};
    autograd::attach(out, "LocallyConnected2dBackward", {x, weight, bias},
                     [plan, saved_x, saved_w, x_shape, w_shape, b_shape](const Tensor& g, const GradMask& needs) {
                       const Tensor gd = dense(g);
                       Tensor dx, dw, db;
                       if (needs[0]) {
                         dx = empty(x_shape);
                         kernels::locally_connected_backward_input(plan, gd.data<float>(),
                                                                   saved_w.get().data<float>(), dx.data<float>());
                       }
                       if (needs[1] || needs[2]) {
                         if (needs[1]) dw = empty(w_shape);
                         if (needs[2]) db = empty(b_shape);
                         kernels::locally_connected_backward_weight(
                             plan, needs[1] ? saved_x.get().data<float>() : nullptr, gd.data<float>(),
                             needs[1] ? dw.data<float>() : nullptr, needs[2] ? db.data<float>() : nullptr);
                       }
                       return TensorList{dx, dw, db};
                     });
  }
  // Reported so that ONNX export can say why it refuses it (no ONNX op has unshared weights).
  if (trace::Tracer* t = trace::active()) t->record({kOp, {x, weight, bias}, out});
  return out;
}

}  // namespace ember
