#include "ember/train/config_diff.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ember/core/error.h"

namespace ember::train {

namespace {

using nlohmann::ordered_json;

void flatten(const ordered_json& value, const std::string& key, std::vector<std::pair<std::string, ordered_json>>& out) {
  if (!value.is_object() || value.empty()) {
    out.emplace_back(key, value);
    return;
  }
  for (const auto& [name, child] : value.items()) flatten(child, key.empty() ? name : key + "." + name, out);
}

std::vector<std::pair<std::string, ordered_json>> leaves(const std::string& text, const char* which) {
  const ordered_json json = ordered_json::parse(text, nullptr, false);
  EMBER_CHECK(!json.is_discarded() && json.is_object(), "config_diff: the {} is not a JSON object: '{:.80}'", which,
              text);
  std::vector<std::pair<std::string, ordered_json>> out;
  flatten(json, "", out);
  return out;
}

}  // namespace

std::vector<ConfigChange> config_diff(const std::string& config, const std::string& defaults) {
  const auto base = leaves(defaults, "default config");
  std::vector<ConfigChange> changes;
  for (const auto& [key, value] : leaves(config, "config")) {
    // Captured by name, not as the binding: clang before 16 cannot capture a structured binding.
    const std::string& name = key;
    const auto same_key = [&name](const auto& leaf) { return leaf.first == name; };
    const auto it = std::find_if(base.begin(), base.end(), same_key);
    if (it != base.end() && it->second == value) continue;
    changes.push_back({key, value.dump(), it == base.end() ? std::string() : it->second.dump()});
  }
  return changes;
}

}  // namespace ember::train
