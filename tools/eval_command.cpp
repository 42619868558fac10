// ember eval: test accuracy of one checkpoint, or of several as an ensemble.
#include <fmt/format.h>

#include <memory>

#include "commands.h"
#include "ember/core/error.h"
#include "ember/train/checkpoint.h"
#include "ember/train/ensemble.h"
#include "ember/train/experiment.h"

namespace ember::tool {

namespace {

struct Loaded {
  train::ExperimentConfig config;
  std::shared_ptr<nn::Module> model;
};

// The model a checkpoint was trained as, with its weights.
Loaded load_checkpoint_model(const std::string& path, const Shape& image_shape, int64_t classes) {
  Loaded out;
  out.config = train::ExperimentConfig::from_json(train::checkpoint_config(path));
  out.model = train::build_model(out.config, image_shape, classes);
  train::load_weights(*out.model, path);
  return out;
}

void print_confusion(const train::Evaluation& e, const std::vector<std::string>& names) {
  const int64_t k = e.num_classes;
  fmt::print("confusion matrix (rows: true class, columns: predicted)\n{:>14}", "");
  for (int64_t j = 0; j < k; ++j) fmt::print("{:>6}", j);
  fmt::print("\n");
  for (int64_t i = 0; i < k; ++i) {
    const std::string name = static_cast<size_t>(i) < names.size() ? names[static_cast<size_t>(i)] : std::to_string(i);
    fmt::print("{:>11.11} {:>2}", name, i);
    for (int64_t j = 0; j < k; ++j) fmt::print("{:>6}", e.confusion[static_cast<size_t>(i * k + j)]);
    fmt::print("\n");
  }
}

}  // namespace

Command add_eval(CLI::App& app) {
  auto* cmd = app.add_subcommand("eval", "Evaluate checkpoints on a test set; several checkpoints are also "
                                         "evaluated as an ensemble (majority vote and averaged probabilities)");
  auto checkpoints = std::make_shared<std::vector<std::string>>();
  auto data = std::make_shared<std::string>();
  auto data_dir = std::make_shared<std::string>();
  auto limit = std::make_shared<int64_t>(0);
  auto batch = std::make_shared<int64_t>(1000);
  auto confusion = std::make_shared<bool>(false);
  cmd->add_option("--checkpoint,-c", *checkpoints, "Checkpoint file(s) written by `ember train` (repeat for an ensemble)")
      ->required()->check(CLI::ExistingFile);
  cmd->add_option("--data", *data, "Dataset (default: the one the first checkpoint was trained on)")
      ->check(CLI::IsMember({"mnist", "fashion-mnist", "cifar10"}));
  cmd->add_option("--data-dir", *data_dir, "Folder with the dataset's files (default: the training run's)");
  cmd->add_option("--test-limit", *limit, "Use only the first N test images (0: all)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--batch", *batch, "Batch size")->check(CLI::PositiveNumber);
  cmd->add_flag("--confusion", *confusion, "Print the confusion matrix");
  return [=]() {
    train::ExperimentConfig first = train::ExperimentConfig::from_json(train::checkpoint_config(checkpoints->front()));
    if (!data->empty()) first.data = *data;
    if (!data_dir->empty()) first.data_dir = *data_dir;
    else if (!data->empty()) first.data_dir.clear();
    auto test_set = train::load_dataset(first.data, first.resolved_data_dir(), data::Split::test, *limit);
    data::DataLoader loader(test_set, data::DataLoaderOptions().batch_size(*batch).transforms(train::test_transforms(first)));
    std::vector<std::shared_ptr<nn::Module>> models;
    for (const std::string& path : *checkpoints) {
      Loaded loaded = load_checkpoint_model(path, test_set->image_shape(), test_set->num_classes());
      EMBER_CHECK(loaded.config.normalize == first.normalize,
                  "eval: {} was trained with normalize = {} but {} with {}; an ensemble needs the same input scaling",
                  path, loaded.config.normalize, checkpoints->front(), first.normalize);
      const train::Evaluation e = train::evaluate(*loaded.model, loader, loaded.config.topk);
      fmt::print("{}: {} on {}: test loss {:.4f}  accuracy {:.2f}%  top-{} {:.2f}%  ({} images)\n", path,
                 loaded.config.model, test_set->describe(), e.loss, 100 * e.accuracy, e.topk, 100 * e.topk_accuracy,
                 e.count);
      if (*confusion) print_confusion(e, test_set->class_names());
      models.push_back(loaded.model);
    }
    if (models.size() > 1) {
      const train::EnsembleResult r = train::evaluate_ensemble(models, loader);
      fmt::print("ensemble of {}: majority vote {:.2f}%  averaged probabilities {:.2f}%\n", models.size(),
                 100 * r.vote_accuracy, 100 * r.average_accuracy);
    }
    return 0;
  };
}

}  // namespace ember::tool
