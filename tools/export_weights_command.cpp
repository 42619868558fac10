// ember export-weights: a checkpoint's model state_dict alone, for PyTorch or any safetensors reader.
#include <fmt/format.h>

#include <memory>

#include "commands.h"
#include "ember/nn/serialize.h"
#include "ember/train/checkpoint.h"
#include "ember/train/experiment.h"

namespace ember::tool {

Command add_export_weights(CLI::App& app) {
  auto* cmd = app.add_subcommand("export-weights",
                                 "Write a checkpoint's model weights alone (no optimizer state, no run record), "
                                 "under PyTorch's state_dict names, as a safetensors file");
  auto checkpoint = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  cmd->add_option("--checkpoint,-c", *checkpoint, "Checkpoint written by `ember train`")->required()->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", *output, "The weights file to write")->required();
  return [=]() {
    const train::ExperimentConfig config = train::ExperimentConfig::from_json(train::checkpoint_config(*checkpoint));
    nn::StateDict weights = train::model_state_dict(*checkpoint);
    // The metadata lets `ember eval --weights` pick the model by itself; PyTorch ignores it.
    weights.metadata = {{"model", config.model}};
    nn::save(weights, *output);
    int64_t values = 0;
    for (const auto& [key, tensor] : weights) values += tensor.numel();
    fmt::print("wrote {}: {} weights of {} ({} tensors, {} values)\n", *output, config.model, *checkpoint,
               weights.size(), values);
    return 0;
  };
}

}  // namespace ember::tool
