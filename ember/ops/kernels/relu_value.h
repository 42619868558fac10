#pragma once
// ReLU of one value, shared by relu() and every kernel that fuses a ReLU into its output pass, so
// fused and unfused results are bit-identical. NaN propagates (as in PyTorch): it compares false
// with 0 but is kept.
namespace ember::kernels {

inline float relu_value(float v) { return v > 0.0f || v != v ? v : 0.0f; }

}  // namespace ember::kernels
