// A full disk and an unwritable folder: saving gets an ember::Error naming the file and the
// system's reason, the previous checkpoint stays intact, nothing half-written is left behind, and
// the trainer's state is untouched, so training goes on and a later save to a good place resumes
// exactly.
//
// As root (CI, the README's commands) these are the real conditions: a 512 KiB tmpfs that fills up,
// and a tmpfs mounted read-only. Otherwise (root alone may mount) the same tests use a file-size
// limit (RLIMIT_FSIZE: writes fail with EFBIG, as on a full disk) and a folder without write
// permission.
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "../train/train_fixtures.h"

using namespace ember;
namespace fs = std::filesystem;
using test::TempDir;

namespace {

bool is_root() { return ::geteuid() == 0; }

// A folder of `bytes` that fills up (tmpfs, as root), or, for other users, a process-wide limit
// on file sizes that arm() sets and disarm() lifts.
class FullDisk {
 public:
  FullDisk(const fs::path& folder, size_t bytes) : folder_(folder) {
    fs::create_directories(folder);
    if (!is_root()) return;
    const std::string options = "size=" + std::to_string(bytes);
    mounted_ = ::mount("tmpfs", folder.c_str(), "tmpfs", 0, options.c_str()) == 0;
    REQUIRE_MESSAGE(mounted_, "mounting a tmpfs at " << folder << " failed: " << std::strerror(errno));
  }
  // Files may grow to at most 64 KiB from now on (a no-op on tmpfs, which is full by itself).
  void arm() {
    if (mounted_) return;
    ::signal(SIGXFSZ, SIG_IGN);  // write() then fails with EFBIG instead of killing the process
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved_) == 0);
    rlimit limit = saved_;
    limit.rlim_cur = 64 * 1024;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &limit) == 0);
    armed_ = true;
  }
  void disarm() {
    if (armed_) ::setrlimit(RLIMIT_FSIZE, &saved_);
    armed_ = false;
  }
  ~FullDisk() {
    disarm();
    if (mounted_) ::umount2(folder_.c_str(), MNT_DETACH);
  }
  FullDisk(const FullDisk&) = delete;
  FullDisk& operator=(const FullDisk&) = delete;

 private:
  fs::path folder_;
  bool mounted_ = false, armed_ = false;
  rlimit saved_{};
};

// A folder nobody can create files in.
class ReadOnlyFolder {
 public:
  explicit ReadOnlyFolder(const fs::path& folder) : folder_(folder) {
    fs::create_directories(folder);
    if (is_root()) {
      mounted_ = ::mount("tmpfs", folder.c_str(), "tmpfs", MS_RDONLY, "size=64k") == 0;
      REQUIRE_MESSAGE(mounted_, "mounting a read-only tmpfs at " << folder << " failed: " << std::strerror(errno));
    } else {
      fs::permissions(folder, fs::perms::owner_read | fs::perms::owner_exec);
    }
  }
  ~ReadOnlyFolder() {
    if (mounted_) {
      ::umount2(folder_.c_str(), MNT_DETACH);
    } else {
      std::error_code ignored;
      fs::permissions(folder_, fs::perms::owner_all, ignored);
    }
  }
  ReadOnlyFolder(const ReadOnlyFolder&) = delete;
  ReadOnlyFolder& operator=(const ReadOnlyFolder&) = delete;
  std::string reason() const { return mounted_ ? "Read-only file system" : "Permission denied"; }

 private:
  fs::path folder_;
  bool mounted_ = false;
};

struct Run {
  train::Experiment experiment;
  std::unique_ptr<train::Trainer> trainer;
};

// With an empty config.out the trainer writes no run directory (saves are only the test's own).
Run start(const train::ExperimentConfig& config) {
  Run run{train::build_experiment(config), nullptr};
  if (config.out.empty()) {
    const train::Experiment& e = run.experiment;
    run.trainer = std::make_unique<train::Trainer>(
        e.model, e.optimizer, e.train_data, e.test_data,
        train::TrainerOptions().epochs(config.epochs).progress(train::Progress::none));
  } else {
    run.trainer = train::make_trainer(run.experiment, train::Progress::none);
  }
  return run;
}

train::ExperimentConfig one_epoch(const std::string& out) {
  train::ExperimentConfig c = test::small_config(out);
  c.epochs = 1;
  c.train_limit = 200;
  c.test_limit = 100;
  return c;
}

}  // namespace

TEST_CASE("a full disk: a clear error, the previous checkpoint intact, training state untouched") {
  TempDir dir;
  const fs::path disk = dir.path / "disk";
  // LeNet-5's checkpoint with SGD momentum is ~0.5 MB: the first fits, a second beside it does not.
  FullDisk full(disk, 768 * 1024);
  const std::string checkpoint = (disk / "last.safetensors").string();
  train::ExperimentConfig config = one_epoch("");
  config.epochs = 2;
  Run run = start(config);
  run.trainer->run_epoch();
  run.trainer->save_checkpoint(checkpoint);
  const nn::StateDict saved = nn::load(checkpoint);
  run.trainer->run_epoch();
  const nn::StateDict before = run.trainer->checkpoint();

  full.arm();
  test::check_error([&] { run.trainer->save_checkpoint(checkpoint); },
                    {"last.safetensors.tmp.", is_root() ? "No space left on device" : "File too large"});
  full.disarm();
  // The old checkpoint is whole and unchanged; no partial temporary is left to fill the disk.
  const nn::StateDict after_failure = nn::load(checkpoint);
  REQUIRE(after_failure.keys() == saved.keys());
  for (const auto& [name, t] : saved) test::check_bitwise_equal(after_failure.at(name), t);
  CHECK(after_failure.metadata == saved.metadata);
  for (const auto& entry : fs::directory_iterator(disk)) CHECK(entry.path().filename() == "last.safetensors");
  // The trainer's state is what it was before the failed save.
  const nn::StateDict now = run.trainer->checkpoint();
  REQUIRE(now.keys() == before.keys());
  for (const auto& [name, t] : before) test::check_bitwise_equal(now.at(name), t);
  CHECK(now.metadata == before.metadata);
}

TEST_CASE("a full disk during training: fit() stops with the error, a save elsewhere resumes exactly") {
  TempDir dir;
  FullDisk full(dir.path / "disk", 256 * 1024);
  train::ExperimentConfig config = one_epoch((dir.path / "disk/run").string());
  config.epochs = 2;
  Run run = start(config);
  full.arm();
  test::check_error([&] { run.trainer->fit(); }, {"disk/run/"});
  CHECK(run.trainer->epoch() == 1);  // the epoch trained; writing its files failed
  full.disarm();

  // The in-memory state is sound: saved to a good folder, a fresh trainer continues from it and
  // ends where an uninterrupted run ends.
  const std::string good = (dir.path / "good.safetensors").string();
  run.trainer->save_checkpoint(good);
  train::ExperimentConfig elsewhere = config;
  elsewhere.out = (dir.path / "resumed").string();
  Run resumed = start(elsewhere);
  resumed.trainer->resume_from(good);
  resumed.trainer->fit();
  elsewhere.out = (dir.path / "straight").string();
  Run straight = start(elsewhere);
  straight.trainer->fit();
  test::check_same_weights(*resumed.experiment.model, *straight.experiment.model);
}

TEST_CASE("an unwritable folder: checkpoints, run directories and weights files get clear errors") {
  TempDir dir;
  const fs::path locked = dir.path / "locked";
  ReadOnlyFolder read_only(locked);
  if (!is_root() && ::access(locked.c_str(), W_OK) == 0) return;  // permissions are not enforced here

  Run run = start(one_epoch(""));
  run.trainer->run_epoch();
  const nn::StateDict before = run.trainer->checkpoint();
  test::check_error([&] { run.trainer->save_checkpoint((locked / "last.safetensors").string()); },
                    {"cannot create", "locked/last.safetensors.tmp.", read_only.reason()});
  test::check_error([&] { nn::save(*run.experiment.model, (locked / "weights.safetensors").string()); },
                    {"weights.safetensors", read_only.reason()});
  test::check_error([&] { write_file_atomically((locked / "notes.txt").string(), "x"); },
                    {"notes.txt", read_only.reason()});
  // A run directory inside it fails before any training, naming the folder.
  Run inside = start(one_epoch((locked / "run").string()));
  test::check_error([&] { inside.trainer->fit(); }, {"cannot create folder", "locked/run"});
  CHECK(inside.trainer->step() == 0);
  const nn::StateDict now = run.trainer->checkpoint();
  for (const auto& [name, t] : before) test::check_bitwise_equal(now.at(name), t);
}
