#include "ember/train/checkpoint.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ember/core/error.h"
#include "ember/core/file.h"
#include "ember/core/numbers.h"
#include "ember/core/random.h"
#include "ember/nn/serialize.h"
#include "ember/train/trainer.h"

namespace ember::train {

void add_prefixed(nn::StateDict& into, const std::string& prefix, const nn::StateDict& part) {
  for (const auto& [key, tensor] : part) into.insert(prefix + "." + key, tensor);
  for (const auto& [key, value] : part.metadata) into.metadata[prefix + "." + key] = value;
}

nn::StateDict take_prefixed(const nn::StateDict& dict, const std::string& prefix) {
  const std::string head = prefix + ".";
  nn::StateDict out;
  for (const auto& [key, tensor] : dict) {
    if (key.rfind(head, 0) == 0) out.insert(key.substr(head.size()), tensor);
  }
  for (const auto& [key, value] : dict.metadata) {
    if (key.rfind(head, 0) == 0) out.metadata[key.substr(head.size())] = value;
  }
  return out;
}

bool is_checkpoint(const nn::StateDict& dict) {
  auto it = dict.metadata.find("format");
  return it != dict.metadata.end() && it->second == kCheckpointFormat;
}

nn::StateDict model_state_dict(const std::string& path) {
  nn::StateDict dict = nn::load(path);
  return is_checkpoint(dict) ? take_prefixed(dict, "model") : dict;
}

void load_weights(nn::Module& model, const std::string& path) {
  const nn::StateDict state = model_state_dict(path);
  try {
    model.load_state_dict(state);
  } catch (const Error& e) {
    fail("{}: {}", path, e.what());
  }
}

namespace {
// A checkpoint's metadata entry `key`; ember::Error naming the file if it is not a checkpoint or lacks it.
std::string checkpoint_entry(const std::string& path, const std::string& key) {
  const nn::StateDict dict = nn::load(path);
  EMBER_CHECK(is_checkpoint(dict), "{} is not an ember checkpoint (no format = {} in its metadata)", path,
              kCheckpointFormat);
  auto it = dict.metadata.find(key);
  EMBER_CHECK(it != dict.metadata.end(), "{}: the checkpoint has no {}", path, key);
  return it->second;
}
}  // namespace

std::string checkpoint_config(const std::string& path) { return checkpoint_entry(path, "config"); }

int64_t checkpoint_step(const std::string& path) {
  const std::string text = checkpoint_entry(path, "step");
  int64_t step = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), step);
  EMBER_CHECK(error == std::errc() && end == text.data() + text.size() && step >= 0,
              "{}: the checkpoint's step is '{}', expected a count", path, text);
  return step;
}

namespace {
// JSON has no NaN: "no test set" is stored as null.
nlohmann::json number(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }
double read_number(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) return std::numeric_limits<double>::quiet_NaN();
  return j.at(key).get<double>();
}
// Only a JSON integer that fits: get<int64_t>() would cast any number, and 1e300 is undefined
// behaviour (found by fuzz/fuzz_safetensors.cpp).
int64_t read_integer(const nlohmann::json& j, const char* key) {
  const nlohmann::json& v = j.at(key);
  const bool fits = v.is_number_unsigned() ? v.get<uint64_t>() <= uint64_t{std::numeric_limits<int64_t>::max()}
                                           : v.is_number_integer();
  EMBER_CHECK(fits, "history: malformed metrics history: '{}' must be an integer, got {}", key, v.dump());
  return v.get<int64_t>();
}
}  // namespace

namespace {
nlohmann::json record_json(const EpochRecord& r) {
  return {{"epoch", r.epoch},
          {"train_loss", number(r.train_loss)},
          {"train_accuracy", number(r.train_accuracy)},
          {"test_loss", number(r.test_loss)},
          {"test_accuracy", number(r.test_accuracy)},
          {"test_topk_accuracy", number(r.test_topk_accuracy)},
          {"topk", r.topk},
          {"lr", number(r.lr)},
          {"seconds", number(r.seconds)},
          {"images_per_second", number(r.images_per_second)}};
}
}  // namespace

std::string epoch_record_json(const EpochRecord& record) { return record_json(record).dump(); }

std::string history_to_json(const std::vector<EpochRecord>& history) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : history) rows.push_back(record_json(r));
  return rows.dump();
}

std::vector<EpochRecord> history_from_json(const std::string& text) {
  std::vector<EpochRecord> out;
  try {
    const nlohmann::json rows = nlohmann::json::parse(text);
    EMBER_CHECK(rows.is_array(), "history: expected a JSON array");
    for (const auto& j : rows) {
      EpochRecord r;
      r.epoch = read_integer(j, "epoch");
      r.train_loss = read_number(j, "train_loss");
      r.train_accuracy = read_number(j, "train_accuracy");
      r.test_loss = read_number(j, "test_loss");
      r.test_accuracy = read_number(j, "test_accuracy");
      r.test_topk_accuracy = read_number(j, "test_topk_accuracy");
      r.topk = read_integer(j, "topk");
      r.lr = read_number(j, "lr");
      r.seconds = read_number(j, "seconds");
      r.images_per_second = read_number(j, "images_per_second");
      out.push_back(r);
    }
  } catch (const nlohmann::json::exception& e) {
    fail("history: malformed metrics history: {}", e.what());
  }
  return out;
}

// ---- Trainer's checkpoints: what a Trainer writes into one, and how it resumes from one ----

namespace {

std::string rng_to_text(const std::array<uint64_t, 4>& s) { return fmt::format("{},{},{},{}", s[0], s[1], s[2], s[3]); }

std::array<uint64_t, 4> rng_from_text(const std::string& text) {
  std::array<uint64_t, 4> s{};
  std::istringstream in(text);
  char comma = 0;
  for (size_t i = 0; i < 4; ++i) {
    EMBER_CHECK(static_cast<bool>(in >> s[i]) && (i == 3 || (in >> comma && comma == ',')),
                "checkpoint: malformed rng state '{}' (expected 4 comma-separated integers)", text);
  }
  return s;
}

// The largest counter (epoch, batch, step, images seen) a checkpoint may hold: counters are
// incremented as training continues, and a hostile INT64_MAX would overflow at the next step. 2^53
// is far beyond any run (285 years at a million steps a second), and counts up to it are exact as
// the doubles the metrics divide them in.
constexpr int64_t kMaxCounter = int64_t{1} << 53;

int64_t parse_int(const std::map<std::string, std::string>& metadata, const std::string& key) {
  auto it = metadata.find(key);
  EMBER_CHECK(it != metadata.end(), "checkpoint: missing '{}'", key);
  try {
    size_t used = 0;
    const int64_t value = std::stoll(it->second, &used);
    EMBER_CHECK(used == it->second.size(), "checkpoint: '{}' is not an integer: '{}'", key, it->second);
    return value;
  } catch (const std::logic_error&) {
    fail("checkpoint: '{}' is not an integer: '{}'", key, it->second);
  }
}

ClassificationCounts counts_from_text(const std::string& text) {
  ClassificationCounts c;
  std::istringstream in(text);
  char comma[4] = {};
  std::string loss_sum;
  const bool read = static_cast<bool>(in >> c.count >> comma[0] >> c.correct >> comma[1] >> c.topk_correct >> comma[2] >>
                                      c.num_classes >> comma[3] >> loss_sum);
  EMBER_CHECK(read && comma[0] == ',' && comma[1] == ',' && comma[2] == ',' && comma[3] == ',' &&
                  read_double(loss_sum, c.loss_sum) && c.count >= 0 && c.correct >= 0 &&
                  c.count <= kMaxCounter && c.correct <= c.count && c.topk_correct >= 0 && c.topk_correct <= c.count &&
                  c.num_classes >= 0,
              "checkpoint: malformed epoch_counts '{}' (expected count,correct,topk_correct,classes,loss_sum, the "
              "count at most 2^53 = {})", text, kMaxCounter);
  return c;
}

}  // namespace

nn::StateDict Trainer::checkpoint() const {
  nn::StateDict ck;
  add_prefixed(ck, "model", model_->state_dict());
  add_prefixed(ck, "optimizer", optimizer_->state_dict());
  if (scheduler_) add_prefixed(ck, "scheduler", scheduler_->state_dict());
  if (plateau_) add_prefixed(ck, "scheduler", plateau_->state_dict());
  ck.metadata["format"] = kCheckpointFormat;
  ck.metadata["epoch"] = std::to_string(epoch_);
  ck.metadata["batch"] = std::to_string(batch_);
  ck.metadata["step"] = std::to_string(step_);
  // The running train metrics of the epoch in progress; loss_sum in shortest round-trip form.
  ck.metadata["epoch_counts"] = fmt::format("{},{},{},{},{}", epoch_counts_.count, epoch_counts_.correct,
                                            epoch_counts_.topk_correct, epoch_counts_.num_classes,
                                            epoch_counts_.loss_sum);
  ck.metadata["rng"] = rng_to_text(default_generator().state());
  ck.metadata["history"] = history_to_json(history_);
  ck.metadata["best_accuracy"] = fmt::format("{}", best_accuracy_);
  ck.metadata["config"] = run_config_.empty() ? config_json() : run_config_;
  return ck;
}

void Trainer::restore(const nn::StateDict& ck) {
  EMBER_CHECK(is_checkpoint(ck), "restore: not an ember checkpoint (metadata format must be {})", kCheckpointFormat);
  const int64_t epoch = parse_int(ck.metadata, "epoch");
  EMBER_CHECK(epoch >= 0, "restore: epoch {} is negative", epoch);
  // Checkpoints written before step checkpoints existed are at an epoch boundary.
  const int64_t batch = ck.metadata.count("batch") ? parse_int(ck.metadata, "batch") : 0;
  const int64_t step = ck.metadata.count("step") ? parse_int(ck.metadata, "step") : 0;
  EMBER_CHECK(batch >= 0 && step >= 0, "restore: batch {} and step {} must be >= 0", batch, step);
  EMBER_CHECK(epoch <= kMaxCounter && batch <= kMaxCounter && step <= kMaxCounter,
              "restore: epoch {}, batch {} and step {} must each be at most 2^53 = {} (no run gets there; a larger "
              "counter would overflow as training continues)", epoch, batch, step, kMaxCounter);
  const ClassificationCounts counts =
      batch > 0 ? counts_from_text(ck.metadata.count("epoch_counts") ? ck.metadata.at("epoch_counts") : "")
                : ClassificationCounts{};
  const auto rng = rng_from_text(ck.metadata.count("rng") ? ck.metadata.at("rng") : "");
  std::vector<EpochRecord> history = history_from_json(ck.metadata.count("history") ? ck.metadata.at("history") : "[]");
  const nn::StateDict scheduler = take_prefixed(ck, "scheduler");
  const bool has_scheduler = !scheduler.metadata.empty() || !scheduler.empty();
  EMBER_CHECK(has_scheduler == (scheduler_ || plateau_),
              "restore: the checkpoint {} a learning-rate scheduler but this run {}", has_scheduler ? "has" : "has no",
              (scheduler_ || plateau_) ? "has one" : "has none");
  model_->load_state_dict(take_prefixed(ck, "model"));
  optimizer_->load_state_dict(take_prefixed(ck, "optimizer"));
  if (scheduler_) scheduler_->load_state_dict(scheduler);
  if (plateau_) plateau_->load_state_dict(scheduler);
  default_generator().set_state(rng);
  epoch_ = epoch;
  batch_ = batch;
  step_ = step;
  epoch_counts_ = counts;
  history_ = std::move(history);
  auto best = ck.metadata.find("best_accuracy");
  best_accuracy_ = -1;
  if (best != ck.metadata.end()) {
    EMBER_CHECK(read_double(best->second, best_accuracy_), "restore: best_accuracy '{}' is not a number",
                best->second);
  }
}

// A checkpoint is where a run resumes from, and load() refuses NaN or infinite weights: writing
// one would replace the last good point with a file nothing can use. So the weights and optimizer
// state are checked first, and a run whose weights diverged stops here, the old file intact.
void Trainer::save_checkpoint(const std::string& path) const {
  const nn::StateDict ck = checkpoint();
  for (const auto& [name, tensor] : ck) {
    const std::string problem = nn::describe_nonfinite(tensor, name);
    EMBER_CHECK(problem.empty(),
                "Trainer: the weights are no longer finite at epoch {} batch {} ({}; lr {} too high? try a smaller "
                "--lr); {} is not replaced and keeps the last good point",
                epoch_ + (batch_ > 0 ? 1 : 0), batch_, problem, optimizer_->lr(0), path);
  }
  nn::save(ck, path);
}

void Trainer::resume_from(const std::string& path) {
  if (!data_parallel_) {
    try {
      restore(nn::load(path));
    } catch (const Error& e) {
      fail("resume from {}: {}", path, e.what());
    }
    return;
  }
  // Rank 0 reads the file, or the error, and every rank gets the same: restores or fails alike.
  std::string bytes, error;
  if (data_parallel_->rank() == 0) {
    try {
      bytes = read_file(path);
    } catch (const Error& e) {
      error = e.what();
    }
  }
  data_parallel_->broadcast(error);
  if (error.empty()) data_parallel_->broadcast(bytes);
  try {
    EMBER_CHECK(error.empty(), "{}", error);
    restore(nn::parse_safetensors(bytes, path));
  } catch (const Error& e) {
    fail("resume from {}: {}", path, e.what());
  }
}

}  // namespace ember::train
