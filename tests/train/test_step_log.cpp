// steps.csv: one row per optimizer step with exactly BatchEnd's values, synced at every
// checkpoint, and cut back to the checkpoint's step on resume, so a stopped and resumed run's rows
// equal an uninterrupted run's (but for the timing columns).
#include <filesystem>
#include <sstream>

#include "ember/train/step_log.h"
#include "train_fixtures.h"

using namespace ember;
namespace fs = std::filesystem;
using test::TempDir;

namespace {

struct Run {
  train::Experiment experiment;
  std::unique_ptr<train::Trainer> trainer;
};

// small_config on 300 images (6 batches of 50 an epoch), 3 epochs, the lr halved every epoch.
Run start(const fs::path& out, int64_t checkpoint_every = 0) {
  train::ExperimentConfig c = test::small_config(out.string());
  c.train_limit = 300;
  c.epochs = 3;
  c.scheduler = "step";
  c.gamma = 0.5;
  c.checkpoint_every = checkpoint_every;
  Run run{train::build_experiment(c), nullptr};
  run.trainer = train::make_trainer(run.experiment, train::Progress::none);
  return run;
}

void check_same_but_timing(const std::vector<train::StepRow>& a, const std::vector<train::StepRow>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    INFO("row " << i);
    CHECK(a[i].step == b[i].step);
    CHECK(a[i].epoch == b[i].epoch);
    CHECK(a[i].loss == b[i].loss);
    CHECK(a[i].accuracy == b[i].accuracy);
    CHECK(a[i].lr == b[i].lr);
  }
}

// Every line after the header has 7 fields and ends with a newline: the file is whole CSV.
void check_whole_csv(const std::string& path) {
  const std::string text = read_file(path);
  REQUIRE(!text.empty());
  CHECK(text.back() == '\n');
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  CHECK(line == "step,epoch,loss,accuracy,lr,images_per_second,seconds");
  while (std::getline(in, line)) CHECK(std::count(line.begin(), line.end(), ',') == 6);
}

}  // namespace

TEST_CASE("steps.csv holds one row per step, with exactly the values BatchEnd gave") {
  TempDir dir;
  Run run = start(dir.path / "run");
  std::vector<train::BatchEnd> ends;
  run.trainer->on_batch_end([&](const train::BatchEnd& end) { ends.push_back(end); });
  run.trainer->fit();
  const std::string path = (dir.path / "run/steps.csv").string();
  check_whole_csv(path);
  const std::vector<train::StepRow> rows = train::read_steps_csv(path);
  REQUIRE(rows.size() == 18);
  REQUIRE(ends.size() == rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    INFO("step " << i + 1);
    CHECK(rows[i].step == static_cast<int64_t>(i) + 1);
    CHECK(rows[i].step == ends[i].step);
    CHECK(rows[i].epoch == ends[i].epoch);
    CHECK(rows[i].loss == ends[i].loss);  // shortest round-trip text: the same double back
    CHECK(rows[i].accuracy == ends[i].accuracy);
    CHECK(rows[i].lr == ends[i].lr);
    CHECK(rows[i].images_per_second == ends[i].images_per_second);
    CHECK(rows[i].seconds == ends[i].seconds);
  }
  CHECK(rows[0].lr == 0.05);  // the scheduler's halving shows per epoch
  CHECK(rows[6].lr == 0.025);
  CHECK(rows[17].lr == 0.0125);
  CHECK(rows[17].epoch == 3);
}

TEST_CASE("steps.csv is whole after every checkpoint, mid-epoch included, and holds its step") {
  TempDir dir;
  Run run = start(dir.path / "run", 4);
  const std::string path = (dir.path / "run/steps.csv").string();
  int checked = 0;
  run.trainer->on_batch_end([&](const train::BatchEnd& end) {
    // The step checkpoints at 4, 8, 16 (12 is an epoch's end) were synced before this step ran.
    if (end.step != 5 && end.step != 9 && end.step != 17) return;
    check_whole_csv(path);
    const auto rows = train::read_steps_csv(path);
    REQUIRE(rows.size() >= static_cast<size_t>(end.step - 1));
    for (size_t i = 0; i < rows.size(); ++i) CHECK(rows[i].step == static_cast<int64_t>(i) + 1);
    ++checked;
  });
  run.trainer->fit();
  CHECK(checked == 3);
}

TEST_CASE("a run stopped and resumed has the same steps.csv rows as an uninterrupted one") {
  TempDir dir;
  Run straight = start(dir.path / "straight", 5);
  straight.trainer->fit();
  const auto expected = train::read_steps_csv((dir.path / "straight/steps.csv").string());
  REQUIRE(expected.size() == 18);

  // The split run checkpoints at step 10 (mid epoch 2), keeps a copy, trains on to step 13 and is
  // stopped there; resuming from the step-10 copy must drop rows 11-13 and train them again.
  const fs::path copy = dir.path / "step10.safetensors";
  {
    Run first = start(dir.path / "split", 5);
    train::Trainer& trainer = *first.trainer;
    trainer.on_batch_end([&](const train::BatchEnd& end) {
      if (end.step == 11) fs::copy_file(dir.path / "split/checkpoints/last.safetensors", copy);
      if (end.step == 13) trainer.request_stop();
    });
    trainer.fit();
    REQUIRE(trainer.step() == 13);
    CHECK(train::read_steps_csv((dir.path / "split/steps.csv").string()).size() == 13);
  }
  Run resumed = start(dir.path / "split", 5);
  resumed.trainer->resume_from(copy.string());
  REQUIRE(resumed.trainer->step() == 10);
  resumed.trainer->fit();
  check_whole_csv((dir.path / "split/steps.csv").string());
  check_same_but_timing(train::read_steps_csv((dir.path / "split/steps.csv").string()), expected);
}

TEST_CASE("StepLog: opening at a step keeps the rows up to it and drops later and torn ones") {
  TempDir dir;
  const std::string header = "step,epoch,loss,accuracy,lr,images_per_second,seconds\n";
  const std::string path = dir.write("steps.csv", header + "1,1,2.5,0.1,0.01,100,0.5\n2,1,2.25,,0.01,200,1\n"
                                                           "3,1,2,0.3,0.01,300,1.5\n4,1,1.9,0.3");
  const auto all = train::read_steps_csv(path);
  REQUIRE(all.size() == 3);  // the torn line (no newline) is not a row
  CHECK(std::isnan(all[1].accuracy));  // an empty field is NaN
  CHECK(all[2].seconds == 1.5);
  { train::StepLog log(path, 2); }
  CHECK(read_file(path) == header + "1,1,2.5,0.1,0.01,100,0.5\n2,1,2.25,,0.01,200,1\n");
  { train::StepLog log(path, 0); }
  CHECK(read_file(path) == header);
  { train::StepLog log(dir.file("new.csv"), 7); }  // no file yet: the header alone
  CHECK(read_file(dir.file("new.csv")) == header);

  const std::string other = dir.write("other.csv", "a,b\n1,2\n");
  CHECK_THROWS_WITH(train::read_steps_csv(other),
                    doctest::Contains("other.csv: the header is 'a,b', expected 'step,epoch,loss"));
}
