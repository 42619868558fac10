#pragma once
#include <concepts>
#include <utility>

// A fluent option for option structs: `int64_t batch_size() const` reads it, `batch_size(64)` sets
// it and returns the struct, so settings chain: DataLoaderOptions().batch_size(64).shuffle(true).
// An option whose type has several constructors also takes their arguments: with a Padding2d
// option, padding(1, 2) is padding(Padding2d(1, 2)).
#define EMBER_ARG(type, name, ...)                                  \
 public:                                                            \
  auto& name(type value) {                                          \
    name##_ = std::move(value);                                     \
    return *this;                                                   \
  }                                                                 \
  template <class First, class Second, class... Rest>               \
    requires std::constructible_from<type, First, Second, Rest...>  \
  auto& name(First&& first, Second&& second, Rest&&... rest) {      \
    name##_ = type(std::forward<First>(first), std::forward<Second>(second), std::forward<Rest>(rest)...); \
    return *this;                                                   \
  }                                                                 \
  const type& name() const { return name##_; }                      \
                                                                    \
 private:                                                           \
  type name##_ = __VA_ARGS__
