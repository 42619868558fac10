#pragma once
// Geometry shared by sliding-window ops (convolutions and pooling): 2-D sizes, per-side
// padding, and the output-size formula.
#include <cstdint>
#include <string>

namespace ember {

// Padding of a 1-D window: `left` before the input and `right` after it.
struct Padding1d {
  int64_t left = 0, right = 0;
  Padding1d() = default;
  Padding1d(int64_t both) : left(both), right(both) {}  // NOLINT: implicit
  Padding1d(int64_t before, int64_t after) : left(before), right(after) {}
  bool operator==(const Padding1d&) const = default;
};

// A (height, width) pair; a single value means the same for both.
struct Int2 {
  int64_t h = 0, w = 0;
  Int2() = default;
  Int2(int64_t both) : h(both), w(both) {}  // NOLINT: implicit, so stride(2) reads naturally
  Int2(int64_t height, int64_t width) : h(height), w(width) {}
  bool operator==(const Int2&) const = default;
};

// Padding on each side, in input pixels.
struct Padding2d {
  int64_t top = 0, bottom = 0, left = 0, right = 0;
  Padding2d() = default;
  Padding2d(int64_t all) : top(all), bottom(all), left(all), right(all) {}  // NOLINT: implicit
  Padding2d(int64_t height, int64_t width) : top(height), bottom(height), left(width), right(width) {}
  Padding2d(int64_t t, int64_t b, int64_t l, int64_t r) : top(t), bottom(b), left(l), right(r) {}
  bool symmetric() const { return top == bottom && left == right; }
  bool operator==(const Padding2d&) const = default;
};

// A (depth, height, width) triple, for 3-D windows; a single value means the same for all three.
struct Int3 {
  int64_t d = 0, h = 0, w = 0;
  Int3() = default;
  Int3(int64_t all) : d(all), h(all), w(all) {}  // NOLINT: implicit, so stride(2) reads naturally
  Int3(int64_t depth, int64_t height, int64_t width) : d(depth), h(height), w(width) {}
  bool operator==(const Int3&) const = default;
};

// Padding of a 3-D window: `before` the input (front, top, left) and `after` it (back, bottom, right).
struct Padding3d {
  Int3 before = 0, after = 0;
  Padding3d() = default;
  Padding3d(int64_t all) : before(all), after(all) {}  // NOLINT: implicit
  Padding3d(int64_t depth, int64_t height, int64_t width) : before(depth, height, width), after(depth, height, width) {}
  Padding3d(Int3 before_input, Int3 after_input) : before(before_input), after(after_input) {}
  bool operator==(const Padding3d&) const = default;
};

std::string to_string(int64_t v);           // "3"
std::string to_string(const Padding1d& p);  // "1", or "(0, 1)" as (left, right)
std::string to_string(const Int2& v);       // "(3, 5)" or "3"
std::string to_string(const Padding2d& p);  // "(1, 1, 2, 2)" as (top, bottom, left, right) or "1"
std::string to_string(const Int3& v);       // "(1, 3, 5)" or "3"
std::string to_string(const Padding3d& p);  // "1", "(0, 1, 1)" when symmetric, else (front, back, top, bottom, left, right)

// Output length of a sliding window along one dimension:
//   floor_or_ceil((in + pad_before + pad_after - dilation * (kernel - 1) - 1) / stride) + 1
// With ceil_mode, the last window may start in the right padding but not past the input's end
// (PyTorch's rule; so a window longer than the padded input by less than a stride still gives
// one output). Returns 0 when no window fits; callers check and name the op.
int64_t window_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad_before, int64_t pad_after,
                           int64_t dilation, bool ceil_mode = false);

}  // namespace ember
