// ember: train, evaluate and inspect the model zoo from the command line.
//   ember train --model lenet5 --data mnist --epochs 3
//   ember --help, ember train --help, ...
#include <fmt/format.h>

#include <string>

#include "app.h"
#include "ember/core/error.h"

namespace {

// The library's error for missing MNIST or Fashion-MNIST files names the folder and the files (it
// may be installed, far from any source tree); the command adds the script of ember's source tree.
void print_data_hint(const std::string& message) {
  if (message.find("MNIST") == std::string::npos || message.find(": not found in ") == std::string::npos) return;
  fmt::print(stderr, "ember: in ember's source tree, scripts/fetch_data.sh fetches MNIST and Fashion-MNIST into "
                     "data/mnist and data/fashion-mnist\n");
}

}  // namespace

int main(int argc, char** argv) {
  ember::tool::set_command_line(argc, argv);
  ember::tool::App app;
  try {
    app.cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    return app.run();
  } catch (const ember::Error& e) {
    fmt::print(stderr, "ember: error: {}\n", e.what());
    print_data_hint(e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "ember: internal error: {}\n", e.what());
    return 2;
  }
}
