#include "ember/ops/window.h"

#include <fmt/format.h>

namespace ember {

std::string to_string(const Int2& v) { return v.h == v.w ? fmt::format("{}", v.h) : fmt::format("({}, {})", v.h, v.w); }

std::string to_string(const Padding2d& p) {
  if (p.top == p.bottom && p.top == p.left && p.top == p.right) return fmt::format("{}", p.top);
  return fmt::format("({}, {}, {}, {})", p.top, p.bottom, p.left, p.right);
}

int64_t window_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad_before, int64_t pad_after,
                           int64_t dilation, bool ceil_mode) {
  const int64_t span = in + pad_before + pad_after - dilation * (kernel - 1) - 1;
  if (span < 0) return 0;
  int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  // In ceil mode the last window must start inside the input or the left padding.
  if (ceil_mode && (out - 1) * stride >= in + pad_before) --out;
  return out;
}

}  // namespace ember
