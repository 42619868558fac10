// Dropout: each forward, then its backward right below it.
#include "ember/ops/dropout.h"

#include "ember/autograd/node.h"
#include "ember/core/profiler.h"
#include "ember/core/trace.h"
#include "ember/ops/checks.h"
#include "ember/kernels/elementwise_kernels.h"

namespace ember {

using autograd::GradMask;
using kernels::map_binary;
using ops_detail::check_float;

namespace {

void check_p(const char* op, float p) {
  EMBER_CHECK(p >= 0.0f && p <= 1.0f, "{}: dropout probability p must be in [0, 1], got {}", op, p);
}

// A float32 tensor of `shape` holding 1 / (1 - p) where the draw keeps the element and 0
// elsewhere: one uniform draw per element from `gen`, in row-major order. Serial on purpose, so
// the mask depends on the seed alone.
Tensor keep_mask(const Shape& shape, float p, Generator* gen) {
  Generator& g = gen ? *gen : default_generator();
  Tensor mask = empty(shape);
  float* m = mask.data<float>();
  const double keep = 1.0 - static_cast<double>(p);
  const float scale = static_cast<float>(1.0 / keep);
  for (int64_t i = 0, n = mask.numel(); i < n; ++i) m[i] = static_cast<double>(g.uniform()) < keep ? scale : 0.0f;
  return mask;
}

// out = x * mask (mask broadcast to x's shape), backward g * mask.
Tensor apply_mask(const Tensor& x, const Tensor& mask, const char* op, const char* node) {
  Tensor out = map_binary(
      x, mask, [](float v, float m) { return v * m; }, op);
  if (autograd::needs_graph({x})) {
    autograd::attach(out, node, {x}, [mask, op](const Tensor& g, const GradMask&) {
      return TensorList{map_binary(
          g, mask, [](float gv, float m) { return gv * m; }, op)};
    });
  }
  return out;
}

// p == 1: every element dropped; the gradient is zero.
Tensor all_dropped(const Tensor& x, const char* node) {
  Tensor out = zeros(x.shape());
  if (autograd::needs_graph({x})) {
    const Shape shape = x.shape();
    autograd::attach(out, node, {x}, [shape](const Tensor&, const GradMask&) { return TensorList{zeros(shape)}; });
  }
  return out;
}

}  // namespace

Tensor dropout(const Tensor& x, float p, bool training, Generator* gen) {
  EMBER_PROFILE_OP("dropout");
  check_float("dropout", "x", x);
  check_p("dropout", p);
  if (!training || p == 0.0f) return x;
  Tensor out = p == 1.0f ? all_dropped(x, "DropoutBackward") : apply_mask(x, keep_mask(x.shape(), p, gen), "dropout", "DropoutBackward");
  // Only a training-mode call reaches here (eval mode returns x itself): the exporter refuses it.
  if (trace::Tracer* t = trace::active()) t->record({"dropout", {x}, out, {{"p", {p}}, {"training", {1.0}}}});
  return out;
}

Tensor dropout2d(const Tensor& x, float p, bool training, Generator* gen) {
  EMBER_PROFILE_OP("dropout2d");
  check_float("dropout2d", "x", x);
  EMBER_CHECK(x.dim() == 4, "dropout2d: argument 'x' must be 4-D [N, C, H, W], got {}", x.describe());
  check_p("dropout2d", p);
  if (!training || p == 0.0f) return x;
  Tensor out = p == 1.0f ? all_dropped(x, "Dropout2dBackward") : apply_mask(x, keep_mask({x.size(0), x.size(1), 1, 1}, p, gen), "dropout2d", "Dropout2dBackward");
  // Only a training-mode call reaches here (eval mode returns x itself): the exporter refuses it.
  if (trace::Tracer* t = trace::active()) t->record({"dropout2d", {x}, out, {{"p", {p}}, {"training", {1.0}}}});
  return out;
}

}  // namespace ember
