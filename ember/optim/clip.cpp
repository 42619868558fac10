#include "ember/optim/clip.h"

#include <algorithm>
#include <cmath>

#include "ember/autograd/grad_mode.h"
#include "ember/core/parallel.h"

namespace ember::optim {

namespace {

constexpr int64_t kChunk = int64_t{1} << 16;

// Sum of |g|^p (or max |g| when p is infinite) over one contiguous gradient, in double: per fixed
// chunk, then over chunks in order.
double grad_power_sum(const Tensor& grad, double p) {
  const Tensor g = grad.contiguous();
  const float* data = g.data<float>();
  const int64_t n = g.numel();
  const bool inf = std::isinf(p);
  std::vector<double> partial(static_cast<size_t>(chunk_count(n, kChunk)), 0.0);
  parallel_for(0, static_cast<int64_t>(partial.size()), 1, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      double acc = 0;
      const int64_t end = std::min(n, (c + 1) * kChunk);
      for (int64_t i = c * kChunk; i < end; ++i) {
        const double a = std::fabs(static_cast<double>(data[i]));
        if (inf) {
          acc = (std::isnan(a) || a > acc) ? a : acc;
        } else if (p == 2.0) {
          acc += a * a;
        } else if (p == 1.0) {
          acc += a;
        } else {
          acc += std::pow(a, p);
        }
      }
      partial[static_cast<size_t>(c)] = acc;
    }
  });
  double total = 0;
  for (double v : partial) total = inf ? ((std::isnan(v) || v > total) ? v : total) : total + v;
  return total;
}

}  // namespace

double clip_grad_norm_(const TensorList& params, double max_norm, double norm_type) {
  EMBER_CHECK(norm_type > 0, "clip_grad_norm_: norm_type must be > 0 (or infinity), got {}", norm_type);
  EMBER_CHECK(max_norm >= 0, "clip_grad_norm_: max_norm must be >= 0, got {}", max_norm);
  const bool inf = std::isinf(norm_type);
  double acc = 0;
  bool any = false;
  for (const Tensor& p : params) {
    const Tensor g = p.grad();
    if (!g.defined()) continue;
    any = true;
    const double s = grad_power_sum(g, norm_type);
    acc = inf ? ((std::isnan(s) || s > acc) ? s : acc) : acc + s;
  }
  if (!any) return 0.0;
  const double total = inf ? acc : (norm_type == 2.0 ? std::sqrt(acc) : std::pow(acc, 1.0 / norm_type));
  const double coef = max_norm / (total + 1e-6);
  if (coef < 1.0) {
    NoGradGuard no_grad;
    for (const Tensor& p : params) {
      const Tensor g = p.grad();
      if (g.defined()) g.mul_(static_cast<float>(coef));
    }
  }
  return total;
}

void clip_grad_value_(const TensorList& params, double clip_value) {
  EMBER_CHECK(clip_value >= 0, "clip_grad_value_: clip_value must be >= 0, got {}", clip_value);
  NoGradGuard no_grad;
  const float c = static_cast<float>(clip_value);
  for (const Tensor& p : params) {
    const Tensor g = p.grad();
    if (g.defined()) g.clamp_(-c, c);
  }
}

}  // namespace ember::optim
