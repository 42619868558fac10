#pragma once
// The `ember` program's command line, built in one place so that main() and the command-line fuzz
// target (fuzz/fuzz_cli.cpp) parse exactly the same flags.
#include <CLI/CLI.hpp>

#include <iostream>
#include <map>

#include "commands.h"

namespace ember::tool {

// Every subcommand registered on one CLI::App. After cli.parse(), run() runs the parsed one.
struct App {
  App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // The parsed subcommand's exit status; exceptions (ember::Error, ...) are the caller's to report.
  int run() const;

  // cli.exit(e) for a parse error, with a misspelt command or flag named and the nearest name
  // suggested ("ember: unknown command 'trian'; did you mean 'train'?"), and a non-zero status for
  // every error (CLI11 gives a missing subcommand status 0 once an unknown word stands in its place).
  int exit(const CLI::ParseError& e, std::ostream& out = std::cout, std::ostream& err = std::cerr) const;

  CLI::App cli;
  std::map<CLI::App*, Command> commands;  // each subcommand's run function
};

}  // namespace ember::tool
