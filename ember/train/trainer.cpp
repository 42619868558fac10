#include "ember/train/trainer.h"

#include <fmt/format.h>

#include <chrono>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ember/autograd/grad_mode.h"
#include "ember/core/error.h"
#include "ember/core/numbers.h"
#include "ember/core/file.h"
#include "ember/core/parallel.h"
#include "ember/core/random.h"
#include "ember/nn/serialize.h"
#include "ember/nn/summary.h"
#include "ember/ops/loss.h"
#include "ember/optim/clip.h"
#include "ember/train/checkpoint.h"
#include "ember/train/misclassified.h"
#include "ember/train/run_info.h"
#include "ember/version.h"

namespace ember::train {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string csv_number(double x) { return std::isfinite(x) ? fmt::format("{}", x) : ""; }

// ---- the config a Trainer derives when it is given none (config_json) ----
using nlohmann::ordered_json;

// A state_dict metadata value as JSON: options are numbers (booleans 0/1), whole ones as integers.
ordered_json metadata_value(const std::string& text) {
  double value = 0;
  if (!read_double(text, value)) return text;
  if (value == std::trunc(value) && std::abs(value) < 0x1.0p53) return static_cast<int64_t>(value);
  return value;
}

// Name and options; one group's options inline, several as "groups". With an LRScheduler the lr
// is its base lr, the one given, not the scheduled lr of the moment (warmup starts below it).
ordered_json optimizer_json(const optim::Optimizer& optimizer, const optim::LRScheduler* scheduler) {
  const nn::StateDict dict = optimizer.state_dict();
  ordered_json groups = ordered_json::array();
  for (size_t g = 0; g < optimizer.num_groups(); ++g) {
    ordered_json group;
    group["lr"] = scheduler ? scheduler->base_lrs().at(g) : optimizer.lr(g);
    const std::string prefix = fmt::format("group.{}.", g);
    for (const auto& [key, value] : dict.metadata) {
      if (key.rfind(prefix, 0) != 0 || key == prefix + "lr") continue;
      if (key == prefix + "params" && optimizer.num_groups() == 1) continue;
      group[key.substr(prefix.size())] = metadata_value(value);
    }
    groups.push_back(std::move(group));
  }
  ordered_json out = {{"name", optimizer.name()}};
  if (groups.size() == 1) {
    out.update(groups[0]);
  } else {
    out["groups"] = std::move(groups);
  }
  return out;
}

ordered_json loader_json(const data::DataLoader& loader) {
  const data::DataLoaderOptions& o = loader.options();
  ordered_json transforms = ordered_json::array();
  for (const auto& t : o.transforms()) transforms.push_back(t->describe());
  return {{"dataset", loader.dataset().describe()}, {"size", loader.dataset().size()},
          {"batch_size", o.batch_size()},           {"shuffle", o.shuffle()},
          {"drop_last", o.drop_last()},             {"seed", o.seed()},
          {"transforms", std::move(transforms)}};
}
}  // namespace

Tensor first_conv_weight(const nn::Module& model) {
  for (const auto& [name, p] : model.named_parameters()) {
    if (p.dim() == 4) return p;
  }
  return {};
}

Trainer::Trainer(std::shared_ptr<nn::Module> model, std::shared_ptr<optim::Optimizer> optimizer,
                 std::shared_ptr<data::DataLoader> train_data, std::shared_ptr<data::DataLoader> test_data,
                 TrainerOptions options)
    : model_(std::move(model)),
      optimizer_(std::move(optimizer)),
      train_data_(std::move(train_data)),
      test_data_(std::move(test_data)),
      options_(std::move(options)),
      progress_(options_.progress()) {
  EMBER_CHECK(model_ && optimizer_ && train_data_, "Trainer: model, optimizer and training data are required");
  EMBER_CHECK(options_.epochs() >= 0, "Trainer: epochs must be >= 0, got {}", options_.epochs());
  EMBER_CHECK(options_.topk() >= 1, "Trainer: topk must be >= 1, got {}", options_.topk());
  EMBER_CHECK(options_.clip_grad_norm() >= 0, "Trainer: clip_grad_norm must be >= 0, got {}",
              options_.clip_grad_norm());
}

void Trainer::set_scheduler(std::shared_ptr<optim::LRScheduler> scheduler) {
  scheduler_ = std::move(scheduler);
  plateau_.reset();
}

void Trainer::set_scheduler(std::shared_ptr<optim::ReduceLROnPlateau> scheduler) {
  plateau_ = std::move(scheduler);
  scheduler_.reset();
}

void Trainer::set_data_parallel(std::shared_ptr<DataParallel> dp) {
  EMBER_CHECK(dp && dp->world_size() >= 1 && dp->rank() >= 0 && dp->rank() < dp->world_size(),
              "Trainer: set_data_parallel needs a DataParallel with 0 <= rank < world_size");
  const int64_t world = dp->world_size(), global_batch = train_data_->options().batch_size();
  EMBER_CHECK(global_batch % world == 0,
              "Trainer: the global batch size {} is not divisible by the {} processes; choose a batch size that is "
              "a multiple of the world size, so that every rank gets an equal share",
              global_batch, world);
  data_parallel_ = std::move(dp);
  if (!is_writer()) progress_ = ProgressPrinter(Progress::none);
}

void Trainer::on_batch_end(std::function<void(const BatchEnd&)> callback) { batch_callbacks_.push_back(std::move(callback)); }
void Trainer::on_epoch_end(std::function<void(const EpochRecord&)> callback) {
  epoch_callbacks_.push_back(std::move(callback));
}

const std::vector<EpochRecord>& Trainer::fit() {
  fit_start_ = std::chrono::steady_clock::now();
  if (data_parallel_) {  // every rank starts from rank 0's weights
    data_parallel_->broadcast(model_->parameters());
    data_parallel_->broadcast(model_->buffers());
  }
  if (!options_.run_dir().empty() && is_writer()) {
    if (!run_lock_) run_lock_ = std::make_unique<FolderLock>(options_.run_dir(), "run");
    run_config_ = config_json();
    if (options_.report() && options_.summary_text().empty() && summary_text_.empty()) {
      Shape input = train_data_->image_shape();  // [C, H, W] -> one image [1, C, H, W]
      input.insert(input.begin(), 1);
      summary_text_ = nn::summary(*model_, input);
    }
    make_directories(options_.run_dir() + "/checkpoints");
    make_directories(options_.run_dir() + "/report");
    write_file_atomically(options_.run_dir() + "/config.json", run_config_ + "\n");
    step_log_.reset();  // a second fit(): the first one's log writes its rows before the file is reopened
    step_log_ = std::make_unique<StepLog>(options_.run_dir() + "/steps.csv", step_);
    fit_date_ = utc_date_now();
    if (epoch_ == 0 && options_.report()) write_filters("filters_before.png");
    if (options_.tensorboard() && !tensorboard_) start_tensorboard();
  }
  while (epoch_ < options_.epochs() && !should_stop()) run_epoch();
  if (tensorboard_) tensorboard_->flush();
  return history_;
}

EpochRecord Trainer::run_epoch() {
  const int64_t epoch = epoch_ + 1;
  int64_t num_batches = train_data_->num_batches();
  if (options_.max_batches_per_epoch() > 0) num_batches = std::min(num_batches, options_.max_batches_per_epoch());
  EMBER_CHECK(batch_ <= num_batches, "Trainer: the restored position, batch {} of epoch {}, is past the epoch's {} batches",
              batch_, epoch, num_batches);
  EpochRecord record;
  record.epoch = epoch;
  record.topk = options_.topk();
  record.lr = optimizer_->lr(0);

  model_->train();
  progress_.start_epoch(epoch, options_.epochs(), num_batches);
  ClassificationCounts& counts = epoch_counts_;
  int64_t images = 0, saved_at = -1;  // images trained in this call; the step last checkpointed
  const auto start = std::chrono::steady_clock::now();
  const bool write = !options_.run_dir().empty() && is_writer();
  for (const data::Batch& batch : train_data_->epoch(epoch_, batch_)) {
    if (batch_ == num_batches || should_stop()) break;
    double loss_value = 0;
    const double lr = optimizer_->lr(0);
    const int64_t count_before = counts.count, correct_before = counts.correct;
    if (data_parallel_) {
      data_parallel_step(batch, counts, loss_value);
    } else {
      train_step(batch, counts, loss_value);
    }
    ++batch_;
    ++step_;
    images += batch.labels.size(0);
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - start).count();
    progress_.update(batch_, counts.loss(), counts.accuracy(), static_cast<double>(images) / seconds);
    if (!batch_callbacks_.empty() || step_log_) {
      BatchEnd end;
      end.epoch = epoch;
      end.batch = batch_;
      end.num_batches = num_batches;
      end.step = step_;
      end.loss = loss_value;
      const int64_t batch_count = counts.count - count_before;
      end.accuracy = batch_count ? static_cast<double>(counts.correct - correct_before) / static_cast<double>(batch_count) : 0.0;
      end.lr = lr;
      end.running_loss = counts.loss();
      end.running_accuracy = counts.accuracy();
      end.images_per_second = static_cast<double>(images) / seconds;
      end.seconds = std::chrono::duration<double>(now - fit_start_).count();
      if (step_log_) step_log_->append(end);
      for (const auto& callback : batch_callbacks_) callback(end);
    }
    // A step checkpoint at the epoch's last batch would be overwritten by the epoch's own.
    const bool periodic = options_.checkpoint_every() > 0 && step_ % options_.checkpoint_every() == 0;
    if (write && periodic && batch_ < num_batches) {
      save_last_checkpoint();
      saved_at = step_;
    }
  }
  record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  record.images_per_second = static_cast<double>(images) / record.seconds;
  record.train_loss = counts.loss();
  record.train_accuracy = counts.accuracy();
  if (batch_ < num_batches) {  // stopped inside the epoch: keep the position so that resuming loses nothing
    if (write && saved_at != step_) save_last_checkpoint();
    record.test_loss = record.test_accuracy = record.test_topk_accuracy = kNaN;
    return record;
  }
  batch_ = 0;
  epoch_counts_ = {};

  record.test_loss = record.test_accuracy = record.test_topk_accuracy = kNaN;
  if (test_data_) {
    last_evaluation_ = evaluate_test_set();
    record.test_loss = last_evaluation_.loss;
    record.test_accuracy = last_evaluation_.accuracy;
    record.test_topk_accuracy = last_evaluation_.topk_accuracy;
  }
  if (scheduler_) scheduler_->step();
  if (plateau_) plateau_->step(test_data_ ? record.test_loss : record.train_loss);

  epoch_ = epoch;
  history_.push_back(record);
  const double score = test_data_ ? record.test_accuracy : record.train_accuracy;
  const bool best = score > best_accuracy_;
  if (best) best_accuracy_ = score;
  progress_.end_epoch(record, options_.epochs());
  if (write) write_run_files(record, best);
  for (const auto& callback : epoch_callbacks_) callback(record);
  return record;
}

// What every step does once its loss is known, whoever computes the gradients: refuse a loss that
// is not finite, then zero, backward, clip, step.
void Trainer::update(double loss_value, const std::function<void()>& backward) {
  EMBER_CHECK(std::isfinite(loss_value),
              "Trainer: the loss became {} at epoch {} batch {} (lr {} too high? try a smaller --lr)", loss_value,
              epoch_ + 1, batch_ + 1, optimizer_->lr(0));
  optimizer_->zero_grad();
  backward();
  if (options_.clip_grad_norm() > 0) optim::clip_grad_norm_(model_->parameters(), options_.clip_grad_norm());
  optimizer_->step();
}

void Trainer::train_step(const data::Batch& batch, ClassificationCounts& counts, double& loss_value) {
  const Tensor logits = (*model_)(batch.images);
  const Tensor loss = cross_entropy(logits, batch.labels);
  loss_value = loss.item();
  update(loss_value, [&] { loss.backward(); });
  NoGradGuard no_grad;
  counts.add(logits.detach(), batch.labels, loss_value, options_.topk(), false);
}

// The counts (confusion included) summed over every rank, and `extra` numbers summed beside them
// in the same reduction.
ClassificationCounts Trainer::sum_over_ranks(const ClassificationCounts& mine, std::vector<double>& extra) const {
  std::vector<double> sums{static_cast<double>(mine.count), static_cast<double>(mine.correct),
                           static_cast<double>(mine.topk_correct), mine.loss_sum};
  for (int64_t c : mine.confusion) sums.push_back(static_cast<double>(c));
  sums.insert(sums.end(), extra.begin(), extra.end());
  data_parallel_->all_reduce_sum(sums);
  ClassificationCounts all;
  all.count = static_cast<int64_t>(sums[0]);
  all.correct = static_cast<int64_t>(sums[1]);
  all.topk_correct = static_cast<int64_t>(sums[2]);
  all.loss_sum = sums[3];
  all.num_classes = mine.num_classes;
  const size_t confusion_end = 4 + mine.confusion.size();
  for (size_t i = 4; i < confusion_end; ++i) all.confusion.push_back(static_cast<int64_t>(sums[i]));
  std::copy(sums.begin() + static_cast<std::ptrdiff_t>(confusion_end), sums.end(), extra.begin());
  return all;
}

// This rank's slice of the global batch; the step's metrics summed over ranks before anything
// depends on them, so that every rank takes the same decisions (NaN check, stop) at the same step.
void Trainer::data_parallel_step(const data::Batch& batch, ClassificationCounts& counts, double& loss_value) {
  const int64_t n = batch.labels.size(0), world = data_parallel_->world_size(), rank = data_parallel_->rank();
  const int64_t begin = (rank * n + world - 1) / world, end = ((rank + 1) * n + world - 1) / world;
  ClassificationCounts mine;
  Tensor loss;
  if (end > begin) {  // a last, partial batch smaller than the world leaves some ranks nothing
    const Tensor labels = batch.labels.narrow(0, begin, end - begin);
    const Tensor logits = (*model_)(batch.images.narrow(0, begin, end - begin));
    loss = cross_entropy(logits, labels);
    NoGradGuard no_grad;
    mine.add(logits.detach(), labels, loss.item(), options_.topk(), false);
  }
  std::vector<double> stop{stopped() ? 1.0 : 0.0};
  const ClassificationCounts all = sum_over_ranks(mine, stop);
  loss_value = all.loss_sum / static_cast<double>(all.count);
  update(loss_value, [&] { data_parallel_->backward(loss, static_cast<double>(end - begin) / static_cast<double>(n)); });
  counts.count += all.count;
  counts.correct += all.correct;
  counts.topk_correct += all.topk_correct;
  counts.loss_sum += all.loss_sum;
  counts.num_classes = train_data_->dataset().num_classes();
  if (stop[0] > 0) stop_agreed_ = true;
}

// Data-parallel: test batch b on rank b % world, counts summed; the same result on every rank
// (without per-example predictions). Rank 0's buffers (BatchNorm statistics) are used everywhere.
Evaluation Trainer::evaluate_test_set() {
  const EvaluationProgress progress = [this](int64_t done, int64_t total) { progress_.evaluating(done, total); };
  if (!data_parallel_) return evaluate(*model_, *test_data_, options_.topk(), progress);
  data_parallel_->broadcast(model_->buffers());
  const int64_t classes = test_data_->dataset().num_classes();
  ClassificationCounts mine = evaluate_counts(*model_, *test_data_, options_.topk(), data_parallel_->rank(),
                                              data_parallel_->world_size(), classes, progress);
  std::vector<double> none;
  ClassificationCounts all = sum_over_ranks(mine, none);
  all.num_classes = classes;
  return evaluation_from_counts(std::move(all), options_.topk());
}

void Trainer::write_filters(const std::string& name) const {
  const Tensor weight = first_conv_weight(*model_);
  if (weight.defined()) write_filter_grid_png(weight, options_.run_dir() + "/report/" + name, weight.size(2) <= 7 ? 16 : 8);
}

void Trainer::save_last_checkpoint() {
  if (step_log_) step_log_->sync();
  save_checkpoint(options_.run_dir() + "/checkpoints/last.safetensors");
}

void Trainer::write_run_files(const EpochRecord&, bool best) {
  const std::string& dir = options_.run_dir();
  std::string csv = "epoch,train_loss,train_accuracy,test_loss,test_accuracy,test_topk_accuracy,topk,lr,seconds,images_per_second\n";
  std::string jsonl;
  for (const EpochRecord& r : history_) {
    csv += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", r.epoch, csv_number(r.train_loss),
                       csv_number(r.train_accuracy), csv_number(r.test_loss), csv_number(r.test_accuracy),
                       csv_number(r.test_topk_accuracy), r.topk, csv_number(r.lr), csv_number(r.seconds),
                       csv_number(r.images_per_second));
    jsonl += epoch_record_json(r) + "\n";
  }
  write_file_atomically(dir + "/metrics.csv", csv);
  write_file_atomically(dir + "/metrics.jsonl", jsonl);
  save_last_checkpoint();
  if (best) save_checkpoint(dir + "/checkpoints/best.safetensors");
  if (!options_.report()) return;

  ReportInputs report;
  report.title = options_.title().empty() ? model_->type_name() + " training run" : options_.title();
  report.history = history_;
  report.config_json = run_config_;
  report.default_config_json = options_.default_config_json();
  report.run = this_run_info(fit_date_, options_.command_line());
  if (step_log_) report.steps = read_steps_csv(step_log_->path());  // synced with the checkpoint above
  report.summary_text = options_.summary_text().empty() ? summary_text_ : options_.summary_text();
  if (test_data_) {
    report.confusion = last_evaluation_.confusion;
    report.class_names = test_data_->dataset().class_names();
    // Data-parallel evaluations keep no per-example predictions: no grid there.
    report.misclassified = first_misclassified(*test_data_, last_evaluation_.predictions);
  }
  if (first_conv_weight(*model_).defined()) {
    write_filters("filters_after.png");
    report.filters_after_png = "filters_after.png";
    if (file_exists(dir + "/report/filters_before.png")) report.filters_before_png = "filters_before.png";
  }
  write_report(dir + "/report", report);
}

std::string Trainer::config_json() const {
  if (!options_.config_json().empty()) return options_.config_json();
  int64_t parameters = 0;
  for (const Tensor& p : model_->parameters()) parameters += p.numel();
  ordered_json j;
  j["written_by"] = "ember::train::Trainer";  // not the CLI's ExperimentConfig
  j["ember_version"] = ember::version();
  j["model"] = {{"name", model_->type_name()}, {"parameters", parameters}};
  j["optimizer"] = optimizer_json(*optimizer_, scheduler_.get());
  j["scheduler"] = nullptr;
  if (scheduler_) j["scheduler"] = {{"name", scheduler_->state_dict().metadata.at("scheduler")}};
  if (plateau_) j["scheduler"] = {{"name", "ReduceLROnPlateau"}};
  j["train_data"] = loader_json(*train_data_);
  j["test_data"] = test_data_ ? loader_json(*test_data_) : ordered_json(nullptr);
  j["epochs"] = options_.epochs();
  j["max_batches_per_epoch"] = options_.max_batches_per_epoch();
  j["topk"] = options_.topk();
  j["clip_grad_norm"] = options_.clip_grad_norm();
  j["checkpoint_every"] = options_.checkpoint_every();
  j["tensorboard"] = options_.tensorboard();
  j["seed"] = default_generator().initial_seed();  // the last manual_seed: initialization, dropout
  j["threads"] = get_num_threads();
  j["processes"] = data_parallel_ ? data_parallel_->world_size() : 1;
  return j.dump(2);
}

}  // namespace ember::train
