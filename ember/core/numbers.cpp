#include "ember/core/numbers.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <type_traits>

#include "ember/core/error.h"

namespace ember {

template <typename T>
std::string IntegerRange<T>::words() const {
  constexpr T lowest = std::numeric_limits<T>::min(), highest = std::numeric_limits<T>::max();
  if (min == lowest && max == highest) return "any integer";
  if (max == highest) return fmt::format("at least {}", min);
  if (min == lowest) return fmt::format("at most {}", max);
  return fmt::format("between {} and {}", min, max);
}

bool RealRange::contains(double value) const {
  if (!std::isfinite(value)) return false;
  const bool above = min_open ? value > min : value >= min;
  const bool below = max_open ? value < max : value <= max;
  return above && below;
}

std::string RealRange::words() const {
  const bool low = std::isfinite(min), high = std::isfinite(max);
  const std::string lower = low ? fmt::format("{} {}", min_open ? "greater than" : "at least", min) : "";
  const std::string upper = high ? fmt::format("{} {}", max_open ? "less than" : "at most", max) : "";
  if (low && high) {
    if (!min_open && !max_open) return fmt::format("between {} and {}", min, max);
    return lower + " and " + upper;
  }
  if (low) return lower;
  if (high) return upper;
  return "a finite number";
}

template <typename T>
std::string range_error(std::string_view name, T value, const IntegerRange<T>& range) {
  if (range.contains(value)) return "";
  return fmt::format("{} must be {}, got {}", name, range.words(), value);
}

std::string range_error(std::string_view name, double value, const RealRange& range) {
  if (range.contains(value)) return "";
  return fmt::format("{} must be {}, got {}", name, range.words(), value);
}

template <typename T>
T parse_integer(std::string_view name, std::string_view text, const IntegerRange<T>& range) {
  const bool negative = !text.empty() && text.front() == '-';
  const std::string_view digits = negative ? text.substr(1) : text;
  const bool decimal = !digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos;
  if (!decimal) {
    const std::string words = range.words();
    fail("{} must be a decimal integer{}, got '{}'", name, words == "any integer" ? "" : " " + words, text);
  }
  T value{};
  std::from_chars_result result{};
  if constexpr (std::is_unsigned_v<T>) {
    // from_chars takes no sign for unsigned types: "-0" is 0, any other negative is below 0.
    result = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (result.ec == std::errc() && negative && value != 0) result.ec = std::errc::result_out_of_range;
  } else {
    result = std::from_chars(text.data(), text.data() + text.size(), value);
  }
  if (result.ec == std::errc::result_out_of_range) {
    // Beyond the type itself: say the bound on that side (the range's words alone may not, e.g.
    // "at least 1" for a number too large to hold).
    constexpr T lowest = std::numeric_limits<T>::min(), highest = std::numeric_limits<T>::max();
    if (negative && range.min == lowest) fail("{} must be at least {}, got {}", name, lowest, text);
    if (!negative && range.max == highest) fail("{} must be at most {}, got {}", name, highest, text);
    fail("{} must be {}, got {}", name, range.words(), text);
  }
  EMBER_CHECK(result.ec == std::errc() && result.ptr == text.data() + text.size(),
              "{} must be a decimal integer, got '{}'", name, text);
  const std::string error = range_error(name, value, range);
  if (!error.empty()) throw Error(error);
  return value;
}

double parse_real(std::string_view name, std::string_view text, const RealRange& range) {
  double value = 0;
  // from_chars takes a leading '-' but no '+', no spaces and (in chars_format::general) no hex.
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  const bool whole = result.ptr == text.data() + text.size();
  if (result.ec == std::errc::result_out_of_range && whole) {
    fail("{} must be {}, got {} (beyond the range of a double)", name, range.words(), text);
  }
  EMBER_CHECK(result.ec == std::errc() && whole && !text.empty(), "{} must be a number {}, got '{}'", name,
              range.words(), text);
  EMBER_CHECK(std::isfinite(value), "{} must be a finite number {}, got {}", name, range.words(), text);
  const std::string error = range_error(name, value, range);
  if (!error.empty()) throw Error(error);
  return value;
}

template struct IntegerRange<int>;
template struct IntegerRange<int64_t>;
template struct IntegerRange<uint64_t>;
template std::string range_error(std::string_view, int, const IntegerRange<int>&);
template std::string range_error(std::string_view, int64_t, const IntegerRange<int64_t>&);
template std::string range_error(std::string_view, uint64_t, const IntegerRange<uint64_t>&);
template int parse_integer(std::string_view, std::string_view, const IntegerRange<int>&);
template int64_t parse_integer(std::string_view, std::string_view, const IntegerRange<int64_t>&);
template uint64_t parse_integer(std::string_view, std::string_view, const IntegerRange<uint64_t>&);

bool read_double(const std::string& text, double& out) {
  if (text.empty()) return false;
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

}  // namespace ember
