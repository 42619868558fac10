// ember models / ember summary / ember viz filters: look at models and what they learned.
#include <fmt/format.h>

#include <memory>

#include "commands.h"
#include "flags.h"
#include "ember/core/error.h"
#include "ember/core/random.h"
#include "ember/models/model_size.h"
#include "ember/models/registry.h"
#include "ember/nn/summary.h"
#include "ember/train/checkpoint.h"
#include "ember/train/experiment.h"
#include "ember/train/filter_image.h"
#include "ember/train/trainer.h"

namespace ember::tool {

Command add_models(CLI::App& app) {
  app.add_subcommand("models", "List the model zoo");
  return []() {
    for (const auto& info : models::model_infos()) {
      fmt::print("{:<17} {:<10} {}{}\n", info.name, info.input, info.description,
                 info.classifier ? "" : " (not a classifier)");
    }
    return 0;
  };
}

namespace {

// Before `ember summary` builds the model: its parameters (counted from the options) and one
// image's activations must fit in this machine's memory; the error names the size flags given.
// The activations are measured on the model's usual input and scaled by the area for a larger
// one (which may be too large to allocate even as the input alone).
void check_summary_memory(const std::string& name, const models::ModelConfig& config, int64_t channels, int64_t size,
                          int64_t classes) {
  std::vector<std::string> given;
  if (size) given.push_back(fmt::format("--input-size {}", size));
  if (channels) given.push_back(fmt::format("--in-channels {}", channels));
  if (classes) given.push_back(fmt::format("--classes {}", classes));
  const std::string who = given.empty() ? "model " + name : fmt::format("{}", fmt::join(given, " with "));
  const double parameters = models::parameter_count_of(name, config);
  models::check_parameter_memory(parameters, who);
  const int64_t usual = models::usual_input(name)[1];
  if (config.input_size <= usual) return;
  models::ModelConfig probe_config = config;
  probe_config.input_size = usual;
  auto probe = models::make_model(name, probe_config);
  const Shape probe_shape = {1, config.in_channels, usual, usual};
  models::check_input(*probe, name, {config.in_channels, usual, usual});
  const double area = static_cast<double>(config.input_size) / static_cast<double>(usual);
  const double bytes = 4.0 * static_cast<double>(nn::activation_size(*probe, probe_shape).peak) * area * area;
  models::check_activation_memory(bytes, 4 * parameters, who, "one image's activations");
}

}  // namespace

Command add_summary(CLI::App& app) {
  auto* cmd = app.add_subcommand("summary", "Print a model's layers, output shapes, parameters and FLOPs");
  auto model = std::make_shared<std::string>();
  auto channels = std::make_shared<int64_t>(0);
  auto size = std::make_shared<int64_t>(0);
  auto classes = std::make_shared<int64_t>(0);
  cmd->add_option("--model", *model, "Model from the zoo")->required()->transform(one_of(models::model_name_list()));
  add_integer(cmd, "--in-channels", *channels, IntRange::at_least(1), "Input channels (default: the model's usual input)");
  add_integer(cmd, "--input-size", *size, IntRange::at_least(1), "Input height = width (default: the model's usual input)");
  add_integer(cmd, "--classes", *classes, IntRange::at_least(1), "Number of classes (default 10; alexnet 1000)");
  return [=]() {
    const Shape usual = models::usual_input(*model);
    const int64_t c = *channels ? *channels : usual[0];
    const int64_t s = *size ? *size : usual[1];
    models::ModelConfig config;
    config.in_channels = c;
    config.input_size = s;
    config.num_classes = *classes ? *classes : models::usual_classes(*model);
    check_summary_memory(*model, config, *channels, *size, *classes);
    auto net = models::make_model(*model, config);
    models::check_input(*net, *model, {c, s, s});
    fmt::print("{}\n", nn::summary(*net, {1, c, s, s}));
    return 0;
  };
}

Command add_viz(CLI::App& app) {
  auto* viz = app.add_subcommand("viz", "Pictures of a trained model");
  viz->require_subcommand(1);
  auto* filters = viz->add_subcommand("filters", "The first conv layer's filters as a PNG grid");
  auto checkpoint = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>("filters.png");
  auto scale = std::make_shared<int>(8);
  filters->add_option("--checkpoint,-c", *checkpoint, "Checkpoint written by `ember train`")->required()->check(CLI::ExistingFile);
  filters->add_option("-o,--output", *output, "PNG file to write")->capture_default_str();
  add_integer(filters, "--scale", *scale, IntegerRange<int>{1, 64}, "Pixels per weight")->default_str(std::to_string(*scale));
  return [=]() {
    const train::ExperimentConfig config = train::ExperimentConfig::from_json(train::checkpoint_config(*checkpoint));
    // The model's shape needs the data's image shape and class count; the dataset's own values
    // come from its name, so the data files need not be present.
    const bool cifar = config.data == "cifar10";
    auto model = train::build_model(config, cifar ? Shape{3, 32, 32} : Shape{1, 28, 28}, 10);
    train::load_weights(*model, *checkpoint);
    const Tensor weight = train::first_conv_weight(*model);
    EMBER_CHECK(weight.defined(), "viz filters: model {} has no conv layer", config.model);
    train::write_filter_grid_png(weight, *output, *scale);
    fmt::print("wrote {} ({} filters of {}x{}x{})\n", *output, weight.size(0), weight.size(1), weight.size(2),
               weight.size(3));
    return 0;
  };
}

}  // namespace ember::tool
