#pragma once
// The keys of a run's config that differ from the defaults, for the report.
#include <string>
#include <vector>

namespace ember::train {

struct ConfigChange {
  std::string key;            // dotted path into nested objects: "optimizer.lr"
  std::string value;          // as JSON text: 0.05, "adam", [3, 6]
  std::string default_value;  // as JSON text, or empty when the defaults have no such key
};

// Both JSON texts are flattened to their leaves (objects by key, joined with '.'; an array is one
// value); every leaf of `config` whose value differs from the same key's in `defaults`, or that the
// defaults lack, in `config`'s order. ember::Error naming which one if either is not a JSON object.
std::vector<ConfigChange> config_diff(const std::string& config, const std::string& defaults);

}  // namespace ember::train
