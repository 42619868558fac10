#include "app.h"

#include <string>
#include <vector>

#include "ember/version.h"

namespace ember::tool {

App::App()
    : cli{"ember: train, evaluate and inspect convolutional networks on the CPU.\n"
          "Start with:  scripts/fetch_data.sh && ember train --model lenet5 --data mnist\n"
          "Each command has its own --help, e.g. `ember train --help`."} {
  cli.require_subcommand(1);
  // `ember --version`: the library's version (ember::version(), the same as EMBER_VERSION_STRING
  // unless the program was built against another ember's headers).
  cli.set_version_flag("--version", std::string("ember ") + ember::version());
  cli.footer("Data: scripts/fetch_data.sh puts MNIST in data/mnist and Fashion-MNIST in data/fashion-mnist.\n"
             "CIFAR-10 cannot be downloaded here: copy its binary files into data/cifar10.");
  std::vector<Command (*)(CLI::App&)> adds = {&add_train,  &add_resume, &add_eval,          &add_summary,
                                              &add_models, &add_viz,    &add_export_weights,
                                              &add_compare};
#if EMBER_WITH_ONNX
  adds.push_back(&add_export);  // built with the ONNX library only
#endif
  for (auto* add : adds) {
    const size_t before = cli.get_subcommands({}).size();
    Command command = (*add)(cli);
    commands[cli.get_subcommands({})[before]] = std::move(command);
  }
}

int App::run() const {
  for (const auto& [sub, command] : commands) {
    if (sub->parsed()) return command();
  }
  return 1;
}

}  // namespace ember::tool
