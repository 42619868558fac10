// Matrix products: each forward, then its backward right below it.
#include "ember/ops/linalg.h"

#include <algorithm>

#include "ember/autograd/node.h"
#include "ember/core/parallel.h"
#include "ember/core/profiler.h"
#include "ember/core/trace.h"
#include "ember/ops/checks.h"
#include "ember/kernels/elementwise_kernels.h"
#include "ember/kernels/gemm.h"
#include "ember/kernels/reduce_kernels.h"
#include "ember/ops/shape.h"

namespace ember {

using autograd::GradMask;
using autograd::SavedTensor;
using ops_detail::check_float;

namespace {

// The 2-D matrix `index` of a batch of matrices, where the batch dims may be broadcast (stride 0).
Tensor batch_matrix(const Tensor& t, const Shape& batch, int64_t index) {
  const int64_t nd = t.dim();
  const int64_t lead = static_cast<int64_t>(batch.size()) - (nd - 2);
  int64_t offset = t.offset();
  for (int64_t d = static_cast<int64_t>(batch.size()) - 1; d >= 0; --d) {
    const int64_t i = index % batch[d];
    index /= batch[d];
    const int64_t td = d - lead;
    if (td >= 0 && t.shape()[td] != 1) offset += i * t.strides()[td];
  }
  return make_view(t, {t.shape()[nd - 2], t.shape()[nd - 1]}, {t.strides()[nd - 2], t.strides()[nd - 1]}, offset);
}

// out[M,N] = a[M,K] @ b[K,N] for 2-D views of any layout; out is contiguous.
void matmul_2d_into(const Tensor& a, const Tensor& b, float* out) {
  const auto A = kernels::as_gemm_operand(a);
  const auto B = kernels::as_gemm_operand(b);
  const int64_t m = a.shape()[0], k = a.shape()[1], n = b.shape()[1];
  kernels::gemm(A.trans, B.trans, m, n, k, 1.0f, A.data, A.ld, B.data, B.ld, 0.0f, out, n);
}

// Batched, broadcasting a @ b for tensors of at least 2 dims.
Tensor matmul_batched(const Tensor& a, const Tensor& b) {
  const Shape a_batch(a.shape().begin(), a.shape().end() - 2);
  const Shape b_batch(b.shape().begin(), b.shape().end() - 2);
  const Shape batch = broadcast_shapes(a_batch, b_batch, "matmul");
  const int64_t m = a.shape()[a.dim() - 2], n = b.shape()[b.dim() - 1];
  Shape out_shape = batch;
  out_shape.push_back(m);
  out_shape.push_back(n);
  Tensor out = empty(out_shape);
  const int64_t count = numel_of(batch);
  for (int64_t i = 0; i < count; ++i) {
    matmul_2d_into(batch_matrix(a, batch, i), batch_matrix(b, batch, i), out.data<float>() + i * m * n);
  }
  return out;
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  EMBER_PROFILE_OP("matmul");
  check_float("matmul", "a", a);
  check_float("matmul", "b", b);
  EMBER_CHECK(a.dim() >= 1 && b.dim() >= 1, "matmul: both arguments need at least 1 dimension, got {} and {}",
              a.describe(), b.describe());
  // Vectors become matrices and the added dim is removed again, all through differentiable views.
  if (a.dim() == 1 && b.dim() == 1) return squeeze(squeeze(matmul(unsqueeze(a, 0), unsqueeze(b, 1)), -1), -1);
  if (a.dim() == 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  if (b.dim() == 1) return squeeze(matmul(a, unsqueeze(b, 1)), -1);

  const int64_t k = a.shape()[a.dim() - 1];
  EMBER_CHECK(k == b.shape()[b.dim() - 2],
              "matmul: inner dimensions differ: a is {} and b is {} (a's last size {} must equal b's second-to-last "
              "size {})",
              shape_str(a.shape()), shape_str(b.shape()), k, b.shape()[b.dim() - 2]);
  // The batch dims are broadcast again inside matmul_batched; checked here so the error shows
  // the whole shapes, not just their batch parts.
  for (int64_t i = 3; i <= std::min(a.dim(), b.dim()); ++i) {
    const int64_t sa = a.shape()[a.dim() - i], sb = b.shape()[b.dim() - i];
    EMBER_CHECK(sa == sb || sa == 1 || sb == 1,
                "matmul: the batch dims of a {} and b {} cannot be broadcast together (dimension {} from the end is "
                "{} vs {}; each pair must be equal or contain a 1)",
                shape_str(a.shape()), shape_str(b.shape()), i, sa, sb);
  }
  Tensor out = matmul_batched(a, b);
  if (autograd::needs_graph({a, b})) {
    SavedTensor saved_a(b.requires_grad() ? a : Tensor()), saved_b(a.requires_grad() ? b : Tensor());
    autograd::attach(out, "MatmulBackward", {a, b}, [saved_a, saved_b](const Tensor& g, const GradMask& needs) {
      // Batch dims that were broadcast are summed by the engine.
      Tensor da = needs[0] ? matmul_batched(g, transpose(saved_b.get(), -1, -2)) : Tensor();
      Tensor db = needs[1] ? matmul_batched(transpose(saved_a.get(), -1, -2), g) : Tensor();
      return TensorList{da, db};
    });
  }
  if (trace::Tracer* t = trace::active()) t->record({"matmul", {a, b}, out});
  return out;
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  EMBER_PROFILE_OP("linear");
  check_float("linear", "x", x);
  check_float("linear", "weight", weight);
  ops_detail::check_dim("linear", "weight", weight, 2);
  EMBER_CHECK(x.dim() >= 1, "linear: input must have at least 1 dimension, got {}", x.describe());
  const int64_t in = weight.shape()[1], out_features = weight.shape()[0];
  EMBER_CHECK(x.shape().back() == in,
              "linear: input has {} features (last dim of {}) but weight expects {} (weight {})", x.shape().back(),
              shape_str(x.shape()), in, shape_str(weight.shape()));
  if (bias.defined()) {
    check_float("linear", "bias", bias);
    EMBER_CHECK(bias.shape() == Shape{out_features}, "linear: bias must have shape [{}], got {}", out_features,
                shape_str(bias.shape()));
  }
  const int64_t rows = numel_of(Shape(x.shape().begin(), x.shape().end() - 1));
  // x as a [rows, in] matrix (a view when x is contiguous).
  const Tensor x_rows = x.is_contiguous() ? make_view(x, {rows, in}, {in, 1}, x.offset())
                                          : make_view(kernels::contiguous_copy(x), {rows, in}, {in, 1}, 0);
  Shape out_shape = x.shape();
  out_shape.back() = out_features;
  Tensor out = empty(out_shape);
  float* o = out.data<float>();
  const auto W = kernels::as_gemm_operand(weight);
  // out = x @ W^T: W^T is W read with the opposite transpose flag.
  kernels::gemm(false, !W.trans, rows, out_features, in, 1.0f, x_rows.data<float>(), in, W.data, W.ld, 0.0f, o,
                out_features);
  if (bias.defined()) {
    const Tensor b = bias.is_contiguous() ? bias : kernels::contiguous_copy(bias);
    const float* bv = b.data<float>();
    parallel_for(0, rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(out_features, 1)),
                 [&](int64_t r0, int64_t r1) {
                   for (int64_t r = r0; r < r1; ++r) {
                     for (int64_t j = 0; j < out_features; ++j) o[r * out_features + j] += bv[j];
                   }
                 });
  }
  if (autograd::needs_graph({x, weight, bias})) {
    SavedTensor saved_x(weight.requires_grad() ? x_rows : Tensor()), saved_w(x.requires_grad() ? weight : Tensor());
    const Shape x_shape = x.shape();
    autograd::attach(
        out, "LinearBackward", {x, weight, bias},
        [saved_x, saved_w, x_shape, rows, in, out_features](const Tensor& g, const GradMask& needs) {
          const Tensor g_rows = g.is_contiguous() ? g : kernels::contiguous_copy(g);  // [rows, out]
          const float* gp = g_rows.data<float>();
          Tensor dx, dw, db;
          if (needs[0]) {  // dx[rows, in] = g[rows, out] @ W[out, in]
            const auto W = kernels::as_gemm_operand(saved_w.get());
            dx = empty(x_shape);
            kernels::gemm(false, W.trans, rows, in, out_features, 1.0f, gp, out_features, W.data, W.ld, 0.0f,
                          dx.data<float>(), in);
          }
          if (needs[1]) {  // dW[out, in] = g^T[out, rows] @ x[rows, in]
            const Tensor xr = saved_x.get();
            dw = empty({out_features, in});
            kernels::gemm(true, false, out_features, in, rows, 1.0f, gp, out_features, xr.data<float>(), in, 0.0f,
                          dw.data<float>(), in);
          }
          if (needs.size() > 2 && needs[2]) {  // db = column sums of g
            db = kernels::sum_dims(make_view(g_rows, {rows, out_features}, {out_features, 1}, 0), {true, false});
            db = make_view(db, {out_features}, {1}, 0);
          }
          return TensorList{dx, dw, db};
        });
  }
  if (trace::Tracer* t = trace::active()) t->record({"linear", {x, weight, bias}, out});
  return out;
}

}  // namespace ember
