#include "app.h"

#include <fmt/format.h>

#include <string>
#include <utility>
#include <vector>

#include "ember/core/suggest.h"
#include "ember/version.h"

namespace ember::tool {

namespace {

// The subcommand the parse reached last ("ember viz filters": filters), or the app itself.
const CLI::App* deepest_parsed(const CLI::App* app) {
  for (const CLI::App* sub : app->get_subcommands({})) {
    if (sub->parsed()) return deepest_parsed(sub);
  }
  return app;
}

std::vector<std::string> command_names(const CLI::App* app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app->get_subcommands({})) names.push_back(sub->get_name());
  return names;
}

std::vector<std::string> flag_names(const CLI::App* app) {
  std::vector<std::string> names;
  for (const CLI::Option* option : app->get_options()) {
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
    for (const std::string& name : option->get_snames()) names.push_back("-" + name);
  }
  return names;
}

// "ember train", "ember viz filters"
std::string command_path(const CLI::App* app) {
  std::string path = app->get_name();
  for (const CLI::App* parent = app->get_parent(); parent != nullptr; parent = parent->get_parent()) {
    path = (parent->get_parent() == nullptr ? std::string("ember") : parent->get_name()) + " " + path;
  }
  return app->get_parent() == nullptr ? "ember" : path;
}

// A line for each word the user typed that parsing did not take, naming the nearest command or
// flag; empty when every word was taken.
std::string explain_unknown(const CLI::App& cli) {
  const CLI::App* at = deepest_parsed(&cli);
  std::vector<std::string> extras;
  for (const CLI::App* app = at; app != nullptr; app = app->get_parent()) {
    for (const std::string& arg : app->remaining()) extras.push_back(arg);
  }
  std::string out;
  bool after_option = false;  // a word right after an unknown option is taken as its value
  for (const std::string& arg : extras) {
    const bool option = arg.size() > 1 && arg[0] == '-';
    if (std::exchange(after_option, option && arg.find('=') == std::string::npos) && !option) continue;
    if (option) {
      const std::string flag = arg.substr(0, arg.find('='));
      out += fmt::format("ember: unknown option '{}' for '{}'{}\n", flag, command_path(at),
                         did_you_mean(flag, flag_names(at)));
    } else if (at == &cli || !at->get_subcommands({}).empty()) {
      const auto commands = command_names(at);
      out += fmt::format("ember: unknown command '{}'{}\ncommands: {}\n", arg, did_you_mean(arg, commands),
                         fmt::join(commands, ", "));
      break;  // the words after an unknown command are its arguments
    } else {
      out += fmt::format("ember: unexpected argument '{}' for '{}'\n", arg, command_path(at));
    }
  }
  return out;
}

}  // namespace

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
  // Words parsing did not take show up as extras, or as a missing command or required flag that
  // they probably meant: each is named with the nearest name, then CLI11's own message for a
  // missing flag. (By type: CLI11 names a subcommand's ExtrasError after the subcommand.)
  cli.failure_message([this](const CLI::App* app, const CLI::Error& e) {
    const bool extras = dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr;
    const bool required = dynamic_cast<const CLI::RequiredError*>(&e) != nullptr;
    const std::string unknown = extras || required ? explain_unknown(cli) : std::string();
    if (unknown.empty()) return CLI::FailureMessage::simple(app, e);
    const CLI::App* at = deepest_parsed(&cli);
    const bool missing_flag = required && at->get_subcommands({}).empty();  // not the unknown command
    return unknown + (missing_flag ? std::string(e.what()) + "\n" : std::string()) +
           fmt::format("Run `{} --help` for more information.\n", command_path(at));
  });
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

int App::exit(const CLI::ParseError& e, std::ostream& out, std::ostream& err) const {
  const int status = cli.exit(e, out, err);
  const bool asked = e.get_name() == "CallForHelp" || e.get_name() == "CallForAllHelp" || e.get_name() == "CallForVersion";
  return status == 0 && !asked ? 1 : status;
}

}  // namespace ember::tool
