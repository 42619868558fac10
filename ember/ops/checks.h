#pragma once
// Argument checks shared by ops: each throws ember::Error naming the op and what it got.
#include "ember/core/tensor.h"

namespace ember::ops_detail {

inline void check_defined(const char* op, const char* arg, const Tensor& t) {
  EMBER_CHECK(t.defined(), "{}: argument '{}' is an undefined tensor", op, arg);
}

inline void check_float(const char* op, const char* arg, const Tensor& t) {
  check_defined(op, arg, t);
  EMBER_CHECK(t.dtype() == DType::f32, "{}: argument '{}' must be float32, got {}", op, arg, t.describe());
}

inline void check_dim(const char* op, const char* arg, const Tensor& t, int64_t ndim) {
  EMBER_CHECK(t.dim() == ndim, "{}: argument '{}' must be {}-D, got {}", op, arg, ndim, t.describe());
}

}  // namespace ember::ops_detail
