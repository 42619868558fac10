#pragma once
// "did you mean ...?" for names typed by a person: commands, flags, model names, choices. One
// measure, used everywhere a name is looked up, so every message suggests the same way.
//   closest_name("trian", {"train", "resume", "eval"})   -> "train"
//   closest_name("LeNet5", {"lenet5", "simplecnn"})       -> "lenet5" (case is ignored)
//   did_you_mean("lenet", {"lenet5", ...})                -> "; did you mean 'lenet5'?"
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

// The optimal-string-alignment distance (Damerau-Levenshtein without reusing a transposed pair):
// insertions, deletions, substitutions and swaps of two neighbouring characters cost 1 each.
// Case-sensitive; closest_name lowercases both sides first.
size_t edit_distance(std::string_view a, std::string_view b);

// ASCII lowercase copy.
std::string to_lower(std::string_view text);

// The candidate equal to `word` ignoring case, if any (the canonical spelling of LeNet5 is lenet5).
std::optional<std::string> match_ignoring_case(std::string_view word, const std::vector<std::string>& candidates);

// The candidate nearest to `word` (case ignored), if it is near enough to be what was meant: at
// most a third of the longer name's length away (rounded down) and at most 3, so "trian" finds
// "train", "sdg" finds "sgd", but "x" or "ab" finds nothing. A candidate that starts with `word` (at least 3 characters: "lenet" for "lenet5",
// "--epoch" for "--epochs") counts as near. Ties go to the earlier candidate.
std::optional<std::string> closest_name(std::string_view word, const std::vector<std::string>& candidates);

// "; did you mean 'NAME'?" for closest_name's answer, or "" when nothing is near.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace ember
