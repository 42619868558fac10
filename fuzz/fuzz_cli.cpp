// Fuzzes the `ember` program's command line and the run config it maps onto, without running
// anything. The input is the arguments, one per line, up to the first NUL byte; after it, an
// ExperimentConfig JSON (what config.json and every checkpoint hold, read by `ember resume`).
// The arguments go through the real app (tools/app.h, all subcommands and their checks); a
// CLI::ParseError is the expected answer to bad flags, and its help or error text is rendered as
// the program would print it. The JSON goes through ExperimentConfig::from_json (which validates).
// Checks, beyond no crash and no sanitizer report: nothing but CLI::ParseError from parsing and
// ember::Error from the config; no single allocation above max(64 KiB, 32 x input size), 32 bytes
// being a std::string, so n one-byte arguments take 32 n; a config that is accepted writes JSON
// that reads back to the same config.
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "app.h"
#include "ember/train/experiment.h"
#include "support.h"

namespace {

// CLI11 takes the arguments in reverse order, without the program name.
std::vector<std::string> reversed_arguments(std::string_view text) {
  std::vector<std::string> args;
  if (text.empty()) return args;
  size_t start = 0;
  while (true) {
    const size_t end = text.find('\n', start);
    args.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return {args.rbegin(), args.rend()};
}

void parse_command_line(std::string_view text) {
  // A new app for every input, as the program has: reusing one would be faster, but CLI11 2.1
  // keeps appending to an app's record of the parse order across parses, so memory would grow
  // with every input and the allocation bound would fail on the harness, not on ember.
  ember::tool::App app;
  std::vector<std::string> args = reversed_arguments(text);
  try {
    app.cli.parse(args);
    ember::fuzz::count("command lines accepted");
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;
    app.exit(e, out, err);
  } catch (const std::exception& e) {
    ember::fuzz::report(std::string("parsing the command line threw ") + typeid(e).name() + ": " + e.what());
  }
}

void parse_config(std::string_view json) {
  std::optional<ember::train::ExperimentConfig> config;
  ember::fuzz::expect_only_ember_errors(
      "", [&] { config = ember::train::ExperimentConfig::from_json(std::string(json)); });
  if (!config) return;
  ember::fuzz::count("configs accepted");
  const std::string written = config->to_json();
  try {
    if (ember::train::ExperimentConfig::from_json(written).to_json() != written) {
      ember::fuzz::report("an accepted config reads back different:\n" + written);
    }
  } catch (const std::exception& e) {
    ember::fuzz::report("an accepted config does not read back (" + std::string(e.what()) + "):\n" + written);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  ember::fuzz::AllocationBound bound(size, ember::fuzz::bound_for(size, 32));
  parse_command_line(input.substr(0, nul));
  if (nul != std::string_view::npos) parse_config(input.substr(nul + 1));
  return 0;
}
