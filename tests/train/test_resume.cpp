// Stopping anywhere and resuming loses nothing: a run stopped after N steps (inside an epoch) and
// resumed from its checkpoint in a fresh trainer ends with the same bits as a run of N+M steps
// straight, with shuffling, dropout and augmentation on, for SGD and Adam; and the periodic
// step checkpoints (checkpoint_every) resume the same way. A damaged checkpoint, or one holding
// NaN, is refused naming the file and the tensor.
#include <filesystem>
#include <fstream>
#include <limits>

#include "train_fixtures.h"

using namespace ember;
namespace fs = std::filesystem;
using test::check_same_weights;
using test::TempDir;

namespace {

// Shuffled (experiments always shuffle the train set), dropout, random translations.
train::ExperimentConfig noisy_config(const std::string& optim) {
  train::ExperimentConfig c = test::small_config("");
  c.model = "mnist_cnn";
  c.conv_channels = {8};
  c.hidden = {32};
  c.dropout = 0.3f;
  c.translate = 1;
  c.train_limit = 300;  // 6 batches of 50 per epoch
  c.epochs = 3;
  c.optim = optim;
  if (optim == "adam") {
    c.lr = 1e-3;
    c.momentum = 0;
  }
  c.scheduler = "step";
  c.gamma = 0.5;
  return c;
}

struct Run {
  train::Experiment experiment;
  std::unique_ptr<train::Trainer> trainer;
};

Run start(train::ExperimentConfig config, const fs::path& out) {
  config.out = out.string();
  Run run{train::build_experiment(config), nullptr};
  run.trainer = train::make_trainer(run.experiment, train::Progress::none);
  return run;
}

void check_same_run(const Run& a, const Run& b) {
  check_same_weights(*a.experiment.model, *b.experiment.model);
  test::check_same_optimizer_state(*a.experiment.optimizer, *b.experiment.optimizer);
  CHECK(a.trainer->step() == b.trainer->step());
  REQUIRE(a.trainer->history().size() == b.trainer->history().size());
  for (size_t i = 0; i < a.trainer->history().size(); ++i) {
    CHECK(a.trainer->history()[i].train_loss == b.trainer->history()[i].train_loss);
    CHECK(a.trainer->history()[i].train_accuracy == b.trainer->history()[i].train_accuracy);
    CHECK(a.trainer->history()[i].test_accuracy == b.trainer->history()[i].test_accuracy);
  }
}

// Stops after `stop_at` steps via request_stop (as SIGINT does), resumes in a fresh trainer.
void check_stop_and_resume(const train::ExperimentConfig& config, int64_t stop_at) {
  TempDir dir;
  Run straight = start(config, dir.path / "straight");
  straight.trainer->fit();

  {
    Run first = start(config, dir.path / "split");
    train::Trainer& trainer = *first.trainer;
    trainer.on_batch_end([&](const train::BatchEnd&) {
      if (trainer.step() == stop_at) trainer.request_stop();
    });
    trainer.fit();
    CHECK(trainer.stopped());
    CHECK(trainer.step() == stop_at);
  }
  manual_seed(999);  // whatever happens in between must not matter
  Run resumed = start(config, dir.path / "split");
  resumed.trainer->resume_from((dir.path / "split/checkpoints/last.safetensors").string());
  CHECK(resumed.trainer->step() == stop_at);
  resumed.trainer->fit();
  CHECK(resumed.trainer->step() == straight.trainer->step());
  check_same_run(resumed, straight);
}

}  // namespace

TEST_CASE("stop inside an epoch and resume: bit-identical with SGD, dropout, shuffle and augmentation") {
  const train::ExperimentConfig c = noisy_config("sgd");
  SUBCASE("after 4 steps (epoch 1 of 3)") { check_stop_and_resume(c, 4); }
  SUBCASE("after 11 steps (epoch 2, its 5th batch)") { check_stop_and_resume(c, 11); }
  SUBCASE("after the first step") { check_stop_and_resume(c, 1); }
}

TEST_CASE("stop inside an epoch and resume: bit-identical with Adam") {
  const train::ExperimentConfig c = noisy_config("adam");
  check_stop_and_resume(c, 8);
}

TEST_CASE("stop at an epoch's end and resume: bit-identical") { check_stop_and_resume(noisy_config("sgd"), 6); }

TEST_CASE("checkpoint_every writes step checkpoints that resume exactly") {
  TempDir dir;
  train::ExperimentConfig c = noisy_config("adam");
  c.checkpoint_every = 4;
  Run straight = start(c, dir.path / "straight");
  // The step-8 checkpoint is in last.safetensors while step 9 runs; keep a copy of it.
  const fs::path last = dir.path / "straight/checkpoints/last.safetensors";
  const fs::path copy = dir.path / "step8.safetensors";
  straight.trainer->on_batch_end([&](const train::BatchEnd&) {
    if (straight.trainer->step() == 9) fs::copy_file(last, copy);
  });
  straight.trainer->fit();
  REQUIRE(fs::exists(copy));
  const nn::StateDict saved = nn::load(copy.string());
  CHECK(saved.metadata.at("step") == "8");
  CHECK(saved.metadata.at("epoch") == "1");
  CHECK(saved.metadata.at("batch") == "2");

  Run resumed = start(c, dir.path / "resumed");
  resumed.trainer->resume_from(copy.string());
  resumed.trainer->fit();
  check_same_run(resumed, straight);
}

TEST_CASE("a checkpoint's position and running metrics are checked on restore") {
  TempDir dir;
  train::ExperimentConfig c = noisy_config("sgd");
  Run run = start(c, dir.path / "run");
  nn::StateDict ck = run.trainer->checkpoint();
  ck.metadata["batch"] = "2";
  ck.metadata["epoch_counts"] = "100,7";
  test::check_error([&] { run.trainer->restore(ck); }, {"epoch_counts", "100,7", "count,correct"});
  ck.metadata["epoch_counts"] = "100,170,0,10,1.5";  // more correct than seen
  test::check_error([&] { run.trainer->restore(ck); }, {"epoch_counts"});
  ck.metadata["batch"] = "-1";
  test::check_error([&] { run.trainer->restore(ck); }, {"batch -1"});
  // A position past the epoch's end is refused when training continues.
  ck.metadata["batch"] = "99";
  ck.metadata["epoch_counts"] = "100,70,90,10,150.5";
  run.trainer->restore(ck);
  test::check_error([&] { run.trainer->fit(); }, {"batch 99", "6 batches"});
}

TEST_CASE("a checkpoint's counters must leave room to count on: at most 2^53") {
  // INT64_MAX (or anything near it) would overflow as training continues: at the next step, the
  // next batch's images, the epoch number in the stop message.
  TempDir dir;
  Run run = start(noisy_config("sgd"), dir.path / "run");
  const nn::StateDict good = run.trainer->checkpoint();
  for (const char* key : {"epoch", "batch", "step"}) {
    INFO(key);
    nn::StateDict ck = good;
    ck.metadata["batch"] = "2";
    ck.metadata["epoch_counts"] = "100,70,90,10,150.5";
    ck.metadata[key] = "9223372036854775807";
    test::check_error([&] { run.trainer->restore(ck); },
                      {"restore: epoch", "9223372036854775807", "must each be at most 2^53 = 9007199254740992"});
    ck.metadata[key] = "18446744073709551615";  // does not fit at all
    test::check_error([&] { run.trainer->restore(ck); }, {"'" + std::string(key) + "' is not an integer"});
  }
  nn::StateDict ck = good;
  ck.metadata["batch"] = "2";
  ck.metadata["epoch_counts"] = "9223372036854775807,0,0,10,0";
  test::check_error([&] { run.trainer->restore(ck); },
                    {"malformed epoch_counts '9223372036854775807,0,0,10,0'", "the count at most 2^53 = 9007199254740992"});
  ck.metadata["epoch_counts"] = "9007199254740992,0,0,10,0";
  ck.metadata["step"] = "9007199254740992";
  run.trainer->restore(ck);
  CHECK(run.trainer->step() == 9007199254740992);
}

TEST_CASE("a damaged checkpoint or one holding NaN is refused by resume and load_weights, naming file and tensor") {
  // #17: a flipped bit loaded silently; NaN weights surfaced later as a NaN loss blamed on the
  // learning rate. Both are caught when the file is read, in every path that reads it.
  TempDir dir;
  train::ExperimentConfig c = noisy_config("sgd");
  {
    Run run = start(c, dir.path / "run");
    run.trainer->on_batch_end([&](const train::BatchEnd&) {
      if (run.trainer->step() == 2) run.trainer->request_stop();
    });
    run.trainer->fit();
  }
  const fs::path good = dir.path / "run/checkpoints/last.safetensors";
  const nn::StateDict saved = nn::load(good.string());
  REQUIRE(saved.contains("optimizer.state.0.momentum_buffer"));
  const std::string first = saved.keys().front(), last = saved.keys().back();
  CHECK(first.rfind("model.", 0) == 0);
  Run fresh = start(c, dir.path / "fresh");

  // A flipped bit in the data of the file's last tensor.
  const std::string flipped = (dir.path / "flipped.safetensors").string();
  std::string bytes = read_file(good.string());
  bytes[bytes.size() - 2] = static_cast<char>(bytes[bytes.size() - 2] ^ 0x10);
  { std::ofstream(flipped, std::ios::binary) << bytes; }
  const std::vector<std::string> corrupt = {"load: " + flipped + ": tensor '" + last + "': checksum mismatch: stored crc32",
                                            "the file is corrupt"};
  test::check_error([&] { fresh.trainer->resume_from(flipped); }, corrupt);
  test::check_error([&] { train::load_weights(*fresh.experiment.model, flipped); }, corrupt);
  test::check_error([&] { (void)train::checkpoint_config(flipped); }, corrupt);

  // NaN in the model's weights, or in the optimizer's state, saved with valid checksums.
  for (const std::string& name : {first, std::string("optimizer.state.0.momentum_buffer")}) {
    INFO(name);
    nn::StateDict ck;
    for (const auto& [key, t] : saved) ck.insert(key, key == name ? t.clone() : t);
    ck.metadata = saved.metadata;
    ck.at(name).data<float>()[3] = std::numeric_limits<float>::quiet_NaN();
    const std::string path = (dir.path / "nan.safetensors").string();
    nn::save(ck, path);
    const std::vector<std::string> expect = {"load: " + path + ": tensor '" + name + "' holds NaN at element 3 of",
                                             "the file's weights are not usable"};
    test::check_error([&] { fresh.trainer->resume_from(path); }, expect);
    test::check_error([&] { train::load_weights(*fresh.experiment.model, path); }, expect);
  }
  // The undamaged file still resumes.
  fresh.trainer->resume_from(good.string());
  CHECK(fresh.trainer->step() == 2);
}

TEST_CASE("a run whose weights diverged never replaces its last good checkpoint") {
  // A NaN checkpoint would replace the last good point with a file load() refuses; the save is
  // refused instead, naming the tensor, and the file keeps its bytes.
  TempDir dir;
  Run run = start(noisy_config("sgd"), dir.path / "run");
  run.trainer->on_batch_end([&](const train::BatchEnd&) {
    if (run.trainer->step() == 2) run.trainer->request_stop();
  });
  run.trainer->fit();
  const std::string last = (dir.path / "run/checkpoints/last.safetensors").string();
  const std::string good = read_file(last);
  const auto [name, weight] = run.experiment.model->named_parameters().front();
  weight.data<float>()[1] = std::numeric_limits<float>::infinity();
  test::check_error([&] { run.trainer->save_checkpoint(last); },
                    {"Trainer: the weights are no longer finite", "tensor 'model." + name + "' holds inf at element 1",
                     "lr ", last + " is not replaced and keeps the last good point"});
  CHECK(read_file(last) == good);
}
