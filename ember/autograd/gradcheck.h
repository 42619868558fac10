#pragma once
// gradcheck: compares an op's backward with central finite differences. Every op test uses it,
// and users check their own autograd::Function with it.
//
// The outputs are reduced to a scalar with fixed random weights r (L = sum(r * f(x))), so one
// backward checks a whole vector-Jacobian product. For each checked element, dL/dx is estimated
// as (L(x+h) - L(x-h)) / 2h with L summed in double. Float32 forward passes are noisy, so an
// element passes if either of two step sizes agrees within atol + rtol * |value|. At a kink
// (relu at 0, max ties, abs at 0) the two one-sided differences disagree; such elements are
// skipped when the analytic gradient equals one of the one-sided ones. Large inputs are checked
// on a random subset of elements.
#include <functional>
#include <string>

#include "ember/core/options.h"
#include "ember/core/tensor.h"

namespace ember::autograd {

struct GradcheckOptions {
  EMBER_ARG(double, step, 1e-2);         // first step, relative to max(1, |x|)
  EMBER_ARG(double, second_step, 1e-3);  // tried before declaring an element wrong
  EMBER_ARG(double, atol, 1e-3);
  EMBER_ARG(double, rtol, 1e-2);
  EMBER_ARG(int64_t, max_elements_per_input, 96);  // a random subset of larger inputs is checked
  EMBER_ARG(uint64_t, seed, 1234);
};

struct GradcheckResult {
  bool ok = true;
  int64_t checked = 0;   // elements compared
  int64_t skipped = 0;   // elements skipped at kinks
  std::string report;    // the first mismatches, with numeric and analytic values
};

using TensorFunction = std::function<TensorList(const TensorList&)>;

// Checks the gradients of f with respect to every float32 input that requires grad.
GradcheckResult gradcheck(const TensorFunction& f, const TensorList& inputs, const GradcheckOptions& options = {});
// The same for a single-output function.
GradcheckResult gradcheck(const std::function<Tensor(const TensorList&)>& f, const TensorList& inputs,
                          const GradcheckOptions& options = {});

}  // namespace ember::autograd
