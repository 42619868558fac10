#include "ember/optim/scheduler.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace ember::optim {

namespace {

std::string get_meta(const nn::StateDict& dict, const std::string& who, const std::string& key) {
  auto it = dict.metadata.find(key);
  EMBER_CHECK(it != dict.metadata.end(), "{}: load_state_dict: missing metadata '{}'", who, key);
  return it->second;
}

double get_double(const nn::StateDict& dict, const std::string& who, const std::string& key) {
  const std::string text = get_meta(dict, who, key);
  double value = 0;
  EMBER_CHECK(read_double(text, value), "{}: load_state_dict: metadata '{}' = '{}' is not a number", who,
              key, text);
  return value;
}

int64_t get_int(const nn::StateDict& dict, const std::string& who, const std::string& key) {
  const double v = get_double(dict, who, key);
  // The range too: converting a double outside int64_t's range is undefined behaviour ("1e300"
  // in a checkpoint; found by fuzz/fuzz_safetensors.cpp).
  EMBER_CHECK(v == std::floor(v) && v >= -0x1p63 && v < 0x1p63,
              "{}: load_state_dict: metadata '{}' = {} is not an integer", who, key, v);
  return static_cast<int64_t>(v);
}

}  // namespace

LRScheduler::LRScheduler(std::string name, Optimizer& optimizer)
    : name_(std::move(name)), optimizer_(optimizer), base_lrs_(optimizer.lrs()) {}

void LRScheduler::initialize() { apply(); }

void LRScheduler::apply() {
  last_lr_.clear();
  for (size_t g = 0; g < base_lrs_.size(); ++g) {
    last_lr_.push_back(lr_at(g, last_epoch_));
    optimizer_.set_lr(g, last_lr_.back());
  }
}

void LRScheduler::step() {
  ++last_epoch_;
  apply();
}

nn::StateDict LRScheduler::state_dict() const {
  nn::StateDict dict;
  dict.metadata["scheduler"] = name_;
  dict.metadata["last_epoch"] = std::to_string(last_epoch_);
  dict.metadata["groups"] = std::to_string(base_lrs_.size());
  for (size_t g = 0; g < base_lrs_.size(); ++g) dict.metadata[fmt::format("base_lr.{}", g)] = fmt::format("{}", base_lrs_[g]);
  return dict;
}

void LRScheduler::load_state_dict(const nn::StateDict& dict) {
  const std::string saved = get_meta(dict, name_, "scheduler");
  EMBER_CHECK(saved == name_, "{}: load_state_dict: the state was saved by {}", name_, saved);
  const int64_t groups = get_int(dict, name_, "groups");
  EMBER_CHECK(groups == static_cast<int64_t>(base_lrs_.size()),
              "{}: load_state_dict: the state has {} groups, the optimizer {}", name_, groups, base_lrs_.size());
  std::vector<double> bases;
  for (size_t g = 0; g < base_lrs_.size(); ++g) bases.push_back(get_double(dict, name_, fmt::format("base_lr.{}", g)));
  const int64_t epoch = get_int(dict, name_, "last_epoch");
  EMBER_CHECK(epoch >= 0, "{}: load_state_dict: last_epoch {} is negative", name_, epoch);
  base_lrs_ = bases;
  last_epoch_ = epoch;
  apply();
}

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : LRScheduler("StepLR", optimizer), step_size_(step_size), gamma_(gamma) {
  EMBER_CHECK(step_size > 0, "StepLR: step_size must be > 0, got {}", step_size);
  EMBER_CHECK(gamma >= 0, "StepLR: gamma must be >= 0, got {}", gamma);
  initialize();
}
double StepLR::lr_at(size_t group, int64_t t) const {
  return base_lrs()[group] * std::pow(gamma_, static_cast<double>(t / step_size_));
}

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma)
    : LRScheduler("MultiStepLR", optimizer), milestones_(std::move(milestones)), gamma_(gamma) {
  for (size_t i = 1; i < milestones_.size(); ++i)
    EMBER_CHECK(milestones_[i - 1] < milestones_[i], "MultiStepLR: milestones must be increasing, got {} then {}",
                milestones_[i - 1], milestones_[i]);
  EMBER_CHECK(gamma >= 0, "MultiStepLR: gamma must be >= 0, got {}", gamma);
  initialize();
}
double MultiStepLR::lr_at(size_t group, int64_t t) const {
  const auto passed = std::upper_bound(milestones_.begin(), milestones_.end(), t) - milestones_.begin();
  return base_lrs()[group] * std::pow(gamma_, static_cast<double>(passed));
}

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma) : LRScheduler("ExponentialLR", optimizer), gamma_(gamma) {
  EMBER_CHECK(gamma >= 0, "ExponentialLR: gamma must be >= 0, got {}", gamma);
  initialize();
}
double ExponentialLR::lr_at(size_t group, int64_t t) const {
  return base_lrs()[group] * std::pow(gamma_, static_cast<double>(t));
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t t_max, double eta_min)
    : LRScheduler("CosineAnnealingLR", optimizer), t_max_(t_max), eta_min_(eta_min) {
  EMBER_CHECK(t_max > 0, "CosineAnnealingLR: T_max must be > 0, got {}", t_max);
  initialize();
}
double CosineAnnealingLR::lr_at(size_t group, int64_t t) const {
  const double angle = std::numbers::pi * static_cast<double>(t) / static_cast<double>(t_max_);
  return eta_min_ + (base_lrs()[group] - eta_min_) * (1 + std::cos(angle)) / 2;
}

LinearWarmup::LinearWarmup(Optimizer& optimizer, int64_t warmup_steps, double start_factor,
                           std::unique_ptr<LRScheduler> then)
    : LRScheduler("LinearWarmup", optimizer), warmup_steps_(warmup_steps), start_factor_(start_factor),
      then_(std::move(then)) {
  EMBER_CHECK(warmup_steps > 0, "LinearWarmup: warmup_steps must be > 0, got {}", warmup_steps);
  EMBER_CHECK(start_factor > 0 && start_factor <= 1, "LinearWarmup: start_factor must be in (0, 1], got {}",
              start_factor);
  initialize();
}
double LinearWarmup::lr_at(size_t group, int64_t t) const {
  const double factor = start_factor_ + (1 - start_factor_) * static_cast<double>(std::min(t, warmup_steps_)) /
                                            static_cast<double>(warmup_steps_);
  return then_ ? factor * then_->lr_at(group, t) : base_lrs()[group] * factor;
}

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, PlateauOptions options)
    : optimizer_(optimizer), options_(std::move(options)) {
  const auto& o = options_;
  EMBER_CHECK(o.mode() == "min" || o.mode() == "max", "ReduceLROnPlateau: mode must be 'min' or 'max', got '{}'",
              o.mode());
  EMBER_CHECK(o.threshold_mode() == "rel" || o.threshold_mode() == "abs",
              "ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got '{}'", o.threshold_mode());
  EMBER_CHECK(o.factor() > 0 && o.factor() < 1, "ReduceLROnPlateau: factor must be in (0, 1), got {}", o.factor());
  EMBER_CHECK(o.patience() >= 0, "ReduceLROnPlateau: patience must be >= 0, got {}", o.patience());
  EMBER_CHECK(o.cooldown() >= 0, "ReduceLROnPlateau: cooldown must be >= 0, got {}", o.cooldown());
  EMBER_CHECK(o.min_lr() >= 0, "ReduceLROnPlateau: min_lr must be >= 0, got {}", o.min_lr());
  best_ = o.mode() == "min" ? INFINITY : -INFINITY;
}

bool ReduceLROnPlateau::is_better(double a) const {
  const auto& o = options_;
  const bool rel = o.threshold_mode() == "rel";
  if (o.mode() == "min") return rel ? a < best_ * (1 - o.threshold()) : a < best_ - o.threshold();
  return rel ? a > best_ * (o.threshold() + 1) : a > best_ + o.threshold();
}

void ReduceLROnPlateau::step(double metric) {
  ++last_epoch_;
  if (is_better(metric)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    num_bad_epochs_ = 0;
  }
  if (num_bad_epochs_ > options_.patience()) {
    for (size_t g = 0; g < optimizer_.num_groups(); ++g) {
      const double old_lr = optimizer_.lr(g);
      const double new_lr = std::max(old_lr * options_.factor(), options_.min_lr());
      if (old_lr - new_lr > options_.eps()) optimizer_.set_lr(g, new_lr);
    }
    cooldown_counter_ = options_.cooldown();
    num_bad_epochs_ = 0;
  }
}

nn::StateDict ReduceLROnPlateau::state_dict() const {
  nn::StateDict dict;
  dict.metadata["scheduler"] = "ReduceLROnPlateau";
  dict.metadata["last_epoch"] = std::to_string(last_epoch_);
  dict.metadata["best"] = fmt::format("{}", best_);
  dict.metadata["num_bad_epochs"] = std::to_string(num_bad_epochs_);
  dict.metadata["cooldown_counter"] = std::to_string(cooldown_counter_);
  return dict;
}

void ReduceLROnPlateau::load_state_dict(const nn::StateDict& dict) {
  const std::string who = "ReduceLROnPlateau";
  const std::string saved = get_meta(dict, who, "scheduler");
  EMBER_CHECK(saved == who, "{}: load_state_dict: the state was saved by {}", who, saved);
  const int64_t epoch = get_int(dict, who, "last_epoch");
  const double best = get_double(dict, who, "best");
  const int64_t bad = get_int(dict, who, "num_bad_epochs");
  const int64_t cooldown = get_int(dict, who, "cooldown_counter");
  last_epoch_ = epoch;
  best_ = best;
  num_bad_epochs_ = bad;
  cooldown_counter_ = cooldown;
}

}  // namespace ember::optim
