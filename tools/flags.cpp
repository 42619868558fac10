#include "flags.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <type_traits>

#include "ember/core/error.h"
#include "ember/core/suggest.h"

namespace ember::tool {

namespace {

// "--checkpoint,-c" -> "--checkpoint" (the first long name, else the first name).
std::string flag_name(const std::string& names) {
  std::string first;
  size_t start = 0;
  while (start <= names.size()) {
    const size_t end = std::min(names.find(',', start), names.size());
    std::string name = names.substr(start, end - start);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    if (name.rfind("--", 0) == 0) return name;
    if (first.empty()) first = name;
    start = end + 1;
  }
  return first;
}

// Runs `read` on the flag's text, turning ember::Error into the FlagError parsing throws.
template <typename F>
void as_flag_error(F&& read) {
  try {
    read();
  } catch (const Error& e) {
    throw FlagError(e.what());
  }
}

}  // namespace

template <typename T>
CLI::Option* add_integer(CLI::App* cmd, const std::string& names, T& target, const IntegerRange<T>& range,
                         const std::string& description) {
  const std::string name = flag_name(names);
  auto* option = cmd->add_option(
      names,
      [&target, range, name](const CLI::results_t& results) {
        as_flag_error([&] { target = parse_integer<T>(name, results.back(), range); });
        return true;
      },
      description);
  option->type_name(std::is_unsigned_v<T> ? "UINT" : "INT")->type_size(1)->expected(1);
  return option;
}

CLI::Option* add_integers(CLI::App* cmd, const std::string& names, std::vector<int64_t>& target, const IntRange& range,
                          const std::string& description) {
  const std::string name = flag_name(names);
  auto* option = cmd->add_option(
      names,
      [&target, range, name](const CLI::results_t& results) {
        std::vector<int64_t> values;
        as_flag_error([&] {
          for (const std::string& text : results) values.push_back(parse_integer<int64_t>(name, text, range));
        });
        target = std::move(values);
        return true;
      },
      description);
  option->type_name("INT")->type_size(1)->expected(1, CLI::detail::expected_max_vector_size)->delimiter(',');
  return option;
}

template <typename T>
CLI::Option* add_real(CLI::App* cmd, const std::string& names, T& target, const RealRange& range,
                      const std::string& description) {
  const std::string name = flag_name(names);
  auto* option = cmd->add_option(
      names,
      [&target, range, name](const CLI::results_t& results) {
        as_flag_error([&] {
          const double value = parse_real(name, results.back(), range);
          // A float target takes only what float can hold.
          EMBER_CHECK(std::abs(value) <= static_cast<double>(std::numeric_limits<T>::max()),
                      "{} must be {}, got {} (beyond the range of a float)", name, range.words(), results.back());
          target = static_cast<T>(value);
        });
        return true;
      },
      description);
  option->type_name("FLOAT")->type_size(1)->expected(1);
  return option;
}

CLI::Validator one_of(const std::vector<std::string>& names) {
  const std::string list = "{" + fmt::format("{}", fmt::join(names, ",")) + "}";
  return CLI::Validator(
      [names, list](std::string& value) {
        if (const auto name = match_ignoring_case(value, names)) {
          value = *name;
          return std::string();
        }
        return value + " not in " + list + did_you_mean(value, names);
      },
      list);
}

template CLI::Option* add_integer(CLI::App*, const std::string&, int&, const IntegerRange<int>&, const std::string&);
template CLI::Option* add_integer(CLI::App*, const std::string&, int64_t&, const IntegerRange<int64_t>&,
                                  const std::string&);
template CLI::Option* add_integer(CLI::App*, const std::string&, uint64_t&, const IntegerRange<uint64_t>&,
                                  const std::string&);
template CLI::Option* add_real(CLI::App*, const std::string&, float&, const RealRange&, const std::string&);
template CLI::Option* add_real(CLI::App*, const std::string&, double&, const RealRange&, const std::string&);

}  // namespace ember::tool
