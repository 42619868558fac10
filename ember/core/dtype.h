#pragma once
#include <cstddef>
#include <cstdint>

namespace ember {

// float32 for everything differentiable; int64 for labels and indices.
enum class DType : uint8_t { f32, i64 };

constexpr size_t dtype_size(DType dtype) { return dtype == DType::f32 ? sizeof(float) : sizeof(int64_t); }
constexpr const char* dtype_name(DType dtype) { return dtype == DType::f32 ? "float32" : "int64"; }

template <typename T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() { return DType::f32; }
template <>
constexpr DType dtype_of<int64_t>() { return DType::i64; }

}  // namespace ember
