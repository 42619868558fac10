#pragma once
// Matrix products, differentiable, through kernels::gemm (Eigen, split across TBB threads).
#include "ember/core/tensor.h"

namespace ember {

// matmul(a, b), as torch.matmul:
//   [K] @ [K] -> []            (dot product)
//   [M,K] @ [K,N] -> [M,N]
//   [K] @ [K,N] -> [N], [M,K] @ [K] -> [M]
//   [...,M,K] @ [...,K,N] -> [...,M,N], batch dims broadcast (either side may be 2-D)
// Throws if the inner sizes differ or the batch dims do not broadcast.
Tensor matmul(const Tensor& a, const Tensor& b);

// linear(x, weight, bias) = x @ weight^T + bias, as torch.nn.functional.linear.
//   x: [..., in], weight: [out, in], bias: [out] or undefined -> [..., out]
// Backward computes only the needed gradients: dx = g @ W, dW = g^T @ x, db = sum of g's rows.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

}  // namespace ember
