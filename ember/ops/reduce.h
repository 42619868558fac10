#pragma once
// Reductions, differentiable. Sums accumulate in double in a fixed order (see
// kernels/reduce_kernels.h), so results do not depend on the thread count.
//
// dims may be negative (from the end) and must be distinct; an empty dims list means "all".
// keepdim keeps reduced dims as size 1.
#include <utility>
#include <vector>

#include "ember/core/tensor.h"

namespace ember {

Tensor sum(const Tensor& x);  // 0-d
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);

// Max along dim: values (differentiable; the gradient goes to the first maximal element) and
// their int64 indices. Throws for an empty dimension.
std::pair<Tensor, Tensor> max_with_indices(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor max(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim = false);  // int64, not differentiable

}  // namespace ember
