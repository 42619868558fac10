// ember: train, evaluate and inspect the model zoo from the command line.
//   ember train --model lenet5 --data mnist --epochs 3
//   ember --help, ember train --help, ...
#include <fmt/format.h>

#include "app.h"
#include "ember/core/error.h"

int main(int argc, char** argv) {
  ember::tool::App app;
  try {
    app.cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.cli.exit(e);
  }
  try {
    return app.run();
  } catch (const ember::Error& e) {
    fmt::print(stderr, "ember: error: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "ember: internal error: {}\n", e.what());
    return 2;
  }
}
