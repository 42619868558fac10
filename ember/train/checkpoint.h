#pragma once
// Checkpoints: everything a training run needs to continue exactly where it stopped, in one file
// of the safetensors layout that nn::save/nn::load read and write (atomic: temp file, fsync,
// rename). Keys:
//   tensors   model.<state_dict key>        the model's parameters and buffers
//             optimizer.<key>               the optimizer's state tensors ("optimizer.state.0.momentum_buffer")
//   metadata  format = "ember-checkpoint/1"
//             epoch                         completed epochs
//             batch                         batches done in the epoch in progress (0 at an epoch's end)
//             step                          optimizer steps since the run began
//             epoch_counts                  that epoch's running train metrics (count,correct,topk_correct,classes,loss_sum)
//             optimizer.<key>, scheduler.<key>   their state_dict metadata
//             rng                           the default generator's state, 4 decimal u64s
//             history                       JSON array of the per-epoch metrics so far
//             best_accuracy                 the best test accuracy so far
//             config                        the run's config (JSON text): the CLI's ExperimentConfig, to
//                                           rebuild model and data, or what a Trainer built in C++
//                                           derived (Trainer::config_json)
// A plain weights file written by nn::save (keys without "model.") is also accepted wherever
// only the weights are needed (load_weights).
#include <string>
#include <vector>

#include "ember/nn/module.h"
#include "ember/nn/state_dict.h"
#include "ember/train/report.h"

namespace ember::train {

inline constexpr const char* kCheckpointFormat = "ember-checkpoint/1";

// Copies every tensor and metadata entry of `part` into `into` under "<prefix>.".
void add_prefixed(nn::StateDict& into, const std::string& prefix, const nn::StateDict& part);
// The entries of `dict` under "<prefix>.", with the prefix removed.
nn::StateDict take_prefixed(const nn::StateDict& dict, const std::string& prefix);

bool is_checkpoint(const nn::StateDict& dict);
// The model's state_dict alone: a checkpoint's "model." entries with the prefix removed, or the
// whole of a plain weights file (nn::save, `ember export-weights`, tools/ember_torch.py).
nn::StateDict model_state_dict(const std::string& path);
// The model's weights from a checkpoint or a plain weights file (strict, as load_state_dict; the
// error names the file and every missing, unexpected or mismatched key).
void load_weights(nn::Module& model, const std::string& path);
// The config JSON stored in a checkpoint; ember::Error naming the file if it is not a checkpoint.
std::string checkpoint_config(const std::string& path);
// The optimizer steps a checkpoint had taken (its "step"); ember::Error naming the file if it is
// not a checkpoint.
int64_t checkpoint_step(const std::string& path);

// One epoch's metrics as a JSON object (a line of metrics.jsonl), and the history as an array.
std::string epoch_record_json(const EpochRecord& record);
std::string history_to_json(const std::vector<EpochRecord>& history);
std::vector<EpochRecord> history_from_json(const std::string& json);

}  // namespace ember::train
