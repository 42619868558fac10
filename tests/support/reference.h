#pragma once
// Naive double-precision references and input sets shared by the op tests: they read tensors
// element by element through their own strides, so they do not depend on ember's kernels.
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <ember/ember.h>

namespace ember::test {

// float NaN and +infinity, for special-value inputs and expectations.
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// A multi-dimensional index, one entry per dim.
using Index = std::vector<int64_t>;
// An op of one tensor, as check_unary and gradcheck_unary take it.
using UnaryOp = std::function<Tensor(const Tensor&)>;

// The number of elements of `shape` (1 for 0-d).
int64_t count_of(const Shape& shape);

// Calls f(index) for every index of `shape`, in row-major order.
template <typename F>
void for_each_index(const Shape& shape, F&& f) {
  const int64_t n = count_of(shape);
  Index idx(shape.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    f(static_cast<const Index&>(idx));
    for (size_t d = shape.size(); d-- > 0;) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

// One float32 element, read through the tensor's own offset and strides (not through ember's copy kernels).
double read(const Tensor& t, const Index& idx);
// The row-major flat position of idx in a contiguous tensor of `shape`.
int64_t flat_index(const Shape& shape, const Index& idx);
// A contiguous float32 tensor of `shape` holding `values` rounded to float.
Tensor from_doubles(const std::vector<double>& values, const Shape& shape);
// f applied to every element of a, in double: a's shape, contiguous float32.
Tensor ref_unary(const Tensor& a, const std::function<double(double)>& f);

// A named input tensor.
struct UnaryCase {
  std::string name;
  Tensor x;
};

// Inputs with values in [lo, hi): contiguous, 0-d, odd sizes, strided views, empty, and large
// enough (> 100k elements) for the parallel path.
std::vector<UnaryCase> unary_cases(float lo, float hi);
// Checks op against ref_unary(ref) on every unary_cases(lo, hi) input.
void check_unary(const UnaryOp& op, const std::function<double(double)>& ref, float lo, float hi,
                 double atol = 1e-6, double rtol = 1e-6);
// Gradchecks op on a requires_grad copy of each input.
void gradcheck_unary(const UnaryOp& op, const std::vector<Tensor>& inputs);
// Values in [lo, hi) with alternating signs: |x| >= lo keeps them away from a kink at 0.
Tensor signed_away_from_zero(const Shape& shape, uint64_t seed, float lo, float hi);
// The int64 tensor [1, 2, 3], for dtype-misuse errors.
Tensor i64();

}  // namespace ember::test
