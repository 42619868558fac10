// The training loop on real MNIST images (the committed 1000/500 subset): it learns, it writes
// its run directory, and a resumed run is bit-identical to an uninterrupted one.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "train_fixtures.h"

using namespace ember;
namespace fs = std::filesystem;

namespace {

using ember::test::check_same_weights;
using ember::test::small_config;
using ember::test::TempDir;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("LeNet-5 learns real MNIST digits in a few dozen steps") {
  TempDir dir;
  train::ExperimentConfig config = small_config((dir.path / "run").string());
  // LeNet-5 under SGD sits on the ln(10) plateau for a few hundred steps; Adam leaves it at once.
  config.optim = "adam";
  config.lr = 3e-3;
  config.momentum = 0;
  config.epochs = 3;
  const train::Experiment e = train::build_experiment(config);
  auto trainer = train::make_trainer(e, train::Progress::none);
  std::vector<double> batch_losses;
  std::vector<train::BatchEnd> ends;
  trainer->on_batch_end([&](const train::BatchEnd& b) {
    batch_losses.push_back(b.loss);
    ends.push_back(b);
  });
  int epochs_seen = 0;
  trainer->on_epoch_end([&](const train::EpochRecord&) { ++epochs_seen; });
  const auto& history = trainer->fit();

  REQUIRE(history.size() == 3);
  CHECK(epochs_seen == 3);
  REQUIRE(batch_losses.size() == 60);  // 1000 images / 50, three epochs
  // Chance is 10% accuracy and a loss of ln 10 = 2.30 at the start.
  CHECK(batch_losses.front() > 2.0);
  double last_ten = 0;
  for (size_t i = 50; i < 60; ++i) last_ten += batch_losses[i] / 10;
  MESSAGE("mean loss of the last ten steps ", last_ten, ", test accuracy ", history[2].test_accuracy);
  CHECK(last_ten < 0.6);
  CHECK(history[2].train_loss < history[1].train_loss);
  CHECK(history[1].train_loss < history[0].train_loss);
  // Every step reports its number, its own accuracy, the learning rate it used and the clock.
  for (size_t i = 0; i < ends.size(); ++i) {
    const train::BatchEnd& b = ends[i];
    CHECK(b.step == static_cast<int64_t>(i) + 1);
    CHECK(b.epoch == static_cast<int64_t>(i) / 20 + 1);
    CHECK(b.batch == static_cast<int64_t>(i) % 20 + 1);
    CHECK(b.accuracy >= 0.0);
    CHECK(b.accuracy <= 1.0);
    CHECK(b.lr == doctest::Approx(history[static_cast<size_t>(b.epoch - 1)].lr));
    CHECK(b.images_per_second > 0.0);
    if (i > 0) CHECK(b.seconds >= ends[i - 1].seconds);
  }
  // The last batch's running accuracy is the epoch's, and the batch accuracies average to it
  // (equal batches of 50).
  double mean_accuracy = 0;
  for (size_t i = 40; i < 60; ++i) mean_accuracy += ends[i].accuracy / 20;
  CHECK(mean_accuracy == doctest::Approx(history[2].train_accuracy));
  CHECK(ends.back().running_accuracy == doctest::Approx(history[2].train_accuracy));
  CHECK(history[2].test_accuracy > 0.8);
  CHECK(history[2].test_topk_accuracy >= history[2].test_accuracy);
  CHECK(history[2].images_per_second > 0);
  // The confusion matrix of the last evaluation covers every test image, and its diagonal is the accuracy.
  const train::Evaluation& eval = trainer->last_evaluation();
  REQUIRE(eval.confusion.size() == 100);
  int64_t total = 0, diagonal = 0;
  for (int64_t i = 0; i < 10; ++i) {
    for (int64_t j = 0; j < 10; ++j) total += eval.confusion[static_cast<size_t>(i * 10 + j)];
    diagonal += eval.confusion[static_cast<size_t>(i * 11)];
  }
  CHECK(total == 500);
  CHECK(static_cast<double>(diagonal) / 500 == doctest::Approx(history[2].test_accuracy));
}

TEST_CASE("a run directory holds the config, metrics, checkpoints and report") {
  TempDir dir;
  const fs::path run = dir.path / "run";
  train::ExperimentConfig config = small_config(run.string());
  config.epochs = 2;
  config.train_limit = 200;
  const train::Experiment e = train::build_experiment(config);
  auto trainer = train::make_trainer(e, train::Progress::none);
  trainer->fit();

  // config.json is the exact config, and parses back to it.
  const train::ExperimentConfig back = train::ExperimentConfig::from_json(slurp(run / "config.json"));
  CHECK(back.to_json() == config.to_json());
  // metrics.csv: header + one row per epoch, values as in history.
  std::istringstream csv(slurp(run / "metrics.csv"));
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(csv, line)) lines.push_back(line);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].rfind("epoch,train_loss,train_accuracy,test_loss,test_accuracy", 0) == 0);
  CHECK(lines[2].rfind("2,", 0) == 0);
  // metrics.jsonl: one JSON object per epoch.
  std::istringstream jsonl(slurp(run / "metrics.jsonl"));
  int rows = 0;
  while (std::getline(jsonl, line)) {
    const auto row = nlohmann::json::parse(line);
    CHECK(row.at("epoch").get<int>() == ++rows);
    CHECK(row.at("test_accuracy").get<double>() == doctest::Approx(trainer->history()[static_cast<size_t>(rows - 1)].test_accuracy));
  }
  CHECK(rows == 2);
  for (const char* f : {"checkpoints/last.safetensors", "checkpoints/best.safetensors", "report/index.html",
                        "report/accuracy.svg", "report/loss.svg", "report/confusion.svg", "report/filters_before.png",
                        "report/filters_after.png"}) {
    INFO(f);
    CHECK(fs::is_regular_file(run / f));
  }
  // No temporary files are left behind by the atomic writes.
  for (const auto& entry : fs::recursive_directory_iterator(run)) {
    CHECK(entry.path().filename().string().find(".tmp.") == std::string::npos);
  }
  // The last checkpoint's weights are the trained model's.
  auto model = train::build_model(config, {1, 28, 28}, 10);
  train::load_weights(*model, (run / "checkpoints/last.safetensors").string());
  check_same_weights(*model, *e.model);
  CHECK(train::checkpoint_config((run / "checkpoints/last.safetensors").string()) == config.to_json());
}

// Trains `total` epochs straight, and `first` epochs + checkpoint + a fresh process-like rebuild +
// the rest; the final weights and optimizer state must be bit-identical.
void check_resume_is_exact(train::ExperimentConfig config, int64_t first, int64_t total) {
  TempDir dir;
  config.epochs = total;
  config.out = (dir.path / "straight").string();
  const train::Experiment straight = train::build_experiment(config);
  auto straight_trainer = train::make_trainer(straight, train::Progress::none);
  straight_trainer->fit();

  config.out = (dir.path / "split").string();
  config.epochs = first;
  {
    const train::Experiment part = train::build_experiment(config);
    train::make_trainer(part, train::Progress::none)->fit();
  }
  manual_seed(999);  // whatever happens in between must not matter
  config.epochs = total;
  const train::Experiment resumed = train::build_experiment(config);
  auto resumed_trainer = train::make_trainer(resumed, train::Progress::none);
  resumed_trainer->resume_from((dir.path / "split/checkpoints/last.safetensors").string());
  CHECK(resumed_trainer->epoch() == first);
  resumed_trainer->fit();

  check_same_weights(*resumed.model, *straight.model);
  test::check_same_optimizer_state(*resumed.optimizer, *straight.optimizer);
  REQUIRE(resumed_trainer->history().size() == static_cast<size_t>(total));
  for (size_t i = 0; i < static_cast<size_t>(total); ++i) {
    CHECK(resumed_trainer->history()[i].test_accuracy == straight_trainer->history()[i].test_accuracy);
    CHECK(resumed_trainer->history()[i].train_loss == straight_trainer->history()[i].train_loss);
  }
}

TEST_CASE("resume is bit-identical: SGD with momentum, dropout, augmentation and a step schedule") {
  train::ExperimentConfig c = small_config("");
  c.model = "mnist_cnn";
  c.conv_channels = {8};
  c.hidden = {32};
  c.dropout = 0.3f;
  c.translate = 1;
  c.train_limit = 300;
  c.scheduler = "step";
  c.step_size = 1;
  c.gamma = 0.5;
  c.weight_decay = 1e-4;
  check_resume_is_exact(c, 1, 3);
}

TEST_CASE("resume is bit-identical: Adam with a plateau schedule") {
  train::ExperimentConfig c = small_config("");
  c.model = "simplecnn";
  c.optim = "adam";
  c.lr = 1e-3;
  c.momentum = 0;
  c.train_limit = 300;
  c.scheduler = "plateau";
  c.patience = 0;
  check_resume_is_exact(c, 2, 3);
}

TEST_CASE("training gives the same bits with 1 and 2 threads") {
  auto run = [](int threads) {
    train::ExperimentConfig c = small_config("");
    c.epochs = 1;
    c.train_limit = 200;
    c.threads = threads;
    const train::Experiment e = train::build_experiment(c);
    train::Trainer trainer(e.model, e.optimizer, e.train_data, e.test_data,
                           train::TrainerOptions().epochs(1).progress(train::Progress::none));
    trainer.fit();
    set_num_threads(2);
    return e.model;
  };
  auto one = run(1);
  auto two = run(2);
  check_same_weights(*one, *two);
}

TEST_CASE("restoring a checkpoint checks what it restores") {
  TempDir dir;
  train::ExperimentConfig c = small_config((dir.path / "run").string());
  c.epochs = 1;
  c.train_limit = 100;
  const train::Experiment e = train::build_experiment(c);
  auto trainer = train::make_trainer(e, train::Progress::none);
  trainer->fit();
  const std::string checkpoint = (dir.path / "run/checkpoints/last.safetensors").string();

  // A plain weights file is not a checkpoint.
  const std::string plain = (dir.path / "weights.safetensors").string();
  nn::save(*e.model, plain);
  test::check_error([&] { trainer->resume_from(plain); }, {"weights.safetensors", "not an ember checkpoint"});
  // ... but load_weights takes both.
  auto model = train::build_model(c, {1, 28, 28}, 10);
  train::load_weights(*model, plain);
  train::load_weights(*model, checkpoint);
  // A checkpoint of another model names the mismatching keys.
  train::ExperimentConfig other = c;
  other.model = "simplecnn";
  other.out = (dir.path / "other").string();
  const train::Experiment e2 = train::build_experiment(other);
  auto trainer2 = train::make_trainer(e2, train::Progress::none);
  test::check_error([&] { trainer2->resume_from(checkpoint); }, {"last.safetensors", "features.0.weight"});
  // A scheduler in the run but not in the checkpoint.
  train::ExperimentConfig scheduled = c;
  scheduled.scheduler = "step";
  scheduled.out = (dir.path / "scheduled").string();
  const train::Experiment e3 = train::build_experiment(scheduled);
  auto trainer3 = train::make_trainer(e3, train::Progress::none);
  test::check_error([&] { trainer3->resume_from(checkpoint); }, {"scheduler"});
}

TEST_CASE("experiment configs round-trip through JSON and reject what they do not know") {
  train::ExperimentConfig c;
  c.model = "mnist_cnn";
  c.hidden = {1000, 1000};
  c.dropout = 0.5f;
  c.weight_decay = 5e-4;
  c.milestones = {3, 6};
  c.scheduler = "multistep";
  const train::ExperimentConfig back = train::ExperimentConfig::from_json(c.to_json());
  CHECK(back.to_json() == c.to_json());
  CHECK(back.hidden == std::vector<int64_t>{1000, 1000});
  CHECK(back.dropout.value() == 0.5f);
  CHECK(!train::ExperimentConfig::from_json("{}").dropout.has_value());

  test::check_error([] { train::ExperimentConfig::from_json(R"({"modle": "lenet5"})"); }, {"unknown key 'modle'", "model"});
  test::check_error([] { train::ExperimentConfig::from_json(R"({"epochs": "three"})"); }, {"'epochs'", "wrong type"});
  test::check_error([] { train::ExperimentConfig::from_json("{not json"); }, {"not valid JSON"});
  test::check_error([] { train::ExperimentConfig::from_json(R"({"model": "lenet6"})"); }, {"unknown model 'lenet6'", "lenet5"});
  test::check_error([] { train::ExperimentConfig::from_json(R"({"optim": "sgdd"})"); }, {"unknown optimizer", "adamw"});
  test::check_error([] { train::ExperimentConfig::from_json(R"({"model": "conv_autoencoder"})"); }, {"not a classifier"});
  test::check_error([] { train::ExperimentConfig::from_json(R"({"optim": "adam", "nesterov": true, "lr": -1})"); },
                    {"nesterov applies to sgd only", "lr must be greater than 0, got -1"});
  test::check_error([] { train::ExperimentConfig::from_json(R"({"scheduler": "multistep"})"); },
                    {"the multistep scheduler needs milestones"});
  // The dataset must fit the model: lenet5 takes 28x28, the CIFAR-sized AlexNet does not.
  train::ExperimentConfig wrong = small_config("");
  wrong.model = "alexnet_cifar";
  test::check_error([&] { train::build_experiment(wrong); }, {"alexnet_cifar", "1x28x28", "Cx32x32"});
}

TEST_CASE("metrics: accuracy, top-k and confusion of hand-made logits") {
  train::ClassificationCounts counts;
  // Three examples, three classes. Example 0: correct; 1: true class second; 2: true class last.
  const Tensor logits = from_vector(std::vector<float>{3.f, 1.f, 0.f, 2.f, 5.f, 1.f, 9.f, 8.f, 7.f}, {3, 3});
  const Tensor labels = from_vector(std::vector<int64_t>{0, 0, 2}, {3});
  counts.add(logits, labels, 0.5, 2, true);
  CHECK(counts.count == 3);
  CHECK(counts.correct == 1);
  CHECK(counts.topk_correct == 2);
  CHECK(counts.loss() == doctest::Approx(0.5));
  CHECK(counts.confusion == std::vector<int64_t>{1, 1, 0, 0, 0, 0, 1, 0, 0});
  test::check_error([&] { counts.add(logits, from_vector(std::vector<int64_t>{0, 3, 1}, {3}), 0, 1, true); },
                    {"label 3 out of range"});
}

TEST_CASE("the CIFAR-10 recipes run end to end on files in the CIFAR-10 binary format") {
  // CIFAR-10 cannot be downloaded here: write 5 small train batches and a test batch of random
  // images whose class is encoded in the red channel's mean, so there is something to learn.
  TempDir dir;
  Generator gen(11);
  auto batch = [&](int64_t count) {
    data::ImageData d;
    d.count = count;
    d.channels = 3;
    d.height = d.width = 32;
    for (int64_t i = 0; i < count; ++i) {
      const int64_t label = static_cast<int64_t>(gen.below(10));
      d.labels.push_back(label);
      for (int64_t p = 0; p < 3 * 1024; ++p) {
        const bool red = p < 1024;
        d.pixels.push_back(static_cast<uint8_t>(red ? 20 * label + gen.below(40) : gen.below(256)));
      }
    }
    return d;
  };
  for (int i = 1; i <= 5; ++i) data::write_cifar10_batch(dir.file("data_batch_" + std::to_string(i) + ".bin"), batch(40));
  data::write_cifar10_batch(dir.file("test_batch.bin"), batch(50));

  for (const char* model : {"alexnet_cifar", "mobilenet"}) {
    INFO(model);
    train::ExperimentConfig c;
    c.model = model;
    c.data = "cifar10";
    c.data_dir = dir.str();
    c.epochs = 2;
    c.batch = 32;
    c.lr = 0.01;
    c.momentum = 0.9;
    c.weight_decay = 5e-4;
    c.normalize = true;
    c.crop_padding = 4;
    c.flip = true;
    c.scheduler = "cosine";
    c.out = dir.file(std::string("run_") + model);
    const train::Experiment e = train::build_experiment(c);
    CHECK(e.title == std::string(model) + " on CIFAR-10");
    CHECK(e.train_data->num_examples() == 200);
    auto trainer = train::make_trainer(e, train::Progress::none);
    const auto& history = trainer->fit();
    REQUIRE(history.size() == 2);
    CHECK(std::isfinite(history[1].train_loss));
    CHECK(history[1].lr < history[0].lr);  // cosine schedule
    CHECK(trainer->last_evaluation().count == 50);
    // The report names the CIFAR classes and shows colour filters.
    const std::string html = slurp(fs::path(c.out) / "report/confusion.svg");
    CHECK(html.find("airplane") != std::string::npos);
    CHECK(fs::is_regular_file(fs::path(c.out) / "report/filters_after.png"));
  }
}
