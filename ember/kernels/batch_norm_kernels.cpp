// Batch normalization's entry points: each runs the variant of batch_norm-inl.h compiled for the
// instruction set in use (isa/isa.h).
#include <algorithm>
#include <cmath>

#include "ember/core/parallel.h"
#include "ember/kernels/norm_kernels.h"
#include "ember/kernels/reduce_kernels.h"
#include "ember/kernels/relu_value.h"
#include "ember/kernels/scratch.h"

namespace ember::kernels {
namespace {
constexpr int64_t kBatchNormGrain = 1 << 15;  // elements per parallel task, about
}  // namespace
}  // namespace ember::kernels

#define EMBER_ISA_BODY "ember/kernels/batch_norm-inl.h"
#include "ember/kernels/isa/variants.h"

namespace ember::kernels {

void batch_norm_forward_train(const float* x, float* out, const float* weight, const float* bias, int64_t n, int64_t c,
                              int64_t p, double eps, double* mean, double* var, float* invstd, bool relu) {
  EMBER_ISA_CALL(batch_norm_forward_train)(x, out, weight, bias, n, c, p, eps, mean, var, invstd, relu);
}

void batch_norm_forward_apply(const float* x, float* out, const float* mean, const float* invstd, const float* weight,
                              const float* bias, int64_t n, int64_t c, int64_t p, bool relu) {
  EMBER_ISA_CALL(batch_norm_forward_apply)(x, out, mean, invstd, weight, bias, n, c, p, relu);
}

void batch_norm_backward(const float* g, const float* x, const float* mean, const float* invstd, const float* weight,
                         float* dx, float* dweight, float* dbias, int64_t n, int64_t c, int64_t p, bool training,
                         const float* relu_out) {
  EMBER_ISA_CALL(batch_norm_backward)(g, x, mean, invstd, weight, dx, dweight, dbias, n, c, p, training, relu_out);
}

}  // namespace ember::kernels
