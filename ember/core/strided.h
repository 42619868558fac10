#pragma once
// Walking the elements of a strided view in row-major (logical) order.
#include <cstdint>
#include <vector>

#include "ember/core/shape.h"

namespace ember {

// Calls f(element_offset) for every element of the view, in row-major order.
// The innermost dimension runs as a tight loop; the outer ones as an odometer.
template <typename F>
void for_each_offset(const Shape& shape, const Strides& strides, int64_t offset, F&& f) {
  const int64_t ndim = static_cast<int64_t>(shape.size());
  if (numel_of(shape) == 0) return;
  if (ndim == 0) {
    f(offset);
    return;
  }
  const int64_t inner = shape[ndim - 1];
  const int64_t inner_stride = strides[ndim - 1];
  std::vector<int64_t> counter(ndim, 0);
  int64_t base = offset;
  while (true) {
    for (int64_t i = 0; i < inner; ++i) f(base + i * inner_stride);
    // Advance the odometer over dims [0, ndim-1).
    int64_t d = ndim - 2;
    for (; d >= 0; --d) {
      base += strides[d];
      if (++counter[d] < shape[d]) break;
      base -= strides[d] * shape[d];
      counter[d] = 0;
    }
    if (d < 0) return;
  }
}

}  // namespace ember
