// ember: train, evaluate and inspect the model zoo from the command line.
//   ember train --model lenet5 --data mnist --epochs 3
//   ember --help, ember train --help, ...
#include <fmt/format.h>

#include <map>
#include <string>

#include "commands.h"
#include "ember/core/error.h"

int main(int argc, char** argv) {
  CLI::App app{"ember: train, evaluate and inspect convolutional networks on the CPU.\n"
               "Start with:  scripts/fetch_data.sh && ember train --model lenet5 --data mnist\n"
               "Each command has its own --help, e.g. `ember train --help`."};
  app.require_subcommand(1);
  app.footer("Data: scripts/fetch_data.sh puts MNIST in data/mnist and Fashion-MNIST in data/fashion-mnist.\n"
             "CIFAR-10 cannot be downloaded here: copy its binary files into data/cifar10.");
  std::map<CLI::App*, ember::tool::Command> commands;
  for (auto* add : {&ember::tool::add_train, &ember::tool::add_resume, &ember::tool::add_eval,
                    &ember::tool::add_summary, &ember::tool::add_models, &ember::tool::add_viz}) {
    const size_t before = app.get_subcommands({}).size();
    ember::tool::Command command = (*add)(app);
    commands[app.get_subcommands({})[before]] = std::move(command);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    for (auto& [sub, command] : commands) {
      if (sub->parsed()) return command();
    }
  } catch (const ember::Error& e) {
    fmt::print(stderr, "ember: error: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "ember: internal error: {}\n", e.what());
    return 2;
  }
  return 1;
}
