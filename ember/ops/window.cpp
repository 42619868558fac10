#include "ember/ops/window.h"

#include <fmt/format.h>

#include <algorithm>

namespace ember {

std::string to_string(int64_t v) { return fmt::format("{}", v); }

std::string to_string(const Padding1d& p) {
  return p.left == p.right ? fmt::format("{}", p.left) : fmt::format("({}, {})", p.left, p.right);
}

std::string to_string(const Int2& v) { return v.h == v.w ? fmt::format("{}", v.h) : fmt::format("({}, {})", v.h, v.w); }

std::string to_string(const Padding2d& p) {
  if (p.top == p.bottom && p.top == p.left && p.top == p.right) return fmt::format("{}", p.top);
  return fmt::format("({}, {}, {}, {})", p.top, p.bottom, p.left, p.right);
}

std::string to_string(const Int3& v) {
  return v.d == v.h && v.h == v.w ? fmt::format("{}", v.d) : fmt::format("({}, {}, {})", v.d, v.h, v.w);
}

std::string to_string(const Padding3d& p) {
  if (p.before == p.after) return to_string(p.before);
  return fmt::format("({}, {}, {}, {}, {}, {})", p.before.d, p.after.d, p.before.h, p.after.h, p.before.w, p.after.w);
}

int64_t window_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad_before, int64_t pad_after,
                           int64_t dilation, bool ceil_mode) {
  // PyTorch's rule, with division rounding toward minus infinity: in ceil mode a window longer
  // than the padded input by less than a stride still makes one output.
  const int64_t numerator = in + pad_before + pad_after - dilation * (kernel - 1) - 1 + (ceil_mode ? stride - 1 : 0);
  const int64_t floor_div = numerator >= 0 ? numerator / stride : -((-numerator + stride - 1) / stride);
  int64_t out = floor_div + 1;
  // In ceil mode the last window must start inside the input or the left padding.
  if (ceil_mode && out > 0 && (out - 1) * stride >= in + pad_before) --out;
  return std::max<int64_t>(out, 0);
}

}  // namespace ember
