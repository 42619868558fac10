#pragma once
// Learning-rate schedulers, with PyTorch's closed forms (base_lr = each group's lr when the
// scheduler was made, t = number of step() calls so far):
//   StepLR             base_lr * gamma^(t / step_size)              (integer division)
//   MultiStepLR        base_lr * gamma^(number of milestones <= t)
//   ExponentialLR      base_lr * gamma^t
//   CosineAnnealingLR  eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2
//   LinearWarmup       base_lr * f(t), f(t) = start_factor + (1 - start_factor) * min(t, warmup_steps) /
//                      warmup_steps (PyTorch's LinearLR with end_factor 1); given another scheduler
//                      `then`, the product f(t) * then's lr(t) (PyTorch's ChainedScheduler of the two)
//   ReduceLROnPlateau  step(metric): lr = max(lr * factor, min_lr) after more than `patience`
//                      epochs without improvement, then `cooldown` epochs of rest
// Constructing a scheduler sets the lrs for t = 0 (as PyTorch's constructor does). step() advances t
// and writes the new lrs into the optimizer; get_last_lr() returns them. state_dict() keeps t, the
// base lrs and the plateau counters as StateDict metadata, for resuming.
#include <memory>
#include <string>
#include <vector>

#include "ember/nn/state_dict.h"
#include "ember/optim/optimizer.h"

namespace ember::optim {

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  // Advances one epoch (or iteration) and updates the optimizer's learning rates.
  void step();
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  // The closed form: the lr of group `group` at epoch t.
  virtual double lr_at(size_t group, int64_t t) const = 0;

  nn::StateDict state_dict() const;
  // Restores t and the base lrs, and writes lr(t) into the optimizer.
  void load_state_dict(const nn::StateDict& dict);

 protected:
  LRScheduler(std::string name, Optimizer& optimizer);
  // Sets the lrs for t = 0; derived constructors call it once their members are set.
  void initialize();

 private:
  void apply();
  std::string name_;
  Optimizer& optimizer_;
  std::vector<double> base_lrs_;
  std::vector<double> last_lr_;
  int64_t last_epoch_ = 0;
};

class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);
  double lr_at(size_t group, int64_t t) const override;

 private:
  int64_t step_size_;
  double gamma_;
};

class MultiStepLR : public LRScheduler {
 public:
  // milestones must be increasing.
  MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma = 0.1);
  double lr_at(size_t group, int64_t t) const override;

 private:
  std::vector<int64_t> milestones_;
  double gamma_;
};

class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);
  double lr_at(size_t group, int64_t t) const override;

 private:
  double gamma_;
};

class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t t_max, double eta_min = 0.0);
  double lr_at(size_t group, int64_t t) const override;

 private:
  int64_t t_max_;
  double eta_min_;
};

class LinearWarmup : public LRScheduler {
 public:
  // `then` (optional) must be built on the same optimizer before this scheduler; it is owned here
  // and only its closed form is used.
  LinearWarmup(Optimizer& optimizer, int64_t warmup_steps, double start_factor = 1.0 / 3,
               std::unique_ptr<LRScheduler> then = nullptr);
  double lr_at(size_t group, int64_t t) const override;

 private:
  int64_t warmup_steps_;
  double start_factor_;
  std::unique_ptr<LRScheduler> then_;
};

struct PlateauOptions {
  EMBER_ARG(std::string, mode, "min");             // "min" or "max"
  EMBER_ARG(double, factor, 0.1);                  // in (0, 1)
  EMBER_ARG(int64_t, patience, 10);
  EMBER_ARG(double, threshold, 1e-4);
  EMBER_ARG(std::string, threshold_mode, "rel");  // "rel" or "abs"
  EMBER_ARG(int64_t, cooldown, 0);
  EMBER_ARG(double, min_lr, 0.0);
  EMBER_ARG(double, eps, 1e-8);                    // smaller lr changes are skipped
};

class ReduceLROnPlateau {
 public:
  ReduceLROnPlateau(Optimizer& optimizer, PlateauOptions options = PlateauOptions());
  void step(double metric);
  std::vector<double> get_last_lr() const { return optimizer_.lrs(); }
  int64_t last_epoch() const { return last_epoch_; }
  double best() const { return best_; }
  int64_t num_bad_epochs() const { return num_bad_epochs_; }

  nn::StateDict state_dict() const;
  void load_state_dict(const nn::StateDict& dict);

 private:
  bool is_better(double a) const;
  Optimizer& optimizer_;
  PlateauOptions options_;
  double best_;
  int64_t num_bad_epochs_ = 0;
  int64_t cooldown_counter_ = 0;
  int64_t last_epoch_ = 0;
};

}  // namespace ember::optim
