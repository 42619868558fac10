#pragma once
// An experiment: everything that defines a training run, as one plain struct that round-trips
// through JSON (config.json and every checkpoint hold it), and the code that turns it into a
// model, an optimizer, a scheduler and data loaders. The `ember` command maps its flags onto
// ExperimentConfig; `ember resume` rebuilds the same run from a checkpoint's copy of it.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ember/core/numbers.h"
#include "ember/data/dataloader.h"
#include "ember/models/registry.h"
#include "ember/nn/module.h"
#include "ember/optim/optimizer.h"
#include "ember/optim/scheduler.h"
#include "ember/train/trainer.h"

namespace ember::train {

// How messages name a config's fields: as the JSON keys of config.json ("test_batch") or as the
// `ember train` flags that set them ("--test-batch").
enum class FieldNames { config, flags };
// "test_batch" or "--test-batch".
std::string field_name(const char* field, FieldNames names);

// The range of each numeric field, said once: ExperimentConfig::validate() checks them and
// `ember train` reads its flags with them (tools/flags.h). Counts have no upper bound where a large
// value only means more work (a batch larger than the data is one batch of all of it); epochs
// stop at a million so that epochs x batches and the step counter stay far from overflow.
namespace limits {
inline constexpr IntRange epochs{1, 1'000'000};
inline constexpr IntRange batch = IntRange::at_least(1);          // batch, test_batch, topk, step_size
inline constexpr IntRange count = IntRange::at_least(0);          // limits, warmup, patience, checkpoint_every
inline constexpr IntRange pixels = IntRange::at_least(0);         // translate, crop_padding (and < the image)
inline constexpr IntRange padding{0, 1024};                        // pad: far beyond any model's input
inline constexpr IntRange width = IntRange::at_least(1);          // each of conv_channels, hidden
inline constexpr IntRange milestone = IntRange::at_least(1);      // each, strictly increasing
inline constexpr IntegerRange<int> threads{0, 1024};
inline constexpr IntegerRange<uint64_t> seed{};
inline constexpr RealRange lr = RealRange::greater_than(0);
inline constexpr RealRange momentum = RealRange::at_least_below(0, 1);
inline constexpr RealRange dropout = RealRange::at_least_below(0, 1);
inline constexpr RealRange weight_decay = RealRange::at_least(0);  // and clip_grad_norm
inline constexpr RealRange gamma = RealRange::greater_than(0);
inline constexpr RealRange width_multiplier = RealRange::greater_than(0);
}  // namespace limits

// What each choice of a run accepts, said once: ExperimentConfig::validate and the `ember` flags
// both take them from here.
namespace choices {
inline const std::vector<std::string> datasets = {"mnist", "fashion-mnist", "cifar10"};
inline const std::vector<std::string> optimizers = {"sgd", "adam", "adamw", "rmsprop", "adagrad"};
inline const std::vector<std::string> schedulers = {"none", "step", "multistep", "exponential", "cosine", "plateau"};
inline const std::vector<std::string> activations = {"relu", "tanh", "sigmoid"};
}  // namespace choices

struct ExperimentConfig {
  // model
  std::string model = "lenet5";
  std::optional<float> dropout;
  std::string activation;                 // empty: the model's default
  std::vector<int64_t> conv_channels, hidden;
  bool normal_init = false;
  std::string init = "pytorch";           // every layer's initialization: nn/init_scheme.h's names
  std::optional<double> width;
  std::string init_weights;               // start from these weights (a checkpoint or a weights file,
                                          // e.g. PyTorch's) instead of the seed's initialization
  // data
  std::string data = "mnist";             // mnist, fashion-mnist, cifar10
  std::string data_dir;                   // empty: data/<data>
  int64_t train_limit = 0, test_limit = 0;  // use only the first N examples; 0 = all
  int64_t pad = 0;                        // zero padding on every side (28x28 -> 32x32: 2), train and test
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
  bool tensorboard = false;               // TensorBoard event files in <out>/tb/

  std::string to_json() const;
  static ExperimentConfig from_json(const std::string& json);  // ember::Error on unknown keys or bad values
  // Checks every value (names of models, datasets, optimizers, ranges: limits::); ember::Error
  // listing what is wrong and what is accepted, each field named as `names` says.
  void validate(FieldNames names = FieldNames::config) const;
  std::string resolved_data_dir() const;
  std::string resolved_out() const;
};

// The datasets by name (mnist, fashion-mnist, cifar10); `limit` keeps the first N examples.
std::shared_ptr<data::ImageDataset> load_dataset(const std::string& name, const std::string& dir, data::Split split,
                                                 int64_t limit = 0);
// Names for messages: "mnist, fashion-mnist, cifar10".
std::string dataset_names();
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
// Before building, checks what needs the images' size (--translate and --crop-padding below it, a
// model that takes one size given that size, or told how --pad gets there)
// and the memory: the model's parameters, and a training batch's activations, must fit in this
// machine's memory (check_model_memory, check_batch_memory); errors name fields as `names` says.
Experiment build_experiment(const ExperimentConfig& config, FieldNames names = FieldNames::config);
// A model as the config describes it, for a dataset of `image_shape` ([C, H, W]) and `classes`;
// refused before anything is allocated if its parameters cannot fit (check_model_memory).
std::shared_ptr<nn::Module> build_model(const ExperimentConfig& config, const Shape& image_shape, int64_t classes,
                                        FieldNames names = FieldNames::config);

// ember::Error if the parameters of the model `config` describes (counted from its options,
// nothing allocated) would not fit in this machine's memory, naming the fields that size it.
void check_model_memory(const ExperimentConfig& config, const Shape& image_shape, int64_t classes, FieldNames names);
// ember::Error, naming `what` (e.g. "--batch 60000"), if a batch of `images` images of
// `image_shape` through `model` would need more than this machine's memory (nn::activation_size per
// image, times the batch): when `training`, twice the sum of its layers' outputs (kept for
// backward, and their gradients) plus four times the parameters (weights, gradients, up to two
// optimizer slots); otherwise its busiest layer's input and output plus the parameters.
void check_batch_memory(nn::Module& model, const Shape& image_shape, int64_t images, const std::string& what,
                        bool training);
// The transforms of the test data (scaling, padding, normalization) and of the training data (the
// same plus augmentation).
data::TransformList test_transforms(const ExperimentConfig& config);
data::TransformList train_transforms(const ExperimentConfig& config);
// A trainer over the experiment, writing to config.resolved_out().
std::unique_ptr<Trainer> make_trainer(const Experiment& experiment, Progress progress = Progress::automatic);

}  // namespace ember::train
