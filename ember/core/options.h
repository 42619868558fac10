#pragma once
#include <utility>

// A fluent option for option structs: `int64_t batch_size() const` reads it, `batch_size(64)` sets
// it and returns the struct, so settings chain: DataLoaderOptions().batch_size(64).shuffle(true).
#define EMBER_ARG(type, name, ...)       \
 public:                                 \
  auto& name(type value) {               \
    name##_ = std::move(value);          \
    return *this;                        \
  }                                      \
  const type& name() const { return name##_; } \
                                         \
 private:                                \
  type name##_ = __VA_ARGS__
