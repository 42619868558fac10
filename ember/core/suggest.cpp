#include "ember/core/suggest.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <limits>

namespace ember {

size_t edit_distance(std::string_view a, std::string_view b) {
  // Three rows of the dynamic-programming table: the swap needs the row before the previous one.
  const size_t n = b.size();
  std::vector<size_t> before(n + 1), previous(n + 1), current(n + 1);
  for (size_t j = 0; j <= n; ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= n; ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[n];
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::string> match_ignoring_case(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string lower = to_lower(word);
  for (const std::string& candidate : candidates) {
    if (to_lower(candidate) == lower) return candidate;
  }
  return std::nullopt;
}

std::optional<std::string> closest_name(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string lower = to_lower(word);
  std::optional<std::string> best;
  size_t best_distance = std::numeric_limits<size_t>::max();
  for (const std::string& candidate : candidates) {
    const std::string other = to_lower(candidate);
    const size_t limit = std::min<size_t>(3, std::max(lower.size(), other.size()) / 3);
    size_t distance = edit_distance(lower, other);
    // A prefix is what a person types when they forget the end ("lenet" for "lenet5"): as near
    // as one edit, unless it is too short to say much.
    if (lower.size() >= 3 && other.size() > lower.size() && other.compare(0, lower.size(), lower) == 0) {
      distance = std::min<size_t>(distance, 1);
    }
    if (distance <= limit && distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const auto name = closest_name(word, candidates);
  return name ? fmt::format("; did you mean '{}'?", *name) : std::string();
}

}  // namespace ember
