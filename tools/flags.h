#pragma once
// The `ember` command's number flags, all read one way (ember/core/numbers.h): decimal integers
// ("0100" is 100, never octal 64), no overflow, each flag's range stated in words
// ("--batch must be at least 1, got 0"). A bad value is a FlagError while parsing: a
// CLI::ParseError (what parsing throws, as fuzz/fuzz_cli.cpp checks) with exit status 1, like
// every other error of the program.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "ember/core/numbers.h"

namespace ember::tool {

class FlagError : public CLI::ParseError {
 public:
  explicit FlagError(std::string message) : CLI::ParseError("FlagError", std::move(message), 1) {}
};

// `names` as CLI11 takes them ("--batch", "--checkpoint,-c"); the messages use the first long one.
// The target keeps its value unless the flag is given (show it in --help with ->default_str()).
template <typename T>  // int, int64_t, uint64_t
CLI::Option* add_integer(CLI::App* cmd, const std::string& names, T& target, const IntegerRange<T>& range,
                         const std::string& description);
// A comma-separated list ("--hidden 1000,500"), each item in `range`.
CLI::Option* add_integers(CLI::App* cmd, const std::string& names, std::vector<int64_t>& target, const IntRange& range,
                          const std::string& description);
template <typename T>  // float, double
CLI::Option* add_real(CLI::App* cmd, const std::string& names, T& target, const RealRange& range,
                      const std::string& description);

// A flag whose value is one of `names` (models, datasets, optimizers, ...): matched ignoring case
// and stored as the name is spelt in `names` (LeNet5 is lenet5); anything else is refused with the
// list and the nearest name ("--model: lenet not in {lenet5,...}; did you mean 'lenet5'?").
//   cmd->add_option("--optim", c.optim, "...")->transform(one_of(train::choices::optimizers))
// (transform, not check: CLI11 lets only a transform change the value it validates)
CLI::Validator one_of(const std::vector<std::string>& names);

}  // namespace ember::tool
