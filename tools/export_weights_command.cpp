// ember export-weights: a checkpoint's model state_dict alone, for PyTorch or any safetensors reader;
// or, with --model instead of a checkpoint, a zoo model's initial weights (seeded) for its usual input.
#include <fmt/format.h>

#include <memory>

#include "commands.h"
#include "flags.h"
#include "ember/core/error.h"
#include "ember/core/random.h"
#include "ember/models/registry.h"
#include "ember/nn/serialize.h"
#include "ember/train/checkpoint.h"
#include "ember/train/experiment.h"

namespace ember::tool {

Command add_export_weights(CLI::App& app) {
  auto* cmd = app.add_subcommand("export-weights",
                                 "Write a checkpoint's model weights alone (no optimizer state, no run record), "
                                 "or a zoo model's initial weights (--model), under PyTorch's state_dict names, as "
                                 "a safetensors file");
  auto checkpoint = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto model = std::make_shared<std::string>();
  auto seed = std::make_shared<uint64_t>(0);
  auto* from_checkpoint = cmd->add_option("--checkpoint,-c", *checkpoint, "Checkpoint written by `ember train`")
                              ->check(CLI::ExistingFile);
  auto* from_zoo = cmd->add_option("--model", *model, "Instead of a checkpoint: this zoo model's initial weights, "
                                                      "for its usual input and classes (`ember summary`)")
                       ->transform(one_of(models::model_name_list()));
  from_checkpoint->excludes(from_zoo);
  add_integer(cmd, "--seed", *seed, IntegerRange<uint64_t>::at_least(0), "With --model: the seed of the initialization")
      ->default_str("0")
      ->needs(from_zoo);
  cmd->add_option("-o,--output", *output, "The weights file to write")->required();
  return [=]() {
    EMBER_CHECK(!checkpoint->empty() || !model->empty(), "export-weights: give a checkpoint (-c) or a zoo model (--model)");
    train::ExperimentConfig config;
    nn::StateDict weights;
    std::string source;
    if (!model->empty()) {
      config.model = *model;
      manual_seed(*seed);
      weights = train::build_model(config, models::usual_input(*model), models::usual_classes(*model))->state_dict();
      source = fmt::format("its initialization with seed {}", *seed);
    } else {
      config = train::ExperimentConfig::from_json(train::checkpoint_config(*checkpoint));
      weights = train::model_state_dict(*checkpoint);
      source = *checkpoint;
    }
    // The metadata lets `ember eval --weights` pick the model by itself; PyTorch ignores it.
    weights.metadata = {{"model", config.model}};
    nn::save(weights, *output);
    int64_t values = 0;
    for (const auto& [key, tensor] : weights) values += tensor.numel();
    fmt::print("wrote {}: {} weights of {} ({} tensors, {} values)\n", *output, config.model, source,
               weights.size(), values);
    return 0;
  };
}

}  // namespace ember::tool
