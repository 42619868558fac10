// ember eval: test accuracy of one checkpoint or weights file, or of several as an ensemble.
#include <fmt/format.h>

#include <memory>

#include "commands.h"
#include "flags.h"
#include "ember/core/error.h"
#include "ember/models/registry.h"
#include "ember/nn/serialize.h"
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

// A weights file carries no run config: the model is the zoo's `config.model` with its default
// knobs, and the weights must fit it key for key.
Loaded load_weights_model(const std::string& path, const train::ExperimentConfig& config, const Shape& image_shape,
                          int64_t classes) {
  Loaded out;
  out.config = config;
  out.model = train::build_model(out.config, image_shape, classes);
  train::load_weights(*out.model, path);
  return out;
}

// The model a weights file names in its metadata ("model", written by `ember export-weights` and
// tools/ember_torch.py), or "" if it names none.
std::string model_named_in(const std::string& path) {
  const nn::StateDict dict = nn::load(path);
  auto it = dict.metadata.find("model");
  return it == dict.metadata.end() ? "" : it->second;
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
  auto* cmd = app.add_subcommand("eval", "Evaluate checkpoints or weights files (e.g. PyTorch's) on a test set; several "
                                         "are also evaluated as an ensemble (majority vote and averaged probabilities)");
  auto checkpoints = std::make_shared<std::vector<std::string>>();
  auto data = std::make_shared<std::string>();
  auto data_dir = std::make_shared<std::string>();
  auto limit = std::make_shared<int64_t>(0);
  auto batch = std::make_shared<int64_t>(1000);
  auto confusion = std::make_shared<bool>(false);
  auto weights = std::make_shared<std::vector<std::string>>();
  auto model = std::make_shared<std::string>();
  auto normalize = std::make_shared<bool>(false);
  auto pad = std::make_shared<int64_t>(0);
  cmd->add_option("--checkpoint,-c", *checkpoints, "Checkpoint file(s) written by `ember train` (repeat for an ensemble)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--weights,-w", *weights,
                  "Weights file(s) with no run config: PyTorch's (tools/ember_torch.py), `ember export-weights`'s "
                  "or nn::save's; the model comes from --model or the file's metadata")
      ->check(CLI::ExistingFile);
  cmd->add_option("--model", *model, "With --weights: the zoo model they are for")->transform(one_of(models::model_name_list(/*classifiers_only=*/true)));
  cmd->add_flag("--normalize", *normalize,
                "With --weights: normalize the images by the dataset's mean and std, as `ember train --normalize`");
  add_integer(cmd, "--pad", *pad, train::limits::padding,
              "With --weights: zero-pad the images by N pixels on every side, as `ember train --pad`");
  cmd->add_option("--data", *data, "Dataset (default: the one the first checkpoint was trained on)")
      ->transform(one_of(train::choices::datasets));
  cmd->add_option("--data-dir", *data_dir, "Folder with the dataset's files (default: the training run's)");
  add_integer(cmd, "--test-limit", *limit, train::limits::count, "Use only the first N test images (0: all)");
  add_integer(cmd, "--batch", *batch, train::limits::batch, "Batch size (larger than the test set: all of it)")
      ->default_str(std::to_string(*batch));
  cmd->add_flag("--confusion", *confusion, "Print the confusion matrix");
  return [=]() {
    EMBER_CHECK(!checkpoints->empty() || !weights->empty(), "eval: give a --checkpoint or a --weights file");
    // The config of a weights file, from the flags: model, dataset, scaling.
    auto weights_config = [&](const std::string& path) {
      train::ExperimentConfig c;
      c.model = model->empty() ? model_named_in(path) : *model;
      EMBER_CHECK(!c.model.empty(), "eval: {} names no model in its metadata; say which with --model (one of: {})",
                  path, models::model_names());
      EMBER_CHECK(!checkpoints->empty() || !data->empty(),
                  "eval: {} is a weights file without a run config; say which test set with --data", path);
      c.normalize = *normalize;
      c.pad = *pad;
      c.validate();  // a known classifier
      return c;
    };
    train::ExperimentConfig first = checkpoints->empty()
                                        ? weights_config(weights->front())
                                        : train::ExperimentConfig::from_json(train::checkpoint_config(checkpoints->front()));
    if (!data->empty()) first.data = *data;
    if (!data_dir->empty()) first.data_dir = *data_dir;
    else if (!data->empty()) first.data_dir.clear();
    auto test_set = train::load_dataset(first.data, first.resolved_data_dir(), data::Split::test, *limit);
    data::DataLoader loader(test_set, data::DataLoaderOptions().batch_size(*batch).transforms(train::test_transforms(first)));
    std::vector<std::shared_ptr<nn::Module>> nets;
    std::vector<std::string> paths = *checkpoints;
    paths.insert(paths.end(), weights->begin(), weights->end());
    for (size_t i = 0; i < paths.size(); ++i) {
      const std::string& path = paths[i];
      Loaded loaded = i < checkpoints->size()
                          ? load_checkpoint_model(path, loader.image_shape(), test_set->num_classes())
                          : load_weights_model(path, weights_config(path), loader.image_shape(), test_set->num_classes());
      // A batch larger than the test set is one batch of all of it.
      train::check_batch_memory(*loaded.model, loader.image_shape(), std::min(*batch, test_set->size()),
                                fmt::format("--batch {}", *batch), false);
      EMBER_CHECK(loaded.config.normalize == first.normalize,
                  "eval: {} is evaluated with normalize = {} but {} with {}; an ensemble needs the same input scaling",
                  path, loaded.config.normalize, paths.front(), first.normalize);
      EMBER_CHECK(loaded.config.pad == first.pad,
                  "eval: {} was trained on images padded by {} but {} by {}; an ensemble needs the same input size",
                  path, loaded.config.pad, paths.front(), first.pad);
      const train::Evaluation e = train::evaluate(*loaded.model, loader, loaded.config.topk);
      fmt::print("{}: {} on {}: test loss {:.4f}  accuracy {:.2f}%  top-{} {:.2f}%  ({} images)\n", path,
                 loaded.config.model, test_set->describe(), e.loss, 100 * e.accuracy, e.topk, 100 * e.topk_accuracy,
                 e.count);
      if (*confusion) print_confusion(e, test_set->class_names());
      nets.push_back(loaded.model);
    }
    if (nets.size() > 1) {
      const train::EnsembleResult r = train::evaluate_ensemble(nets, loader);
      fmt::print("ensemble of {}: majority vote {:.2f}%  averaged probabilities {:.2f}%\n", nets.size(),
                 100 * r.vote_accuracy, 100 * r.average_accuracy);
    }
    return 0;
  };
}

}  // namespace ember::tool
