// ember train / ember resume, on one process or (--distributed, under mpirun) as one rank of a
// data-parallel job.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>

#include "commands.h"
#include "flags.h"
#include "shell_quote.h"
#include "ember/core/error.h"
#include "ember/core/file.h"
#include "ember/core/parallel.h"
#include "ember/core/profiler.h"
#include "ember/models/registry.h"
#include "ember/train/checkpoint.h"
#include "ember/train/experiment.h"
#if EMBER_HAVE_MPI
#include "ember/distributed/mpi_data_parallel.h"
#include "ember/distributed/mpi_session.h"
#endif

namespace ember::tool {

namespace {

// SIGINT/SIGTERM ask the running trainer to stop after its current step (it then writes a
// checkpoint); a second signal is not caught (SA_RESETHAND) and ends the process at once.
std::atomic<train::Trainer*> g_running_trainer{nullptr};
volatile std::sig_atomic_t g_stop_signal = 0;

void on_stop_signal(int signal) {
  g_stop_signal = signal;
  if (train::Trainer* trainer = g_running_trainer.load()) trainer->request_stop();
}

class StopSignalsGuard {
 public:
  explicit StopSignalsGuard(train::Trainer& trainer) {
    g_running_trainer.store(&trainer);
    struct sigaction action = {};
    action.sa_handler = on_stop_signal;
    action.sa_flags = SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~StopSignalsGuard() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    g_running_trainer.store(nullptr);
  }
  StopSignalsGuard(const StopSignalsGuard&) = delete;
  StopSignalsGuard& operator=(const StopSignalsGuard&) = delete;

 private:
  struct sigaction old_int_ = {}, old_term_ = {};
};

// --distributed and its tuning knobs, shared by train and resume.
struct DistributedFlags {
  bool enabled = false;
  int64_t bucket_kb = 1024;
  bool no_overlap = false;

  void add_to(CLI::App* cmd) {
    cmd->add_flag("--distributed", enabled,
                  "Data-parallel training over MPI: start with `mpirun -np N ember train --distributed ...`; each "
                  "rank trains on 1/N of every batch (--batch is the global batch, a multiple of N); rank 0 writes "
                  "the run. Alone, it runs as a world of one")
        ->group("Distributed");
    // At most 1 TiB: bucket_kb * 1024 stays far from overflow.
    add_integer(cmd, "--bucket-kb", bucket_kb, IntRange{1, int64_t{1} << 30}, "--distributed: gradient allreduce bucket size in KiB")
        ->default_str(std::to_string(bucket_kb))->group("Distributed");
    cmd->add_flag("--no-overlap", no_overlap,
                  "--distributed: start every allreduce after backward instead of during it (to measure the overlap)")
        ->group("Distributed");
  }
};

// What a command needs to run as one rank of an MPI job; all empty on a single process.
struct Distributed {
  // This process's DataParallel over the model (nullptr on a single process).
  // `threads` is the run's --threads (0: this rank's share of the machine's cores).
  std::function<std::shared_ptr<train::DataParallel>(const nn::Module&, int threads)> make;
  // Makes every rank's string rank 0's (does nothing on a single process).
  std::function<void(std::string&)> share = [](std::string&) {};
  int rank = 0;
  bool enabled() const { return static_cast<bool>(make); }
};

// `compute` run on rank 0 only and its result (or its ember::Error) handed to every rank: for what
// only rank 0 must be able to see, such as the run directory.
std::string on_rank0(const Distributed& d, const std::function<std::string()>& compute) {
  std::string result, error;
  if (d.rank == 0) {
    try {
      result = compute();
    } catch (const Error& e) {
      error = e.what();
    }
  }
  d.share(error);
  if (!error.empty()) fail("{}", error);
  d.share(result);
  return result;
}

// Runs `body` on one process, or with --distributed as one rank of an MPI job: the MPI session
// lives around it, rank 0 reports the allreduce figures at the end, and an error on a job of
// several ranks ends the whole job (MPI_Abort) rather than leave the others waiting in a
// collective for a rank that has left.
int with_distributed(const DistributedFlags& flags, const std::function<int(const Distributed&)>& body) {
  if (!flags.enabled) return body(Distributed{});
#if EMBER_HAVE_MPI
  distributed::MpiSession mpi;
  std::shared_ptr<distributed::MpiDataParallel> dp;
  Distributed d;
  d.rank = mpi.rank();
  d.make = [&](const nn::Module& model, int configured_threads) {
    const auto options =
        distributed::ReducerOptions().bucket_bytes(flags.bucket_kb * 1024).overlap(!flags.no_overlap);
    dp = std::make_shared<distributed::MpiDataParallel>(model, options);
    // Each rank gets its share of this machine's cores, unless --threads says otherwise.
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const int threads = configured_threads > 0 ? configured_threads : std::max(1, cores / mpi.local_size());
    set_num_threads(threads);
    if (mpi.rank() == 0) {
      fmt::print("distributed: {} rank{} ({} on this machine), {} thread{} each\n", mpi.world_size(),
                 mpi.world_size() == 1 ? "" : "s", mpi.local_size(), threads, threads == 1 ? "" : "s");
    }
    return dp;
  };
  d.share = [&](std::string& text) { mpi.broadcast(text); };
  try {
    const int status = body(d);
    if (dp && mpi.rank() == 0) {
      const distributed::ReducerStats& t = dp->reducer().total();
      if (t.steps > 0) {
        fmt::print("gradient allreduce: {} bucket{} per step, {:.0f}% started during backward; per step {:.2f} ms in "
                   "backward, {:.2f} ms after it waiting for the allreduce\n",
                   t.buckets / t.steps, t.buckets / t.steps == 1 ? "" : "s",
                   t.buckets ? 100.0 * static_cast<double>(t.launched_during_backward) / static_cast<double>(t.buckets) : 0.0,
                   1e3 * t.backward_seconds / static_cast<double>(t.steps),
                   1e3 * t.wait_seconds / static_cast<double>(t.steps));
      }
    }
    return status;
  } catch (const std::exception& e) {
    if (mpi.world_size() == 1) throw;
    fmt::print(stderr, "ember: error (rank {} of {}): {}\n", mpi.rank(), mpi.world_size(), e.what());
    std::fflush(stderr);
    mpi.abort(1);
  }
#else
  (void)body;
  fail("--distributed: this ember was built without MPI (install libopenmpi-dev and openmpi-bin, e.g. with "
       "scripts/setup.sh, and configure with -DEMBER_MPI=ON)");
#endif
}

// Makes the trainer one rank of the job and gives it its share of the cores.
void join(const Distributed& d, const train::Experiment& experiment, train::Trainer& trainer) {
  if (!d.enabled()) return;
  trainer.set_data_parallel(d.make(*experiment.model, experiment.config.threads));
}

// Trains to the configured epoch count and prints where everything went (rank 0 only when `speak`
// is false on the others). With `profile`, ember's op profiler records the whole run and its
// table is printed at the end.
int run_training(const train::Experiment& experiment, train::Trainer& trainer, bool resumed, bool profile = false) {
  const auto& c = experiment.config;
  const std::string out = c.resolved_out();
  if (!trainer.is_writer()) {  // data-parallel ranks other than 0: train in silence
    StopSignalsGuard signals(trainer);
    trainer.fit();
    return trainer.stopped() ? 128 + static_cast<int>(g_stop_signal) : 0;
  }
  fmt::print("{}{}: {} train / {} test images, {} parameters, {} -> {}\n", resumed ? "resuming " : "",
             experiment.title, experiment.train_data->num_examples(), experiment.test_data->num_examples(),
             models::parameter_count(*experiment.model), c.optim, out);
  if (resumed && trainer.epoch() < c.epochs) {
    if (trainer.batch() > 0) {
      fmt::print("continuing epoch {} of {} after batch {}\n", trainer.epoch() + 1, c.epochs, trainer.batch());
    } else {
      fmt::print("continuing after epoch {} of {}\n", trainer.epoch(), c.epochs);
    }
  }
  const int64_t start = trainer.epoch(), start_step = trainer.step();
  std::optional<Profiler> profiler;
  if (profile) profiler.emplace();
  {
    StopSignalsGuard signals(trainer);
    trainer.fit();
  }
  if (profiler) fmt::print("\nop profile (training and evaluation, all epochs):\n{}\n", profiler->table());
  if (trainer.stopped()) {
    fmt::print("stopped by signal {} at epoch {} batch {} (step {}); the checkpoint {}/checkpoints/last.safetensors "
               "holds this point: continue with `ember resume {}`\n",
               static_cast<int>(g_stop_signal), trainer.epoch() + (trainer.batch() > 0 ? 1 : 0), trainer.batch(),
               trainer.step(), out, shell_quote(out));
    return 128 + static_cast<int>(g_stop_signal);
  }
  if (trainer.epoch() == start && trainer.step() == start_step) {
    fmt::print("nothing to do: the run already has {} epochs (pass --epochs to train longer)\n", c.epochs);
    return 0;
  }
  const train::EpochRecord& last = trainer.history().back();
  double total_seconds = 0;
  for (const auto& r : trainer.history()) total_seconds += r.seconds;
  // Short enough for an 80-column terminal.
  fmt::print("test accuracy {:.2f}% after {} epoch{} ({:.1f} s training, {:.0f} img/s last epoch)\n",
             100 * last.test_accuracy, last.epoch, last.epoch == 1 ? "" : "s", total_seconds, last.images_per_second);
  fmt::print("report: {}/report/index.html\ncheckpoints: {}/checkpoints/{{last,best}}.safetensors\n", out, out);
  return 0;
}

}  // namespace

Command add_train(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "Train a zoo model on a dataset; writes a run directory with metrics, "
                                          "checkpoints and an HTML report");
  auto config = std::make_shared<train::ExperimentConfig>();
  auto dropout = std::make_shared<float>(0.5f);
  auto weight_decay = std::make_shared<double>(0.0);
  auto width = std::make_shared<double>(1.0);
  auto progress = std::make_shared<std::string>("auto");
  auto overwrite = std::make_shared<bool>(false);
  auto profile = std::make_shared<bool>(false);
  auto dist = std::make_shared<DistributedFlags>();
  auto& c = *config;

  cmd->add_option("--model", c.model, "Model from the zoo (see `ember models`)")
      ->transform(one_of(models::model_name_list(/*classifiers_only=*/true)))->required()->group("Model");
  auto* dropout_opt = add_real(cmd, "--dropout", *dropout, train::limits::dropout,
                               "Dropout probability (alexnet, alexnet_cifar, nin, mnist_cnn)")->group("Model");
  cmd->add_option("--activation", c.activation, "relu, tanh or sigmoid (lenet5, lenet5_classic, dilated, mnist_cnn)")
      ->transform(one_of(train::choices::activations))->group("Model");
  add_integers(cmd, "--conv-channels", c.conv_channels, train::limits::width, "mnist_cnn: channels per conv stage, e.g. 20,40")
      ->group("Model");
  add_integers(cmd, "--hidden", c.hidden, train::limits::width, "mnist_cnn: fully connected widths, e.g. 1000,1000")
      ->group("Model");
  cmd->add_flag("--normal-init", c.normal_init, "simplecnn: the classic N(0, 0.01^2) initialization")->group("Model");
  cmd->add_option("--init", c.init,
                  "Initialization of every conv and linear layer: pytorch (each layer's default), xavier or "
                  "glorot_uniform (Keras's default: Glorot uniform, zero bias), kaiming (He normal, zero bias), "
                  "normal:STD (N(0, STD^2), zero bias)")
      ->capture_default_str()->group("Model");
  auto* width_opt = add_real(cmd, "--width", *width, train::limits::width_multiplier,
                             "mobilenet: width multiplier; resnet: base width")->group("Model");
  cmd->add_option("--init-weights", c.init_weights,
                  "Start from these weights instead of a fresh initialization (fine-tuning): an ember checkpoint "
                  "or a weights file, e.g. PyTorch's saved by tools/ember_torch.py; keys and shapes must match --model")
      ->check(CLI::ExistingFile)->group("Model");

  cmd->add_option("--data", c.data, "mnist, fashion-mnist or cifar10")
      ->transform(one_of(train::choices::datasets))->required()->group("Data");
  cmd->add_option("--data-dir", c.data_dir, "Folder with the dataset's files (default data/<data>)")->group("Data");
  add_integer(cmd, "--train-limit", c.train_limit, train::limits::count, "Use only the first N training images (0: all)")
      ->group("Data");
  add_integer(cmd, "--test-limit", c.test_limit, train::limits::count, "Use only the first N test images (0: all)")
      ->group("Data");
  add_integer(cmd, "--pad", c.pad, train::limits::padding,
              "Zero-pad every image (training and test) by N pixels on each side: MNIST's 28x28 to lenet5_classic's "
              "32x32 is --pad 2")
      ->group("Data");
  add_integer(cmd, "--translate", c.translate, train::limits::pixels,
              "Augment: random shifts by up to N pixels, less than the images' size (MNIST expansion: 1)")
      ->group("Data");
  add_integer(cmd, "--crop-padding", c.crop_padding, train::limits::pixels,
              "Augment: random crops after zero-padding by N, less than the images' size (CIFAR: 4)")
      ->group("Data");
  cmd->add_flag("--flip", c.flip, "Augment: random horizontal flips")->group("Data");
  cmd->add_flag("--normalize", c.normalize, "Subtract the dataset's mean and divide by its std (default: only scale to [0,1])")
      ->group("Data");

  add_integer(cmd, "--epochs", c.epochs, train::limits::epochs, "Epochs to train")
      ->default_str(std::to_string(c.epochs))->group("Training");
  add_integer(cmd, "--batch", c.batch, train::limits::batch, "Training batch size (larger than the data: all of it)")
      ->default_str(std::to_string(c.batch))->group("Training");
  add_integer(cmd, "--test-batch", c.test_batch, train::limits::batch, "Evaluation batch size")
      ->default_str(std::to_string(c.test_batch))->group("Training");
  cmd->add_option("--optim", c.optim, "sgd, adam, adamw, rmsprop or adagrad")
      ->transform(one_of(train::choices::optimizers))->capture_default_str()->group("Training");
  add_real(cmd, "--lr", c.lr, train::limits::lr, "Learning rate")->default_str(fmt::format("{}", c.lr))->group("Training");
  add_real(cmd, "--momentum", c.momentum, train::limits::momentum, "Momentum (sgd, rmsprop)")
      ->default_str(fmt::format("{}", c.momentum))->group("Training");
  cmd->add_flag("--nesterov", c.nesterov, "Nesterov momentum (sgd)")->group("Training");
  auto* wd_opt = add_real(cmd, "--weight-decay", *weight_decay, train::limits::weight_decay,
                          "L2 weight decay (default 0; adamw 0.01)")->group("Training");
  cmd->add_option("--scheduler", c.scheduler, "LR schedule per epoch: none, step, multistep, exponential, cosine, plateau")
      ->transform(one_of(train::choices::schedulers))->capture_default_str()->group("Training");
  add_integer(cmd, "--step-size", c.step_size, train::limits::batch, "step: epochs between decays")->group("Training");
  add_real(cmd, "--gamma", c.gamma, train::limits::gamma, "step/multistep/exponential/plateau: decay factor")
      ->group("Training");
  // Any integers here: validate() says what the list must be ("increasing epochs, each at least 1").
  add_integers(cmd, "--milestones", c.milestones, IntRange{},
               "multistep: epochs at which to decay, increasing, e.g. 10,20")->group("Training");
  add_integer(cmd, "--warmup", c.warmup, train::limits::count, "Linear warm-up over N epochs (with any scheduler but plateau)")
      ->group("Training");
  add_integer(cmd, "--patience", c.patience, train::limits::count, "plateau: epochs without improvement before decaying")
      ->group("Training");
  add_real(cmd, "--clip-grad-norm", c.clip_grad_norm, train::limits::weight_decay, "Clip the gradients' global L2 norm (0: off)")
      ->group("Training");

  add_integer(cmd, "--seed", c.seed, train::limits::seed, "Seed of initialization, shuffling, augmentation and dropout")
      ->default_str(std::to_string(c.seed))->group("Run");
  add_integer(cmd, "--threads", c.threads, train::limits::threads, "Threads (0: all cores)")->group("Run");
  cmd->add_option("--out", c.out, "Run directory (default runs/<model>-<data>)")->group("Run");
  add_integer(cmd, "--topk", c.topk, train::limits::batch, "k of the top-k accuracy")
      ->default_str(std::to_string(c.topk))->group("Run");
  cmd->add_option("--progress", *progress, "auto (bar on a terminal, lines otherwise), bar, lines or none")
      ->transform(one_of(train::kProgressNames))->group("Run");
  add_integer(cmd, "--checkpoint-every", c.checkpoint_every, train::limits::count,
              "Also write checkpoints/last.safetensors every N steps (0: at epoch ends only); "
              "SIGINT/SIGTERM always checkpoint before stopping")
      ->group("Run");
  cmd->add_flag("--tensorboard", c.tensorboard,
                "Also write TensorBoard event files to <out>/tb/ (per step and per epoch; `tensorboard --logdir runs/`); "
                "`ember resume` keeps them going")
      ->group("Run");
  cmd->add_flag("--overwrite", *overwrite, "Replace the run already in --out (otherwise that is an error)")->group("Run");
  cmd->add_flag("--profile", *profile, "Print ember's op profile (time and calls per op, forward and backward) at the end")
      ->group("Run");
  dist->add_to(cmd);

  return [=]() {
    return with_distributed(*dist, [&](const Distributed& d) {
      train::ExperimentConfig config_copy = *config;
      if (dropout_opt->count()) config_copy.dropout = *dropout;
      if (wd_opt->count()) config_copy.weight_decay = *weight_decay;
      if (width_opt->count()) config_copy.width = *width;
      config_copy.validate(train::FieldNames::flags);  // before the run folder is claimed
      on_rank0(d, [&] {
        // A folder another run holds is refused first, naming that run's process (fit() claims it).
        check_folder_free(config_copy.resolved_out(), "run");
        const std::string existing = config_copy.resolved_out() + "/checkpoints/last.safetensors";
        EMBER_CHECK(*overwrite || !file_exists(existing),
                    "{} already holds a run; continue it with `ember resume {}`, or pass --overwrite to replace it, "
                    "or choose another --out",
                    config_copy.resolved_out(), shell_quote(config_copy.resolved_out()));
        return std::string();
      });
      const train::Experiment experiment = train::build_experiment(config_copy, train::FieldNames::flags);
      auto trainer = train::make_trainer(experiment, train::parse_progress(*progress));
      trainer->options().command_line(command_line());
      join(d, experiment, *trainer);
      return run_training(experiment, *trainer, false, *profile);
    });
  };
}

namespace {

// A resume into a run directory whose last checkpoint is a later point of training than the one
// resumed from would replace it with an earlier one: refused unless --overwrite.
void check_not_going_back(const std::string& checkpoint, const std::string& last, bool overwrite) {
  std::error_code error;
  if (overwrite || !file_exists(last) || std::filesystem::equivalent(checkpoint, last, error)) return;
  const int64_t from = train::checkpoint_step(checkpoint), there = train::checkpoint_step(last);
  EMBER_CHECK(there <= from,
              "resume: {} holds a later checkpoint (step {}) than {} (step {}); pass --overwrite to replace it "
              "with this earlier point, or --out another folder",
              last, there, checkpoint, from);
}

// resume continues with the checkpoint's config and the run rewrites config.json from it. A
// config.json edited since (to change the run, or broken by accident) is not silently replaced:
// it is kept as config.json.edited, and the user is told which config is used and why.
void keep_edited_config(const std::string& run_dir, const std::string& checkpoint, const std::string& config_json) {
  const std::string path = run_dir + "/config.json";
  if (!file_exists(path)) return;
  const std::string text = read_file(path, uint64_t{1} << 20);
  const nlohmann::json on_disk = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!on_disk.is_discarded() && on_disk == nlohmann::json::parse(config_json)) return;
  write_file_atomically(path + ".edited", text);
  fmt::print(stderr,
             "note: {} {} the config recorded in {}; resume continues with the checkpoint's config and writes it "
             "to config.json (your version is kept in config.json.edited). To train longer pass --epochs; to "
             "change anything else, start a new run (ember train --init-weights {} ...)\n",
             path, on_disk.is_discarded() ? "is not valid JSON, unlike" : "differs from", checkpoint,
             shell_quote(checkpoint));
}

}  // namespace

Command add_resume(CLI::App& app) {
  auto* cmd = app.add_subcommand("resume", "Continue a run from its last checkpoint, exactly where it stopped");
  auto run = std::make_shared<std::string>();
  auto epochs = std::make_shared<int64_t>(0);
  auto progress = std::make_shared<std::string>("auto");
  auto out = std::make_shared<std::string>();
  auto overwrite = std::make_shared<bool>(false);
  auto dist = std::make_shared<DistributedFlags>();
  cmd->add_option("run", *run, "The run directory (or a checkpoint file)")->required();
  cmd->add_option("--out", *out,
                  "Run directory to continue in (default: the run the checkpoint is in; required for a "
                  "checkpoint file outside a run's checkpoints/ folder)");
  cmd->add_flag("--overwrite", *overwrite,
                "Continue even where that run directory holds a later checkpoint, which is replaced");
  add_integer(cmd, "--epochs", *epochs, train::limits::epochs, "Train up to this many epochs in total (default: the run's own)");
  cmd->add_option("--progress", *progress, "auto, bar, lines or none")->transform(one_of(train::kProgressNames));
  dist->add_to(cmd);
  return [=]() {
    return with_distributed(*dist, [&](const Distributed& d) {
      std::string checkpoint = *run;
      if (std::filesystem::is_directory(*run)) checkpoint = *run + "/checkpoints/last.safetensors";
      // Only rank 0 needs the run directory: it reads the config here and the checkpoint in
      // resume_from, and hands both to the other ranks.
      const std::string config_json = on_rank0(d, [&] {
        EMBER_CHECK(file_exists(checkpoint), "resume: {} has no checkpoint ({} is missing); is it a run directory?",
                    *run, checkpoint);
        return train::checkpoint_config(checkpoint);
      });
      train::ExperimentConfig config = train::ExperimentConfig::from_json(config_json);
      if (*epochs > 0) config.epochs = *epochs;
      // Keep writing into the run directory the checkpoint lives in, wherever it was moved; a
      // checkpoint copied anywhere else never writes into the run recorded inside it.
      const std::string recorded = config.resolved_out();
      const std::filesystem::path folder = std::filesystem::path(checkpoint).parent_path();
      if (!out->empty()) {
        config.out = *out;
      } else {
        EMBER_CHECK(folder.filename() == "checkpoints",
                    "resume: {} is not in a run's checkpoints/ folder; pass --out DIR for the run to continue "
                    "in (the run it came from, {}, is not touched)",
                    checkpoint, recorded);
        config.out = folder.parent_path().string();
      }
      on_rank0(d, [&] {
        check_folder_free(config.resolved_out(), "run");
        check_not_going_back(checkpoint, config.resolved_out() + "/checkpoints/last.safetensors", *overwrite);
        keep_edited_config(config.resolved_out(), checkpoint, config_json);
        return std::string();
      });
      // The checkpoint holds the weights, so the file training started from is not read again (it
      // may be gone by now); the config keeps its name as a record.
      train::ExperimentConfig without_init = config;
      without_init.init_weights.clear();
      train::Experiment experiment = train::build_experiment(without_init);
      experiment.config.init_weights = config.init_weights;
      auto trainer = train::make_trainer(experiment, train::parse_progress(*progress));
      trainer->options().command_line(command_line());
      join(d, experiment, *trainer);
      trainer->resume_from(checkpoint);
      return run_training(experiment, *trainer, true);
    });
  };
}

namespace {
std::string g_command_line;  // set once by main() before any command runs
}  // namespace

void set_command_line(int argc, const char* const* argv) { g_command_line = shell_join(argc, argv); }
const std::string& command_line() { return g_command_line; }

}  // namespace ember::tool
