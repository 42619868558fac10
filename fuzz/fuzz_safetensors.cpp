// Fuzzes the safetensors-layout reader (nn::load: weights files and checkpoints) on bytes in
// memory, and, when the file is an ember checkpoint, everything resuming reads from it: the
// config (ExperimentConfig::from_json), the history, and Trainer::restore into two small runs
// (SGD with momentum and a StepLR schedule; Adam with a plateau schedule) whose model is a Linear
// and a BatchNorm2d, so the corpus's valid checkpoints stay a few KiB.
// Checks, beyond no crash and no sanitizer report: only ember::Errors (naming the file, for the
// file's own layout); no single allocation above max(64 KiB, 16 x input size), 16 bytes being a
// parsed JSON value, so a header of n one-byte numbers may take 16 n; an accepted file's tensors
// tile the data section exactly.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "ember/data/dataloader.h"
#include "ember/nn/linear.h"
#include "ember/nn/norm.h"
#include "ember/nn/sequential.h"
#include "ember/nn/serialize.h"
#include "ember/optim/adam.h"
#include "ember/optim/scheduler.h"
#include "ember/optim/sgd.h"
#include "ember/train/checkpoint.h"
#include "ember/train/experiment.h"
#include "ember/train/trainer.h"
#include "support.h"

using namespace ember;

namespace {

const std::string kName = "fuzz-input/last.safetensors";

// A run whose checkpoints restore() accepts; only the shapes and the optimizer and scheduler
// kinds matter (make_corpus.py writes its checkpoints from the same description).
std::unique_ptr<train::Trainer> small_run(bool adam) {
  auto model = nn::sequential({std::make_shared<nn::Linear>(4, 3), std::make_shared<nn::BatchNorm2d>(3)});
  data::ImageData images;
  images.count = 2;
  images.channels = 1;
  images.height = 2;
  images.width = 2;
  images.pixels.assign(8, 0);
  images.labels = {0, 1};
  images.num_classes = 3;
  auto loader = std::make_shared<data::DataLoader>(std::make_shared<data::ImageDataset>(images));
  std::shared_ptr<optim::Optimizer> optimizer;
  if (adam) {
    optimizer = std::make_shared<optim::Adam>(model->parameters(), optim::AdamOptions(0.001));
  } else {
    optimizer = std::make_shared<optim::SGD>(model->parameters(), optim::SGDOptions(0.1).momentum(0.9));
  }
  auto trainer = std::make_unique<train::Trainer>(model, optimizer, loader, loader,
                                                  train::TrainerOptions().progress(train::Progress::none));
  if (adam) {
    trainer->set_scheduler(std::make_shared<optim::ReduceLROnPlateau>(*optimizer));
  } else {
    trainer->set_scheduler(std::make_shared<optim::StepLR>(*optimizer, 2));
  }
  return trainer;
}

// Built once: a restore that fails halfway leaves values behind, never shapes, and the checks
// depend only on shapes and kinds.
train::Trainer& sgd_run() {
  static std::unique_ptr<train::Trainer> run = small_run(false);
  return *run;
}
train::Trainer& adam_run() {
  static std::unique_ptr<train::Trainer> run = small_run(true);
  return *run;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sgd_run();  // outside the bound: their size does not depend on the input
  adam_run();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ember::fuzz::AllocationBound bound(size, ember::fuzz::bound_for(size, 16));
  nn::StateDict dict;
  bool loaded = false;
  ember::fuzz::expect_only_ember_errors(kName, [&] {
    dict = nn::parse_safetensors(bytes, kName);
    loaded = true;
  });
  if (!loaded) return 0;
  ember::fuzz::count("loaded");

  uint64_t header = 0;
  std::memcpy(&header, data, sizeof(header));  // accepted, so at least 8 bytes
  uint64_t tensor_bytes = 0;
  for (const auto& [key, tensor] : dict) {
    tensor_bytes += static_cast<uint64_t>(tensor.numel()) * dtype_size(tensor.dtype());
  }
  if (tensor_bytes != size - 8 - header) ember::fuzz::report("the tensors do not tile the data section");

  if (!train::is_checkpoint(dict)) {  // a plain weights file, as `ember eval` also takes
    ember::fuzz::expect_only_ember_errors("", [&] {
      sgd_run().model().load_state_dict(dict);
      ember::fuzz::count("weights loaded into the model");
    });
    return 0;
  }
  ember::fuzz::count("checkpoints");

  // What `ember resume` and `ember eval` read; their messages name the field, not the file.
  ember::fuzz::expect_only_ember_errors("", [&] {
    auto config = dict.metadata.find("config");
    if (config == dict.metadata.end()) return;
    train::ExperimentConfig::from_json(config->second);
    ember::fuzz::count("configs accepted");
  });
  ember::fuzz::expect_only_ember_errors("", [&] {
    sgd_run().restore(dict);
    ember::fuzz::count("restored by the SGD run");
  });
  ember::fuzz::expect_only_ember_errors("", [&] {
    adam_run().restore(dict);
    ember::fuzz::count("restored by the Adam run");
  });
  return 0;
}
