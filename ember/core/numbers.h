#pragma once
// Numbers from text, and the ranges they must be in, stated in words: what the `ember` command's
// flags and the run config's fields accept. `name` is what the messages call the value (a flag,
// "--batch", or a config field, "batch").
//
//   parse_integer("--batch", "0100", IntRange::at_least(1))   == 100
//   parse_integer("--batch", "0", IntRange::at_least(1))      -> "--batch must be at least 1, got 0"
//   parse_integer("--threads", "5000", IntRange{0, 1024})     -> "--threads must be between 0 and 1024, got 5000"
//   parse_real("--lr", "0", RealRange::greater_than(0))       -> "--lr must be greater than 0, got 0"
//
// An integer is decimal digits with an optional leading '-', nothing else: no '+', no spaces, no
// "0x", no exponent ("1e9" is not an integer). Leading zeros are decimal: "0100" is 100, as a
// person who pads a number (seq -w, dates) means it; nothing in ember is octal. A value beyond the
// type is an error naming the range, never a wrap. A real is std::from_chars' decimal form (1,
// 0.5, .5, 1e-3, -2), finite: "inf" and "nan" are refused.
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace ember {

// A closed range of integers of type T; the type's own limits mean "no bound on that side".
template <typename T>
struct IntegerRange {
  T min = std::numeric_limits<T>::min();
  T max = std::numeric_limits<T>::max();

  static constexpr IntegerRange at_least(T low) { return {low, std::numeric_limits<T>::max()}; }
  bool contains(T value) const { return value >= min && value <= max; }
  // "at least 1", "at most 5", "between 0 and 1024", "any integer".
  std::string words() const;
};
using IntRange = IntegerRange<int64_t>;

// A range of reals, each end open or closed; infinite ends mean no bound on that side. NaN and
// the infinities are never inside.
struct RealRange {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_open = false, max_open = false;

  static constexpr RealRange greater_than(double low) { return {low, std::numeric_limits<double>::infinity(), true}; }
  static constexpr RealRange at_least(double low) { return {low, std::numeric_limits<double>::infinity(), false}; }
  // [low, high)
  static constexpr RealRange at_least_below(double low, double high) { return {low, high, false, true}; }
  bool contains(double value) const;
  // "greater than 0", "at least 0 and less than 1", "a finite number".
  std::string words() const;
};

// The whole of `text` as a double, as fmt's shortest round-trip form writes it (a state_dict's
// metadata; "nan" and "inf" included); false if it is not one.
bool read_double(const std::string& text, double& out);

// "" if `value` is in `range`, else "NAME must be WORDS, got VALUE".
template <typename T>
std::string range_error(std::string_view name, T value, const IntegerRange<T>& range);
std::string range_error(std::string_view name, double value, const RealRange& range);

// `text` as a decimal integer in `range` (T: int, int64_t or uint64_t); ember::Error naming `name`
// and the range otherwise.
template <typename T>
T parse_integer(std::string_view name, std::string_view text, const IntegerRange<T>& range);
// `text` as a finite real in `range`; ember::Error naming `name` and the range otherwise.
double parse_real(std::string_view name, std::string_view text, const RealRange& range);

}  // namespace ember
