#pragma once
// ember::Error: the one exception type for bad input and misuse.
// Messages name the op (or file), what it got and what it expected, e.g.
//   "matmul: inner dimensions differ: a is [2, 3], b is [4, 5] (a.size(1) must equal b.size(0))"
#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace ember {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Throws ember::Error with a fmt-formatted message.
template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace ember

// Checks a condition on user input; on failure throws ember::Error with the formatted message.
// Unlike assert it is never compiled out: user input is checked in every build type.
#define EMBER_CHECK(condition, ...)   \
  do {                                \
    if (!(condition)) [[unlikely]] {  \
      ::ember::fail(__VA_ARGS__);     \
    }                                 \
  } while (false)
