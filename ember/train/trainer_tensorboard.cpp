// The Trainer's TensorBoard scalars (TrainerOptions::tensorboard): which numbers, under which tags,
// at which step.
#include <fmt/format.h>

#include <cmath>

#include "ember/train/tensorboard.h"
#include "ember/train/trainer.h"

namespace ember::train {

namespace {

std::vector<tensorboard::Scalar> step_scalars(const BatchEnd& b) {
  return {{"train/loss", static_cast<float>(b.loss)},
          {"train/accuracy", static_cast<float>(b.accuracy)},
          {"lr", static_cast<float>(b.lr)},
          {"train/images_per_second", static_cast<float>(b.images_per_second)}};
}

// metrics.csv's row as scalars; a test value without a test set (NaN) is left out.
std::vector<tensorboard::Scalar> epoch_scalars(const EpochRecord& r) {
  std::vector<tensorboard::Scalar> scalars;
  auto add = [&](std::string tag, double value) {
    if (std::isfinite(value)) scalars.push_back({std::move(tag), static_cast<float>(value)});
  };
  add("epoch", static_cast<double>(r.epoch));
  add("epoch/train_loss", r.train_loss);
  add("epoch/train_accuracy", r.train_accuracy);
  add("epoch/test_loss", r.test_loss);
  add("epoch/test_accuracy", r.test_accuracy);
  add(fmt::format("epoch/test_top{}_accuracy", r.topk), r.test_topk_accuracy);
  add("epoch/seconds", r.seconds);
  add("epoch/images_per_second", r.images_per_second);
  return scalars;
}

}  // namespace

void Trainer::start_tensorboard() {
  const std::string folder = options_.run_dir() + "/tb";
  // A run starting from its first step replaces whatever run was in the folder, event files too;
  // a resumed one adds its file beside the earlier ones, and TensorBoard merges them.
  if (step_ == 0) tensorboard::remove_event_files(folder);
  tensorboard_ = std::make_unique<tensorboard::EventWriter>(folder);
  // Every file opens a session at its first step. TensorBoard takes the run's first START as its
  // beginning and each later one as a restart, dropping what earlier files logged from that step
  // on: the steps a crash left past the checkpoint this run resumed from.
  tensorboard_->add_session_start(step_ + 1);
  on_batch_end([this](const BatchEnd& b) { tensorboard_->add_scalars(b.step, step_scalars(b)); });
  // At the epoch's last step, and written out at once: an epoch's end is what a reader waits for.
  on_epoch_end([this](const EpochRecord& r) {
    tensorboard_->add_scalars(step_, epoch_scalars(r));
    tensorboard_->flush();
  });
}

}  // namespace ember::train
