#include "ember/autograd/gradcheck.h"

#include <cmath>

#include "ember/autograd/engine.h"
#include "ember/autograd/grad_mode.h"
#include "ember/core/random.h"
#include "ember/kernels/elementwise_kernels.h"

namespace ember::autograd {

namespace {

// L = sum_k r_k * out_k over all outputs, in double.
double weighted_sum(const TensorList& outputs, const TensorList& weights) {
  double total = 0;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const auto out = outputs[i].to_vector<double>();
    const float* w = weights[i].data<float>();
    for (size_t k = 0; k < out.size(); ++k) total += out[k] * static_cast<double>(w[k]);
  }
  return total;
}

// Unravels a row-major position into the element offset of a contiguous tensor.
std::vector<int64_t> unravel(int64_t position, const Shape& shape) {
  std::vector<int64_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = position % shape[d];
    position /= shape[d];
  }
  return index;
}

}  // namespace

GradcheckResult gradcheck(const TensorFunction& f, const TensorList& inputs, const GradcheckOptions& options) {
  GradcheckResult result;
  // Work on private leaf copies so the caller's tensors and their .grad are untouched.
  TensorList x;
  for (const Tensor& t : inputs) {
    if (t.defined() && t.dtype() == DType::f32) {
      Tensor copy = kernels::contiguous_copy(t);
      copy.requires_grad_(t.requires_grad());
      x.push_back(copy);
    } else {
      x.push_back(t);
    }
  }
  Generator gen(options.seed());

  // Analytic: one backward per output, with random weights as the output gradient.
  TensorList outputs = f(x);
  TensorList weights;
  for (size_t i = 0; i < outputs.size(); ++i) {
    EMBER_CHECK(outputs[i].dtype() == DType::f32, "gradcheck: output {} is {}, expected float32", i,
                outputs[i].describe());
    weights.push_back(randn(outputs[i].shape(), &gen));
    if (outputs[i].requires_grad()) backward(outputs[i], weights[i], /*retain_graph=*/true);
  }

  auto loss = [&] {
    NoGradGuard no_grad;
    return weighted_sum(f(x), weights);
  };
  const double base = loss();
  auto close = [&](double a, double b) {
    return std::abs(a - b) <= options.atol() + options.rtol() * std::max(std::abs(a), std::abs(b));
  };

  int reported = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!x[i].defined() || x[i].dtype() != DType::f32 || !x[i].requires_grad()) continue;
    const Tensor analytic_grad = x[i].grad().defined() ? kernels::contiguous_copy(x[i].grad()) : zeros(x[i].shape());
    const float* analytic = analytic_grad.data<float>();
    const int64_t n = x[i].numel();
    std::vector<int64_t> positions;
    if (n <= options.max_elements_per_input()) {
      for (int64_t p = 0; p < n; ++p) positions.push_back(p);
    } else {
      const auto perm = randperm(n, &gen).to_vector<int64_t>();
      positions.assign(perm.begin(), perm.begin() + options.max_elements_per_input());
    }
    float* data = x[i].data<float>();
    for (int64_t p : positions) {
      const float original = data[p];
      const double ana = analytic[p];
      bool ok = false, kink = false;
      double num = 0;
      for (double step : {options.step(), options.second_step()}) {
        const double h = step * std::max(1.0, std::abs(static_cast<double>(original)));
        const float up = static_cast<float>(original + h), down = static_cast<float>(original - h);
        data[p] = up;
        const double l_up = loss();
        data[p] = down;
        const double l_down = loss();
        data[p] = original;
        num = (l_up - l_down) / (static_cast<double>(up) - static_cast<double>(down));
        if (close(num, ana)) {
          ok = true;
          break;
        }
        const double right = (l_up - base) / (static_cast<double>(up) - original);
        const double left = (base - l_down) / (original - static_cast<double>(down));
        if (!close(left, right) && (close(ana, left) || close(ana, right))) kink = true;
      }
      if (ok) {
        ++result.checked;
      } else if (kink) {
        ++result.skipped;
      } else {
        ++result.checked;
        result.ok = false;
        if (reported++ < 5) {
          result.report += fmt::format("input {} element {}: numerical {:.6g}, analytical {:.6g}\n", i,
                                       shape_str(unravel(p, x[i].shape())), num, ana);
        }
      }
    }
  }
  if (!result.ok) result.report = "gradcheck failed:\n" + result.report;
  return result;
}

GradcheckResult gradcheck(const std::function<Tensor(const TensorList&)>& f, const TensorList& inputs,
                          const GradcheckOptions& options) {
  return gradcheck(TensorFunction([&](const TensorList& x) { return TensorList{f(x)}; }), inputs, options);
}

}  // namespace ember::autograd
