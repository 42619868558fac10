#include "ember/train/experiment.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

#include "ember/core/error.h"
#include "ember/core/suggest.h"
#include "ember/core/parallel.h"
#include "ember/core/random.h"
#include "ember/data/cifar10.h"
#include "ember/data/mnist.h"
#include "ember/models/model_size.h"
#include "ember/nn/init_scheme.h"
#include "ember/nn/summary.h"
#include "ember/optim/adagrad.h"
#include "ember/optim/adam.h"
#include "ember/optim/rmsprop.h"
#include "ember/optim/sgd.h"
#include "ember/train/checkpoint.h"

namespace ember::train {

namespace {

using nlohmann::json;

// Every field with its JSON name, in one place for to_json, from_json and the unknown-key check.
template <typename Config, typename F>
void visit_fields(Config& c, F&& f) {
  f("model", c.model);
  f("dropout", c.dropout);
  f("activation", c.activation);
  f("conv_channels", c.conv_channels);
  f("hidden", c.hidden);
  f("normal_init", c.normal_init);
  f("init", c.init);
  f("width", c.width);
  f("init_weights", c.init_weights);
  f("data", c.data);
  f("data_dir", c.data_dir);
  f("train_limit", c.train_limit);
  f("test_limit", c.test_limit);
  f("pad", c.pad);
  f("translate", c.translate);
  f("crop_padding", c.crop_padding);
  f("flip", c.flip);
  f("normalize", c.normalize);
  f("epochs", c.epochs);
  f("batch", c.batch);
  f("test_batch", c.test_batch);
  f("optim", c.optim);
  f("lr", c.lr);
  f("momentum", c.momentum);
  f("weight_decay", c.weight_decay);
  f("nesterov", c.nesterov);
  f("scheduler", c.scheduler);
  f("step_size", c.step_size);
  f("warmup", c.warmup);
  f("patience", c.patience);
  f("gamma", c.gamma);
  f("milestones", c.milestones);
  f("clip_grad_norm", c.clip_grad_norm);
  f("seed", c.seed);
  f("threads", c.threads);
  f("out", c.out);
  f("checkpoint_every", c.checkpoint_every);
  f("topk", c.topk);
  f("tensorboard", c.tensorboard);
}

template <typename T>
json to_json_value(const T& value) {
  return json(value);
}
template <typename T>
json to_json_value(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}
// An integer field takes a JSON integer within its type's range, nothing else: nlohmann's
// get<T>() casts any number, so 2.5 would silently become 2 and 1e300 is undefined behaviour
// (found by fuzz/fuzz_cli.cpp).
template <typename T>
T integer_from_json(const json& j, const char* name) {
  if (j.is_number_unsigned()) {
    const auto v = j.get<uint64_t>();
    if (std::in_range<T>(v)) return static_cast<T>(v);
  } else if (j.is_number_integer()) {
    const auto v = j.get<int64_t>();
    if (std::in_range<T>(v)) return static_cast<T>(v);
  }
  fail("experiment config: '{}' has the wrong type: expected an integer from {} to {}, got {}", name,
       std::numeric_limits<T>::min(), std::numeric_limits<T>::max(), j.dump());
}

template <typename T>
void from_json_value(const json& j, const char* name, T& value) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    value = integer_from_json<T>(j, name);
  } else if constexpr (std::is_same_v<T, float>) {
    // A double beyond float's range has no float to become (undefined behaviour again).
    const auto v = j.get<double>();
    EMBER_CHECK(std::abs(v) <= std::numeric_limits<float>::max(),
                "experiment config: '{}' is out of range: {}", name, j.dump());
    value = static_cast<float>(v);
  } else {
    value = j.get<T>();
  }
}
template <typename T>
void from_json_value(const json& j, const char* name, std::vector<T>& value) {
  EMBER_CHECK(j.is_array(), "experiment config: '{}' has the wrong type: expected an array, got {}", name,
              j.type_name());
  value.clear();
  for (const json& item : j) from_json_value(item, name, value.emplace_back());
}
template <typename T>
void from_json_value(const json& j, const char* name, std::optional<T>& value) {
  if (j.is_null()) {
    value.reset();
  } else {
    from_json_value(j, name, value.emplace());
  }
}

bool one_of(const std::string& x, const std::vector<std::string>& options) {
  return std::find(options.begin(), options.end(), x) != options.end();
}

}  // namespace

std::string field_name(const char* field, FieldNames names) {
  if (names == FieldNames::config) return field;
  std::string flag = std::string("--") + field;
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

std::string ExperimentConfig::to_json() const {
  json j = json::object();
  visit_fields(*this, [&](const char* name, const auto& value) { j[name] = to_json_value(value); });
  return j.dump(2);
}

ExperimentConfig ExperimentConfig::from_json(const std::string& text) {
  ExperimentConfig c;
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    fail("experiment config: not valid JSON: {}", e.what());
  }
  EMBER_CHECK(j.is_object(), "experiment config: expected a JSON object, got {}", j.type_name());
  // A Trainer built in C++ describes its run (Trainer::config_json) but not how to rebuild it.
  EMBER_CHECK(!j.contains("written_by"), "experiment config: this run was trained by a program of its own "
              "(the config was written by {}), not by `ember train`, so it does not say how to rebuild the model "
              "and the data: resume it with Trainer::resume_from in that program, or evaluate its weights with "
              "`ember eval --weights CHECKPOINT --model NAME --data NAME`", j["written_by"].dump());
  std::vector<std::string> known;
  visit_fields(c, [&](const char* name, auto&) { known.push_back(name); });
  for (const auto& [key, value] : j.items()) {
    EMBER_CHECK(one_of(key, known), "experiment config: unknown key '{}' (known: {})", key, fmt::join(known, ", "));
  }
  visit_fields(c, [&](const char* name, auto& value) {
    if (!j.contains(name)) return;
    try {
      from_json_value(j.at(name), name, value);
    } catch (const json::exception& e) {
      fail("experiment config: '{}' has the wrong type: {}", name, e.what());
    }
  });
  c.validate();
  return c;
}

void ExperimentConfig::validate(FieldNames names) const {
  std::vector<std::string> errors;
  auto require = [&](bool ok, std::string message) {
    if (!ok) errors.push_back(std::move(message));
  };
  auto name = [&](const char* field) { return field_name(field, names); };
  auto in_range = [&](const char* field, auto value, const auto& range) {
    std::string error = range_error(name(field), value, range);
    if (!error.empty()) errors.push_back(std::move(error));
  };
  const auto& infos = models::model_infos();
  auto info = std::find_if(infos.begin(), infos.end(), [&](const models::ModelInfo& i) { return i.name == model; });
  require(info != infos.end(), fmt::format("unknown model '{}'{} (choose from: {})", model,
                                           did_you_mean(model, models::model_name_list()), models::model_names()));
  if (info != infos.end()) {
    require(info->classifier, fmt::format("model {} is not a classifier and cannot be trained by `ember train`", model));
  }
  auto choice = [&](const std::string& value, const std::vector<std::string>& accepted, const char* what) {
    require(one_of(value, accepted),
            fmt::format("unknown {} '{}'{} (choose from: {})", what, value, did_you_mean(value, accepted),
                        fmt::join(accepted, ", ")));
  };
  choice(data, choices::datasets, "dataset");
  choice(optim, choices::optimizers, "optimizer");
  choice(scheduler, choices::schedulers, "scheduler");
  if (!activation.empty()) choice(activation, choices::activations, "activation");
  if (dropout) in_range("dropout", static_cast<double>(*dropout), limits::dropout);
  for (int64_t c : conv_channels) in_range("conv_channels", c, limits::width);
  for (int64_t h : hidden) in_range("hidden", h, limits::width);
  if (width) in_range("width", *width, limits::width_multiplier);
  try {
    nn::init::parse_init_scheme(init, name("init"));
  } catch (const Error& e) {
    errors.push_back(e.what());
  }
  require(!normal_init || init == "pytorch",
          fmt::format("choose one of {} and {}, not both", name("normal_init"), name("init")));
  in_range("train_limit", train_limit, limits::count);
  in_range("test_limit", test_limit, limits::count);
  in_range("pad", pad, limits::padding);
  in_range("translate", translate, limits::pixels);
  in_range("crop_padding", crop_padding, limits::pixels);
  require(translate == 0 || crop_padding == 0,
          fmt::format("choose one of {} and {}, not both", name("translate"), name("crop_padding")));
  in_range("epochs", epochs, limits::epochs);
  in_range("batch", batch, limits::batch);
  in_range("test_batch", test_batch, limits::batch);
  in_range("lr", lr, limits::lr);
  in_range("momentum", momentum, limits::momentum);
  if (weight_decay) in_range("weight_decay", *weight_decay, limits::weight_decay);
  require(!nesterov || optim == "sgd", fmt::format("{} applies to sgd only", name("nesterov")));
  require(momentum == 0 || optim == "sgd" || optim == "rmsprop",
          fmt::format("momentum applies to sgd and rmsprop, not {}", optim));
  in_range("step_size", step_size, limits::batch);
  in_range("gamma", gamma, limits::gamma);
  in_range("warmup", warmup, limits::count);
  in_range("patience", patience, limits::count);
  require(scheduler != "multistep" || !milestones.empty(),
          fmt::format("the multistep scheduler needs {}", name("milestones")));
  bool increasing = true;
  for (size_t i = 0; i < milestones.size(); ++i) {
    increasing = increasing && limits::milestone.contains(milestones[i]) && (i == 0 || milestones[i] > milestones[i - 1]);
  }
  require(increasing, fmt::format("{} must be increasing epochs, each at least 1, got {}", name("milestones"),
                                  fmt::join(milestones, ",")));
  require(warmup == 0 || (scheduler != "plateau"),
          fmt::format("{} cannot be combined with the plateau scheduler", name("warmup")));
  in_range("clip_grad_norm", clip_grad_norm, limits::weight_decay);
  in_range("threads", threads, limits::threads);
  in_range("checkpoint_every", checkpoint_every, limits::count);
  in_range("topk", topk, limits::batch);
  if (errors.empty()) return;
  fail("{}{}", names == FieldNames::config ? "invalid experiment: " : "", fmt::join(errors, "; "));
}

std::string ExperimentConfig::resolved_data_dir() const { return data_dir.empty() ? "data/" + data : data_dir; }
std::string ExperimentConfig::resolved_out() const { return out.empty() ? "runs/" + model + "-" + data : out; }

std::string dataset_names() { return fmt::format("{}", fmt::join(choices::datasets, ", ")); }

std::shared_ptr<data::ImageDataset> load_dataset(const std::string& name, const std::string& dir, data::Split split,
                                                 int64_t limit) {
  data::ImageData images;
  if (name == "mnist") {
    images = data::load_mnist(dir, split, limit);
  } else if (name == "fashion-mnist") {
    images = data::load_fashion_mnist(dir, split, limit);
  } else if (name == "cifar10") {
    images = data::load_cifar10(dir, split, limit);
  } else {
    fail("unknown dataset '{}' (choose from: {})", name, dataset_names());
  }
  return std::make_shared<data::ImageDataset>(std::move(images));  // the readers kept only `limit`
}

void dataset_statistics(const std::string& name, std::vector<float>& mean, std::vector<float>& std) {
  if (name == "mnist") {
    mean = {0.1307f};
    std = {0.3081f};
  } else if (name == "fashion-mnist") {
    mean = {0.2860f};
    std = {0.3530f};
  } else if (name == "cifar10") {
    mean = {0.4914f, 0.4822f, 0.4465f};
    std = {0.2470f, 0.2435f, 0.2616f};
  } else {
    fail("unknown dataset '{}' (choose from: {})", name, dataset_names());
  }
}

data::TransformList test_transforms(const ExperimentConfig& c) {
  data::TransformList t = {std::make_shared<data::ScaleTo01>()};
  if (c.pad > 0) t.push_back(std::make_shared<data::Pad>(c.pad));
  if (c.normalize) {
    std::vector<float> mean, std;
    dataset_statistics(c.data, mean, std);
    t.push_back(std::make_shared<data::Normalize>(mean, std));
  }
  return t;
}

data::TransformList train_transforms(const ExperimentConfig& c) {
  // Augment before normalizing, so shifted-in pixels are black (0) as in the raw image.
  data::TransformList t = {std::make_shared<data::ScaleTo01>()};
  if (c.pad > 0) t.push_back(std::make_shared<data::Pad>(c.pad));
  if (c.translate > 0) t.push_back(std::make_shared<data::RandomTranslate>(c.translate));
  if (c.crop_padding > 0) t.push_back(std::make_shared<data::RandomCrop>(c.crop_padding));
  if (c.flip) t.push_back(std::make_shared<data::RandomHorizontalFlip>(0.5));
  if (c.normalize) {
    std::vector<float> mean, std;
    dataset_statistics(c.data, mean, std);
    t.push_back(std::make_shared<data::Normalize>(mean, std));
  }
  return t;
}

namespace {

models::ModelConfig model_config(const ExperimentConfig& c, const Shape& image_shape, int64_t classes) {
  models::ModelConfig m;
  m.in_channels = image_shape[0];
  m.input_size = image_shape[1];
  m.num_classes = classes;
  m.dropout = c.dropout;
  if (!c.activation.empty()) m.activation = models::parse_activation(c.activation);
  m.conv_channels = c.conv_channels;
  m.hidden = c.hidden;
  m.normal_init = c.normal_init;
  m.width = c.width;
  return m;
}

}  // namespace

void check_model_memory(const ExperimentConfig& c, const Shape& image_shape, int64_t classes, FieldNames names) {
  // The fields that size a model beyond the data's; with none set, the model and the data.
  std::vector<std::string> knobs;
  if (!c.hidden.empty()) knobs.push_back(fmt::format("{} {}", field_name("hidden", names), fmt::join(c.hidden, ",")));
  if (!c.conv_channels.empty()) {
    knobs.push_back(fmt::format("{} {}", field_name("conv_channels", names), fmt::join(c.conv_channels, ",")));
  }
  if (c.width) knobs.push_back(fmt::format("{} {}", field_name("width", names), *c.width));
  const std::string who = knobs.empty() ? fmt::format("model {} on {} images", c.model, shape_str(image_shape))
                                        : fmt::format("{}", fmt::join(knobs, " with "));
  models::check_parameter_memory(models::parameter_count_of(c.model, model_config(c, image_shape, classes)), who);
}

void check_batch_memory(nn::Module& model, const Shape& image_shape, int64_t images, const std::string& what,
                        bool training) {
  EMBER_CHECK(image_shape.size() == 3, "check_batch_memory: image shape must be [C, H, W], got {}",
              shape_str(image_shape));
  const nn::ActivationSize size = nn::activation_size(model, {1, image_shape[0], image_shape[1], image_shape[2]});
  const double per_image = 4.0 * static_cast<double>(training ? 2 * size.total : size.peak);
  const double parameters = 4.0 * static_cast<double>(models::parameter_count(model));
  models::check_activation_memory(per_image * static_cast<double>(images), parameters * (training ? 4 : 1), what,
                                  training ? "a training batch's activations" : "an evaluation batch's activations",
                                  fmt::format(" ({} per image)", models::format_bytes(per_image)));
}

std::shared_ptr<nn::Module> build_model(const ExperimentConfig& c, const Shape& image_shape, int64_t classes,
                                        FieldNames names) {
  check_model_memory(c, image_shape, classes, names);
  auto model = models::make_model(c.model, model_config(c, image_shape, classes));
  models::check_input(*model, c.model, image_shape);
  return model;
}

namespace {

std::shared_ptr<optim::Optimizer> make_optimizer(const ExperimentConfig& c, const TensorList& params) {
  const double wd = c.weight_decay.value_or(c.optim == "adamw" ? 1e-2 : 0.0);
  if (c.optim == "sgd") {
    return std::make_shared<optim::SGD>(params, optim::SGDOptions(c.lr).momentum(c.momentum).weight_decay(wd).nesterov(c.nesterov));
  }
  if (c.optim == "adam") return std::make_shared<optim::Adam>(params, optim::AdamOptions(c.lr).weight_decay(wd));
  if (c.optim == "adamw") return std::make_shared<optim::AdamW>(params, optim::AdamWOptions(c.lr).weight_decay(wd));
  if (c.optim == "rmsprop") {
    return std::make_shared<optim::RMSprop>(params, optim::RMSpropOptions().lr(c.lr).momentum(c.momentum).weight_decay(wd));
  }
  return std::make_shared<optim::Adagrad>(params, optim::AdagradOptions().lr(c.lr).weight_decay(wd));
}

std::unique_ptr<optim::LRScheduler> make_scheduler(const ExperimentConfig& c, optim::Optimizer& optimizer) {
  std::unique_ptr<optim::LRScheduler> s;
  if (c.scheduler == "step") s = std::make_unique<optim::StepLR>(optimizer, c.step_size, c.gamma);
  if (c.scheduler == "multistep") s = std::make_unique<optim::MultiStepLR>(optimizer, c.milestones, c.gamma);
  if (c.scheduler == "exponential") s = std::make_unique<optim::ExponentialLR>(optimizer, c.gamma);
  if (c.scheduler == "cosine") s = std::make_unique<optim::CosineAnnealingLR>(optimizer, c.epochs);
  if (c.warmup > 0) s = std::make_unique<optim::LinearWarmup>(optimizer, c.warmup, 1.0 / 3, std::move(s));
  return s;
}

const char* display_name(const std::string& data) {
  if (data == "mnist") return "MNIST";
  if (data == "fashion-mnist") return "Fashion-MNIST";
  return "CIFAR-10";
}

// A model that takes one size (lenet5_classic 32x32) given images of another: said before the model
// fails deep inside a layer, with the padding that fits where padding is the answer.
void check_image_size(const ExperimentConfig& c, const Shape& raw, const Shape& padded, FieldNames names) {
  const int64_t size = models::fixed_input_size(c.model);
  if (size == 0 || (padded[1] == size && padded[2] == size)) return;
  auto dims = [](const Shape& s) { return fmt::format("{}x{}x{}", s[0], s[1], s[2]); };
  const std::string images = c.pad > 0 ? fmt::format("{}'s {} images padded to {}", display_name(c.data), dims(raw),
                                                     dims(padded))
                                       : fmt::format("{}'s images are {}", display_name(c.data), dims(raw));
  const int64_t missing = size - raw[1];
  const bool padding_fits = raw[1] == raw[2] && missing > 0 && missing % 2 == 0;
  fail("model {} takes Cx{}x{} images but {}: {}", c.model, size, size, images,
       padding_fits ? fmt::format("pad them with {} {} (zeros on every side)", field_name("pad", names), missing / 2)
                    : std::string("padding cannot make them that size; choose a model that takes any size (`ember models`)"));
}

}  // namespace

Experiment build_experiment(const ExperimentConfig& config, FieldNames names) {
  config.validate(names);
  if (config.threads > 0) set_num_threads(config.threads);
  Experiment e;
  e.config = config;
  const std::string dir = config.resolved_data_dir();
  auto train_set = load_dataset(config.data, dir, data::Split::train, config.train_limit);
  auto test_set = load_dataset(config.data, dir, data::Split::test, config.test_limit);
  const Shape chw = data::transformed_shape(test_transforms(config), train_set->image_shape());
  check_image_size(config, train_set->image_shape(), chw, names);
  for (auto [field, value] : {std::pair{"translate", config.translate}, std::pair{"crop_padding", config.crop_padding}}) {
    EMBER_CHECK(value < chw[1] && value < chw[2], "{} must be less than the images' height and width, got {} for {}'s {} images",
                field_name(field, names), value, display_name(config.data), shape_str(chw));
  }
  manual_seed(config.seed);
  e.model = build_model(config, chw, train_set->num_classes(), names);
  nn::init::initialize(*e.model, nn::init::parse_init_scheme(config.init));
  // A batch larger than the data is one batch of all of it.
  check_batch_memory(*e.model, chw, std::min(config.batch, train_set->size()),
                     fmt::format("{} {}", field_name("batch", names), config.batch), true);
  check_batch_memory(*e.model, chw, std::min(config.test_batch, test_set->size()),
                     fmt::format("{} {}", field_name("test_batch", names), config.test_batch), false);
  if (!config.init_weights.empty()) load_weights(*e.model, config.init_weights);
  e.optimizer = make_optimizer(config, e.model->parameters());
  if (config.scheduler == "plateau") {
    e.plateau = std::make_shared<optim::ReduceLROnPlateau>(
        *e.optimizer, optim::PlateauOptions().factor(config.gamma).patience(config.patience));
  } else {
    e.scheduler = make_scheduler(config, *e.optimizer);
  }
  e.train_data = std::make_shared<data::DataLoader>(
      train_set, data::DataLoaderOptions().batch_size(config.batch).shuffle(true).seed(config.seed).transforms(
                     train_transforms(config)));
  e.test_data = std::make_shared<data::DataLoader>(
      test_set, data::DataLoaderOptions().batch_size(config.test_batch).transforms(test_transforms(config)));
  e.title = fmt::format("{} on {}", config.model, display_name(config.data));
  return e;
}

std::unique_ptr<Trainer> make_trainer(const Experiment& e, Progress progress) {
  const Shape chw = e.train_data->image_shape();
  auto trainer = std::make_unique<Trainer>(
      e.model, e.optimizer, e.train_data, e.test_data,
      TrainerOptions()
          .epochs(e.config.epochs)
          .topk(e.config.topk)
          .clip_grad_norm(e.config.clip_grad_norm)
          .checkpoint_every(e.config.checkpoint_every)
          .tensorboard(e.config.tensorboard)
          .run_dir(e.config.resolved_out())
          .title(e.title)
          .config_json(e.config.to_json())
          .default_config_json(ExperimentConfig().to_json())
          .summary_text(nn::summary(*e.model, {1, chw[0], chw[1], chw[2]}))
          .progress(progress));
  if (e.scheduler) trainer->set_scheduler(e.scheduler);
  if (e.plateau) trainer->set_scheduler(e.plateau);
  return trainer;
}

}  // namespace ember::train
