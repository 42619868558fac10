#pragma once
// An experiment: everything that defines a training run, as one plain struct that round-trips
// through JSON (config.json and every checkpoint hold it), and the code that turns it into a
// model, an optimizer, a scheduler and data loaders. The `ember` command maps its flags onto
// ExperimentConfig; `ember resume` rebuilds the same run from a checkpoint's copy of it.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ember/data/dataloader.h"
#include "ember/models/registry.h"
#include "ember/nn/module.h"
#include "ember/optim/optimizer.h"
#include "ember/optim/scheduler.h"
#include "ember/train/trainer.h"

namespace ember::train {

struct ExperimentConfig {
  // model
  std::string model = "lenet5";
  std::optional<float> dropout;
  std::string activation;                 // empty: the model's default
  std::vector<int64_t> conv_channels, hidden;
  bool normal_init = false;
  std::optional<double> width;
  std::string init_weights;               // start from these weights (a checkpoint or a weights file,
                                          // e.g. PyTorch's) instead of the seed's initialization
  // data
  std::string data = "mnist";             // mnist, fashion-mnist, cifar10
  std::string data_dir;                   // empty: data/<data>
  int64_t train_limit = 0, test_limit = 0;  // use only the first N examples; 0 = all
  int64_t translate = 0;                  // random translation by up to N pixels
  int64_t crop_padding = 0;               // random crop with this much zero padding
  bool flip = false;                      // random horizontal flips
  bool normalize = false;                 // subtract the dataset's mean, divide by its std
  // optimization
  int64_t epochs = 3, batch = 64, test_batch = 1000;
  std::string optim = "sgd";              // sgd, adam, adamw, rmsprop, adagrad
  double lr = 0.01, momentum = 0;
  std::optional<double> weight_decay;     // unset: the optimizer's default (0; AdamW 0.01)
  bool nesterov = false;
  std::string scheduler = "none";         // none, step, multistep, exponential, cosine, plateau
  int64_t step_size = 1, warmup = 0, patience = 2;
  double gamma = 0.1;
  std::vector<int64_t> milestones;
  double clip_grad_norm = 0;
  // run
  uint64_t seed = 1;
  int threads = 0;                        // 0: all cores
  std::string out;                        // run directory; empty: runs/<model>-<data>
  int64_t checkpoint_every = 0;           // also checkpoint every N steps; 0: at epoch ends only
  int64_t topk = 5;

  std::string to_json() const;
  static ExperimentConfig from_json(const std::string& json);  // ember::Error on unknown keys or bad values
  // Checks every value (names of models, datasets, optimizers, ranges); ember::Error listing what
  // is wrong and what is accepted.
  void validate() const;
  std::string resolved_data_dir() const;
  std::string resolved_out() const;
};

// The datasets by name (mnist, fashion-mnist, cifar10); `limit` keeps the first N examples.
std::shared_ptr<data::ImageDataset> load_dataset(const std::string& name, const std::string& dir, data::Split split,
                                                 int64_t limit = 0);
// Names for messages.
const char* dataset_names();
// Per-channel mean and standard deviation of each dataset's training images (scaled to [0, 1]).
void dataset_statistics(const std::string& name, std::vector<float>& mean, std::vector<float>& std);

struct Experiment {
  ExperimentConfig config;
  std::shared_ptr<nn::Module> model;
  std::shared_ptr<optim::Optimizer> optimizer;
  std::shared_ptr<optim::LRScheduler> scheduler;
  std::shared_ptr<optim::ReduceLROnPlateau> plateau;
  std::shared_ptr<data::DataLoader> train_data, test_data;
  std::string title;  // "lenet5 on MNIST"
};

// Loads the data, seeds the default generator with config.seed and builds the model (so its
// initialization is the seed's, or config.init_weights'), the optimizer, the scheduler and the loaders.
Experiment build_experiment(const ExperimentConfig& config);
// A model as the config describes it, for a dataset of `image_shape` ([C, H, W]) and `classes`.
std::shared_ptr<nn::Module> build_model(const ExperimentConfig& config, const Shape& image_shape, int64_t classes);
// The transforms of the test data (scaling, normalization) and of the training data (the same
// plus augmentation).
data::TransformList test_transforms(const ExperimentConfig& config);
data::TransformList train_transforms(const ExperimentConfig& config);
// A trainer over the experiment, writing to config.resolved_out().
std::unique_ptr<Trainer> make_trainer(const Experiment& experiment, Progress progress = Progress::automatic);

}  // namespace ember::train
