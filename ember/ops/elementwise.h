#pragma once
// Elementwise math on float32 tensors, differentiable.
//
// Binary ops broadcast by NumPy rules: shapes align at the trailing dimension and a size of 1
// stretches; the result has the broadcast shape. Gradients w.r.t. a broadcast input are summed
// back to its shape by the autograd engine. Every op throws ember::Error for int64 or undefined
// inputs and for shapes that do not broadcast.
#include <optional>

#include "ember/core/tensor.h"

namespace ember {

Tensor add(const Tensor& a, const Tensor& b);  // a + b
Tensor sub(const Tensor& a, const Tensor& b);  // a - b
Tensor mul(const Tensor& a, const Tensor& b);  // a * b
Tensor div(const Tensor& a, const Tensor& b);  // a / b (IEEE: x/0 = ±inf, 0/0 = nan)
Tensor add(const Tensor& a, float b);
Tensor sub(const Tensor& a, float b);
Tensor sub(float a, const Tensor& b);
Tensor mul(const Tensor& a, float b);
Tensor div(const Tensor& a, float b);
Tensor div(float a, const Tensor& b);

Tensor neg(const Tensor& a);
Tensor exp(const Tensor& a);
Tensor log(const Tensor& a);                // natural log; log(0) = -inf
Tensor pow(const Tensor& a, float exponent);  // a^p; gradient p * a^(p-1)
Tensor sqrt(const Tensor& a);
Tensor abs(const Tensor& a);                // gradient sign(a), 0 at 0 (as PyTorch)
// Limits to [min, max] (either may be absent); gradient 1 where min <= a <= max, else 0.
// Throws if neither is given, if either is NaN, or if min > max.
Tensor clamp(const Tensor& a, std::optional<float> min, std::optional<float> max);

inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator+(const Tensor& a, float b) { return add(a, b); }
inline Tensor operator+(float a, const Tensor& b) { return add(b, a); }
inline Tensor operator-(const Tensor& a, float b) { return sub(a, b); }
inline Tensor operator-(float a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, float b) { return mul(a, b); }
inline Tensor operator*(float a, const Tensor& b) { return mul(b, a); }
inline Tensor operator/(const Tensor& a, float b) { return div(a, b); }
inline Tensor operator/(float a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& a) { return neg(a); }

}  // namespace ember
