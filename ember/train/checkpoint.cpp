#include "ember/train/checkpoint.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "ember/core/error.h"
#include "ember/nn/serialize.h"

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

}  // namespace ember::train
