#pragma once
// Shapes and strides: plain vectors of int64 with the helpers every layer needs.
#include <cstdint>
#include <string>
#include <vector>

namespace ember {

using Shape = std::vector<int64_t>;
using Strides = std::vector<int64_t>;

// Product of the sizes; 1 for a 0-d (scalar) shape.
int64_t numel_of(const Shape& shape);

// Row-major (C order) strides for a shape, in elements.
Strides contiguous_strides(const Shape& shape);

// "[2, 3, 4]"
std::string shape_str(const Shape& shape);

// NumPy broadcasting: aligns trailing dimensions; a size of 1 stretches.
// Throws ember::Error naming `op` when the shapes are incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// Maps a possibly negative dim (-1 = last) into [0, ndim); throws naming `op` if out of range.
int64_t normalize_dim(int64_t dim, int64_t ndim, const char* op);

}  // namespace ember
