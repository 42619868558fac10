#pragma once
// Kernels for local response normalization and batch normalization, forward and backward, on
// contiguous float32 buffers laid out as [N, C, P] (P = the product of the trailing dims).
// Autograd-free: ops/norm.cpp validates and wires the gradients.
//
// Determinism: LRN works per pixel (each output element depends on one pixel's channel column,
// summed in a fixed channel order); batch norm gives each channel to one task, which sums in
// double in a fixed order. Neither result depends on the thread count or on chunk boundaries.
#include <cstdint>

namespace ember::kernels {

// ---- local response normalization (across channels) ----
//
// For channel c the window is c - size/2 .. c + (size-1)/2, clipped to [0, C) (zero padding):
//   d[c]   = k + alpha / size * sum_{j in window(c)} x[j]^2
//   out[c] = x[c] / d[c]^beta
struct LrnParams {
  int64_t size = 5;
  float alpha = 1e-4f, beta = 0.75f, k = 1.0f;
};

// Fast path: a running window sum over channels (O(C) per pixel, in double), pixels in chunks,
// (image, chunk) pairs in parallel. Writes out; when `scaled` and `d_pow` are not null, also
// writes what backward needs: scaled = out / d and d_pow = d^beta. A pixel whose running sum
// ends non-finite (an inf or NaN input) is recomputed with direct sums, so a non-finite value
// only affects its own windows, as in PyTorch.
void lrn_forward(const float* x, float* out, float* scaled, float* d_pow, int64_t n, int64_t c, int64_t p,
                 const LrnParams& params);

// Gradient with respect to x, from x and the forward's scaled = out / d and d_pow = d^beta:
//   dx[j] = g[j] / d[j]^beta - 2 alpha beta / size * x[j] * sum_{c : j in window(c)} g[c] out[c] / d[c]
// (from out[c] = x[c] d[c]^-beta and dd[c]/dx[j] = 2 alpha / size * x[j] for j in window(c)),
// where j is in window(c) exactly when c runs over j - (size-1)/2 .. j + size/2 (the window
// mirrored). Running window sum in double as in the forward, same non-finite fallback.
void lrn_backward(const float* g, const float* x, const float* scaled, const float* d_pow, float* dx, int64_t n,
                  int64_t c, int64_t p, const LrnParams& params);

// Naive references, O(C * size) per pixel: every window summed directly, std::pow. Serial.
void lrn_forward_naive(const float* x, float* out, float* scaled, float* d_pow, int64_t n, int64_t c, int64_t p,
                       const LrnParams& params);
void lrn_backward_naive(const float* g, const float* x, const float* scaled, const float* d_pow, float* dx, int64_t n,
                        int64_t c, int64_t p, const LrnParams& params);

// ---- batch normalization (per channel over N and P) ----
//
// weight and bias are [C] or null (then 1 and 0). mean, invstd are [C] outputs/inputs.

// Training forward: per channel, the batch mean and biased variance (two passes, double, fixed
// order), invstd = 1 / sqrt(var + eps), out = (x - mean) * invstd * weight + bias.
// Writes mean[C], var[C] (biased) and invstd[C]. M = n * p must be >= 1. relu: out = max(out, 0)
// in the same pass (batch norm + ReLU fused).
void batch_norm_forward_train(const float* x, float* out, const float* weight, const float* bias, int64_t n, int64_t c,
                              int64_t p, double eps, double* mean, double* var, float* invstd, bool relu = false);

// Forward with given statistics (eval mode): out = (x - mean) * invstd * weight + bias (then ReLU).
void batch_norm_forward_apply(const float* x, float* out, const float* mean, const float* invstd, const float* weight,
                              const float* bias, int64_t n, int64_t c, int64_t p, bool relu = false);

// Backward. With xhat = (x - mean) * invstd, per channel (sums over N and P, in double):
//   dbias   = sum g                 dweight = sum g * xhat
//   training: dx = weight * invstd * (g - dbias / M - xhat * dweight / M)
//   eval:     dx = weight * invstd * g
// Any of dx, dweight, dbias may be null (not needed). relu_out: the output of a fused batch norm +
// ReLU; g then counts only where relu_out > 0 (the ReLU's backward, in the same pass).
void batch_norm_backward(const float* g, const float* x, const float* mean, const float* invstd, const float* weight,
                         float* dx, float* dweight, float* dbias, int64_t n, int64_t c, int64_t p, bool training,
                         const float* relu_out = nullptr);

}  // namespace ember::kernels
