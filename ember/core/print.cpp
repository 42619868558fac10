#include "ember/core/print.h"

#include <algorithm>
#include <cmath>
#include <ostream>


namespace ember {

namespace {

constexpr int64_t kSummarizeAbove = 1000;
constexpr int64_t kEdgeItems = 3;

struct Printer {
  const Tensor& t;
  bool summarize;
  bool integral;
  int width = 0;
  int precision = 4;
  bool scientific = false;

  double value(const std::vector<int64_t>& index) const {
    int64_t offset = t.offset();
    for (size_t d = 0; d < index.size(); ++d) offset += index[d] * t.strides()[d];
    if (integral) return static_cast<double>(static_cast<const int64_t*>(t.impl()->storage->data())[offset]);
    return static_cast<double>(static_cast<const float*>(t.impl()->storage->data())[offset]);
  }

  std::string format_value(double v) const {
    if (integral) return fmt::format("{:>{}}", static_cast<int64_t>(v), width);
    if (scientific) return fmt::format("{:>{}.{}e}", v, width, precision);
    return fmt::format("{:>{}.{}f}", v, width, precision);
  }

  // Which indices of a dimension of size n are shown.
  std::vector<int64_t> shown(int64_t n) const {
    std::vector<int64_t> idx;
    if (!summarize || n <= 2 * kEdgeItems) {
      for (int64_t i = 0; i < n; ++i) idx.push_back(i);
    } else {
      for (int64_t i = 0; i < kEdgeItems; ++i) idx.push_back(i);
      idx.push_back(-1);  // the "..." marker
      for (int64_t i = n - kEdgeItems; i < n; ++i) idx.push_back(i);
    }
    return idx;
  }

  void measure(std::vector<int64_t>& index, double& max_abs, int& max_width) {
    const size_t d = index.size();
    if (static_cast<int64_t>(d) == t.dim()) {
      const double v = value(index);
      if (std::isfinite(v)) max_abs = std::max(max_abs, std::abs(v));
      max_width = std::max<int>(max_width, static_cast<int>(format_value(v).size()));
      return;
    }
    for (int64_t i : shown(t.shape()[d])) {
      if (i < 0) continue;
      index.push_back(i);
      measure(index, max_abs, max_width);
      index.pop_back();
    }
  }

  void render(std::vector<int64_t>& index, std::string& out, int indent) const {
    const size_t d = index.size();
    if (static_cast<int64_t>(d) == t.dim()) {
      out += format_value(value(index));
      return;
    }
    out += '[';
    const bool innermost = static_cast<int64_t>(d) + 1 == t.dim();
    bool first = true;
    for (int64_t i : shown(t.shape()[d])) {
      if (!first) {
        out += ',';
        if (innermost) {
          out += ' ';
        } else {
          out += std::string(t.dim() - static_cast<int64_t>(d) - 1, '\n');
          out += std::string(indent + 1, ' ');
        }
      }
      first = false;
      if (i < 0) {
        out += "...";
        continue;
      }
      index.push_back(i);
      render(index, out, indent + 1);
      index.pop_back();
    }
    out += ']';
  }
};

}  // namespace

std::string to_string(const Tensor& t) {
  if (!t.defined()) return "tensor(undefined)";
  Printer p{t, t.numel() > kSummarizeAbove, t.dtype() == DType::i64};
  std::string body;
  if (t.numel() == 0) {
    body = "[]";
  } else {
    std::vector<int64_t> index;
    double max_abs = 0;
    int max_width = 0;
    p.measure(index, max_abs, max_width);
    if (!p.integral && (max_abs >= 1e8 || (max_abs > 0 && max_abs < 1e-4))) p.scientific = true;
    max_width = 0;
    p.measure(index, max_abs, max_width);  // again, now with the chosen notation
    p.width = max_width;
    p.render(index, body, 7);  // 7 = strlen("tensor(")
  }
  std::string extra = fmt::format(", shape={}", shape_str(t.shape()));
  if (t.dtype() == DType::i64) extra += ", dtype=int64";
  if (t.grad_fn()) {
    extra += fmt::format(", grad_fn={}", t.grad_fn_name());
  } else if (t.requires_grad()) {
    extra += ", requires_grad";
  }
  return fmt::format("tensor({}{})", body, extra);
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << to_string(t); }

}  // namespace ember
