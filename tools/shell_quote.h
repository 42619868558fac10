#pragma once
// A word as a POSIX shell reads it back unchanged, for the commands ember prints for the user to
// paste ("continue with `ember resume <folder>`"): plain when it holds only characters no shell
// treats specially, else in single quotes, each ' written as '\''.
#include <string>
#include <string_view>

namespace ember::tool {

inline std::string shell_quote(std::string_view word) {
  auto plain = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_-./:=+@%,").find(c) != std::string_view::npos;
  };
  bool all_plain = !word.empty();
  for (char c : word) all_plain = all_plain && plain(c);
  if (all_plain) return std::string(word);
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// argv as one line a shell reads back as the same words.
inline std::string shell_join(int argc, const char* const* argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) {
    if (i > 0) line += ' ';
    line += shell_quote(argv[i]);
  }
  return line;
}

}  // namespace ember::tool
