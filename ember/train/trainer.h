#pragma once
// Trainer: the classification training loop, from epoch to epoch, with evaluation, metrics,
// progress, callbacks, a learning-rate scheduler, checkpoints and a run directory.
//
//   train::Trainer trainer(model, optimizer, train_loader, test_loader,
//                          train::TrainerOptions().epochs(3).run_dir("runs/lenet5"));
//   trainer.fit();  // prints progress; writes runs/lenet5/{metrics.csv, checkpoints/, report/...}
//
// One epoch: every batch of the train loader (epoch number = the loader's epoch, so the order is
// the seeded one), cross-entropy loss, backward, optional gradient clipping, optimizer step; then
// the test set is evaluated (loss, accuracy, top-k, confusion), the scheduler steps (a
// ReduceLROnPlateau on the test loss, or the train loss without a test set), callbacks run, and
// with a run directory the metrics, checkpoints and report are written.
//
// Run directory:
//   config.json                 the exact config given in TrainerOptions::config_json, or without one
//                               the config the Trainer derives from what it was given (config_json())
//   metrics.csv, metrics.jsonl  one row per epoch
//   steps.csv                   one row per optimizer step, BatchEnd's values (step_log.h); resume
//                               drops the rows after the checkpoint's step and continues it
//   checkpoints/last.safetensors   after every epoch (checkpoint.h), and every checkpoint_every steps;
//                               best.safetensors: best test accuracy
//   report/                     index.html, accuracy.svg, loss.svg, step_loss.svg, lr.svg, confusion.svg,
//                               filters_before.png / filters_after.png (first conv layer); the page's
//                               title is TrainerOptions::title or "<model type> training run", its
//                               model summary TrainerOptions::summary_text or nn::summary of the model
//                               on one image of the training set's shape; its header names the
//                               version, commit, CPU, threads, date and TrainerOptions::command_line,
//                               and the first misclassified test images are shown (report.h)
//   tb/                         with TrainerOptions::tensorboard: TensorBoard event files (tensorboard.h),
//                               one per Trainer (a resumed run adds one); scalars per step (train/loss,
//                               train/accuracy, lr, train/images_per_second) and per epoch at its last step
//                               (epoch, epoch/train_loss, epoch/test_accuracy, epoch/test_top5_accuracy, ...)
//
// Resume: restore(checkpoint) (or resume_from(path)) puts model, optimizer, scheduler, the default
// generator (dropout), the epoch count, and for a checkpoint taken inside an epoch the batches done
// and the epoch's running loss/accuracy back; since the loaders' batches depend only on
// (seed, epoch, batch), the rest of the run is bit-identical to an uninterrupted one.
//
// Stopping: request_stop() (async-signal-safe: `ember train` calls it on SIGINT/SIGTERM) ends the
// run after the step in progress; with a run directory a checkpoint of that point is written
// first, so a preempted or interrupted run loses nothing.
//
// Data-parallel training: set_data_parallel(dp) makes this trainer one of several processes that
// each train on their slice of every global batch, with averaged gradients, shared metrics and a
// run directory written by rank 0 only (data_parallel.h says exactly how; ember/distributed/
// implements it over MPI; docs/DISTRIBUTED.md).
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ember/core/file.h"
#include "ember/core/options.h"
#include "ember/data/dataloader.h"
#include "ember/nn/module.h"
#include "ember/optim/optimizer.h"
#include "ember/optim/scheduler.h"
#include "ember/train/data_parallel.h"
#include "ember/train/metrics.h"
#include "ember/train/progress.h"
#include "ember/train/report.h"
#include "ember/train/tensorboard.h"
#include "ember/train/step_log.h"

namespace ember::train {

struct TrainerOptions {
  EMBER_ARG(int64_t, epochs, 1);
  EMBER_ARG(int64_t, topk, 5);
  EMBER_ARG(double, clip_grad_norm, 0.0);        // 0: no clipping
  EMBER_ARG(int64_t, max_batches_per_epoch, 0);  // 0: all (a cap is for smoke tests and benchmarks)
  EMBER_ARG(int64_t, checkpoint_every, 0);       // also checkpoint every N steps (0: at epoch ends only)
  EMBER_ARG(std::string, run_dir, "");           // empty: write nothing
  EMBER_ARG(std::string, title, "");             // the report's title; empty: "<model type> training run"
  EMBER_ARG(std::string, config_json, "");       // config.json; empty: derived (Trainer::config_json())
  EMBER_ARG(std::string, summary_text, "");      // the report's model summary; empty: nn::summary's
  EMBER_ARG(std::string, command_line, "");      // the report's "command": how the run was started
  EMBER_ARG(std::string, default_config_json, "");  // the report lists the config keys that differ from it
  EMBER_ARG(Progress, progress, Progress::automatic);
  EMBER_ARG(bool, report, true);
  EMBER_ARG(bool, tensorboard, false);           // with a run_dir: TensorBoard event files in RUN/tb/
};

// What a training step leaves, for callbacks (on_batch_end): per-step logs and curves.
struct BatchEnd {
  int64_t epoch = 0;        // 1-based
  int64_t batch = 0;        // 1-based within the epoch
  int64_t num_batches = 0;
  int64_t step = 0;         // optimizer steps since the run began (1-based; a resumed run continues)
  double loss = 0;          // this batch's mean loss
  double accuracy = 0;      // this batch's accuracy, in [0, 1]
  double lr = 0;            // the learning rate this step used (the first parameter group's)
  double running_loss = 0, running_accuracy = 0;  // the epoch so far
  double images_per_second = 0;  // the epoch so far
  double seconds = 0;       // since this process's fit() began
};

class Trainer {
 public:
  Trainer(std::shared_ptr<nn::Module> model, std::shared_ptr<optim::Optimizer> optimizer,
          std::shared_ptr<data::DataLoader> train_data, std::shared_ptr<data::DataLoader> test_data,
          TrainerOptions options = {});

  void set_scheduler(std::shared_ptr<optim::LRScheduler> scheduler);         // stepped once per epoch
  void set_scheduler(std::shared_ptr<optim::ReduceLROnPlateau> scheduler);   // stepped on the loss
  void on_batch_end(std::function<void(const BatchEnd&)> callback);
  void on_epoch_end(std::function<void(const EpochRecord&)> callback);
  // Trains as rank dp->rank() of dp->world_size() processes (data_parallel.h). Every rank must
  // build the same model, optimizer, loaders and options and call the same methods in the same
  // order (fit, restore, resume_from are collective). Ranks other than 0 print and write nothing.
  void set_data_parallel(std::shared_ptr<DataParallel> dp);
  // Whether this process writes the run directory and prints: true unless a rank other than 0.
  bool is_writer() const { return !data_parallel_ || data_parallel_->rank() == 0; }

  // Trains until options().epochs() epochs are complete (none if already there) or a stop is
  // requested.
  const std::vector<EpochRecord>& fit();
  // One epoch of training (the rest of it, after a mid-epoch restore), evaluation, scheduling and
  // writing. If a stop is requested it returns after the current step with the partial epoch's
  // train metrics (no evaluation, nothing added to the history).
  EpochRecord run_epoch();

  // Ends fit()/run_epoch() after the current step. Only sets an atomic flag: safe from a signal handler.
  void request_stop() { stop_requested_.store(true, std::memory_order_relaxed); }
  bool stopped() const { return stop_requested_.load(std::memory_order_relaxed); }

  int64_t epoch() const { return epoch_; }  // completed epochs
  int64_t batch() const { return batch_; }  // batches done in the epoch in progress (0 between epochs)
  int64_t step() const { return step_; }    // optimizer steps since the run began
  const std::vector<EpochRecord>& history() const { return history_; }
  const Evaluation& last_evaluation() const { return last_evaluation_; }
  TrainerOptions& options() { return options_; }
  nn::Module& model() { return *model_; }

  // The run's config, as config.json and every checkpoint hold it: options().config_json() (the
  // CLI's ExperimentConfig), or if that is empty a JSON object derived from what this Trainer was
  // given: "written_by": "ember::train::Trainer" (so that `ember resume` knows it cannot rebuild
  // the run), the model's type and parameter count, the optimizer's name and options (as its
  // state_dict has them; with an LRScheduler, lr is the scheduler's base lr), the scheduler, each
  // DataLoader's dataset, size, batch size, shuffle, seed and transforms, the epochs and other
  // options, the default generator's seed (the last manual_seed) and the thread count. fit()
  // derives it once per call, when it starts.
  std::string config_json() const;

  // Everything needed to continue (checkpoint.h's layout), and back.
  nn::StateDict checkpoint() const;
  void restore(const nn::StateDict& checkpoint);
  void save_checkpoint(const std::string& path) const;
  // Data-parallel: rank 0 reads the file and every rank restores its bytes (other ranks need no
  // copy of it); an unreadable file is the same ember::Error on every rank.
  void resume_from(const std::string& path);

 private:
  void write_run_files(const EpochRecord& record, bool best);
  // checkpoints/last.safetensors, steps.csv synced first so that it holds every row up to it.
  void save_last_checkpoint();
  void write_filters(const std::string& name) const;
  void update(double loss_value, const std::function<void()>& backward);
  void train_step(const data::Batch& batch, ClassificationCounts& counts, double& loss_value);
  ClassificationCounts sum_over_ranks(const ClassificationCounts& mine, std::vector<double>& extra) const;
  void data_parallel_step(const data::Batch& batch, ClassificationCounts& counts, double& loss_value);
  Evaluation evaluate_test_set();
  // Opens RUN/tb/'s event file of this Trainer and logs every step and epoch to it (trainer_tensorboard.cpp).
  void start_tensorboard();
  // Single process: stopped(). Data-parallel: a stop any rank requested, agreed on at a step's
  // metric reduction, so every rank stops after the same step.
  bool should_stop() const { return data_parallel_ ? stop_agreed_ : stopped(); }

  std::shared_ptr<nn::Module> model_;
  std::shared_ptr<optim::Optimizer> optimizer_;
  std::shared_ptr<data::DataLoader> train_data_, test_data_;
  TrainerOptions options_;
  std::shared_ptr<optim::LRScheduler> scheduler_;
  std::shared_ptr<optim::ReduceLROnPlateau> plateau_;
  std::vector<std::function<void(const BatchEnd&)>> batch_callbacks_;
  std::vector<std::function<void(const EpochRecord&)>> epoch_callbacks_;
  ProgressPrinter progress_;
  int64_t epoch_ = 0, batch_ = 0, step_ = 0;
  ClassificationCounts epoch_counts_;  // the epoch in progress, kept across a mid-epoch stop
  std::atomic<bool> stop_requested_{false};
  std::shared_ptr<DataParallel> data_parallel_;
  bool stop_agreed_ = false;
  double best_accuracy_ = -1;
  std::string run_config_, summary_text_;  // config_json() and the model summary, as fit() wrote them
  std::vector<EpochRecord> history_;
  Evaluation last_evaluation_;
  std::chrono::steady_clock::time_point fit_start_;
  std::string fit_date_;  // when this process's fit() began, UTC, for the report's header
  std::unique_ptr<StepLog> step_log_;  // the run's steps.csv, from fit() on (writer only)
  // The run directory claimed from fit() on, for the trainer's life: a second run in it is refused.
  std::unique_ptr<FolderLock> run_lock_;
  std::unique_ptr<tensorboard::EventWriter> tensorboard_;
};

// The first conv layer's weight ([out, in, kh, kw]), or an undefined tensor if there is none.
Tensor first_conv_weight(const nn::Module& model);

}  // namespace ember::train
