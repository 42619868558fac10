#pragma once
// ReLU of one value, shared by relu() and every kernel that fuses a ReLU into its output pass, so
// fused and unfused results are bit-identical. NaN propagates (as in PyTorch): it compares false
// with 0 but is kept.
namespace ember::kernels {

inline float relu_value(float v) { return v > 0.0f || v != v ? v : 0.0f; }

// ReLU's backward from its output y, shared the same way: the gradient is dropped where y <= 0
// and passed elsewhere, NaN outputs included (PyTorch's threshold_backward: relu'(NaN) = 1).
inline float relu_grad(float g, float y) { return y <= 0.0f ? 0.0f : g; }

}  // namespace ember::kernels
