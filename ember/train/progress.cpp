#include "ember/train/progress.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "ember/core/error.h"

namespace ember::train {

namespace {
constexpr int kBarMax = 30, kBarMin = 10;
constexpr int kUnlimited = 1 << 20;  // logs: no width, every field in its long form
constexpr auto kRedraw = std::chrono::milliseconds(100);

// The parts joined by `sep`; the part at `bar_at` (if any) is a bar `fraction` full that takes the
// room the others leave, up to kBarMax. nullopt if they do not fit in `room` columns with a bar of
// kBarMin.
std::optional<std::string> fit(std::vector<std::string> parts, std::string_view sep, int room, int bar_at = -1,
                               double fraction = 0) {
  int64_t length = static_cast<int64_t>(sep.size()) * (static_cast<int64_t>(parts.size()) - 1);
  for (const std::string& part : parts) length += static_cast<int64_t>(part.size());
  if (bar_at >= 0) {
    const int64_t bar = std::min<int64_t>(kBarMax, room - length - 2);
    if (bar < kBarMin) return std::nullopt;
    const auto filled = static_cast<int64_t>(static_cast<double>(bar) * std::clamp(fraction, 0.0, 1.0));
    parts[static_cast<size_t>(bar_at)] = fmt::format("[{:#<{}}{:.<{}}]", "", filled, "", bar - filled);
  } else if (length > room) {
    return std::nullopt;
  }
  return fmt::format("{}", fmt::join(parts, sep));
}

int drop_rank(std::string_view field) {  // 1 = dropped first; kProgressDropOrder says the order
  const auto it = std::find(kProgressDropOrder.begin(), kProgressDropOrder.end(), field);
  EMBER_CHECK(it != kProgressDropOrder.end(), "progress: unknown field '{}'", field);
  return static_cast<int>(it - kProgressDropOrder.begin()) + 1;
}

// The parts of a progress line in the long or the compact forms, without the fields of rank
// <= `dropped`; `bar_at` is set to the bar's index, or -1.
std::vector<std::string> progress_parts(const ProgressLine& p, bool compact, int dropped, int& bar_at) {
  const auto shown = [&](std::string_view field) { return drop_rank(field) > dropped; };
  std::vector<std::string> parts{p.phase};
  bar_at = -1;
  if (p.bar && p.total > 0 && shown("bar")) {
    bar_at = static_cast<int>(parts.size());
    parts.emplace_back();
  }
  parts.push_back(fmt::format("{}{}/{}", p.bar ? "" : "batch ", p.done, p.total));
  if (p.total > 0 && shown("percent")) parts.push_back(fmt::format("{}%", 100 * p.done / p.total));

  const bool timed = std::isfinite(p.elapsed) && p.elapsed >= 0;
  const bool stepped = timed && p.done > 0 && p.total > 0;
  const double step = stepped ? p.elapsed / static_cast<double>(p.done) : 0.0;
  const bool elapsed = timed && shown("elapsed"), eta = stepped && shown("ETA");
  const std::string eta_text = format_duration(step * static_cast<double>(p.total - p.done));
  if (elapsed && eta) {
    parts.push_back(fmt::format("{}{}{}", format_duration(p.elapsed), compact ? "<" : " ETA ", eta_text));
  } else if (elapsed) {
    parts.push_back(format_duration(p.elapsed));
  } else if (eta) {
    parts.push_back("ETA " + eta_text);
  }
  if (stepped && shown("time per step")) parts.push_back(format_step_time(step));
  if (std::isfinite(p.loss) && shown("loss")) parts.push_back(fmt::format("loss {:.{}f}", p.loss, compact ? 3 : 4));
  if (std::isfinite(p.accuracy) && shown("accuracy")) {
    parts.push_back(fmt::format("acc {:.{}f}%", 100 * p.accuracy, compact ? 1 : 2));
  }
  if (std::isfinite(p.images_per_second) && shown("images/s")) {
    parts.push_back(fmt::format("{:.0f} img/s", p.images_per_second));
  }
  return parts;
}

std::string cut(std::string text, int room) {
  if (static_cast<int64_t>(text.size()) > room) text.resize(static_cast<size_t>(std::max(room, 0)));
  return text;
}
}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const int64_t s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

std::string format_step_time(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?/step";
  if (seconds >= 0.9995) return fmt::format("{:.1f}s/step", seconds);
  if (seconds >= 0.00995) return fmt::format("{:.0f}ms/step", seconds * 1e3);
  return fmt::format("{:.1f}ms/step", seconds * 1e3);
}

std::string format_progress_line(const ProgressLine& line, int width) {
  const int room = std::max(width - 1, 1);
  const int drops = static_cast<int>(kProgressDropOrder.size());
  // Level 0: the long forms, two spaces apart; then the compact forms, one space apart, with one
  // more field dropped at each level.
  for (int level = 0; level <= drops + 1; ++level) {
    const bool compact = level > 0;
    int bar_at = -1;
    const std::vector<std::string> parts = progress_parts(line, compact, std::max(level - 1, 0), bar_at);
    const double fraction = line.total > 0 ? static_cast<double>(line.done) / static_cast<double>(line.total) : 0.0;
    if (auto text = fit(parts, compact ? " " : "  ", room, bar_at, fraction)) return *text;
  }
  int bar_at = -1;
  const std::vector<std::string> parts = progress_parts(line, true, drops, bar_at);
  return cut(fmt::format("{} {}", parts.at(0), parts.at(1)), room);
}

std::string format_epoch_summary(const EpochRecord& r, int64_t epochs, int width) {
  struct Part {
    std::string text;
    int rank;  // 0: always shown; else dropped in this order
  };
  std::vector<Part> parts{{fmt::format("epoch {}/{}", r.epoch, epochs), 0},
                          {fmt::format("train loss {:.4f} acc {:.2f}%", r.train_loss, 100 * r.train_accuracy), 5}};
  if (std::isfinite(r.test_accuracy)) {
    parts.push_back({fmt::format("test loss {:.4f} acc {:.2f}%", r.test_loss, 100 * r.test_accuracy), 0});
    parts.push_back({fmt::format("top-{} {:.2f}%", r.topk, 100 * r.test_topk_accuracy), 1});
  } else {
    parts.push_back({"no test set", 1});
  }
  parts.push_back({fmt::format("lr {:g}", r.lr), 4});
  parts.push_back({fmt::format("{:.1f} s", r.seconds), 3});
  parts.push_back({fmt::format("{:.0f} img/s", r.images_per_second), 2});
  const int room = std::max(width - 1, 1);
  for (int dropped = 0; dropped <= 5; ++dropped) {
    std::vector<std::string> shown;
    for (const Part& part : parts) {
      if (part.rank == 0 || part.rank > dropped) shown.push_back(part.text);
    }
    if (auto text = fit(shown, "  ", room)) return *text;
  }
  return cut(fmt::format("{}  {}", parts[0].text, parts[2].text), room);
}

// Wide enough for every field of a summary line: logs are not terminals, nothing wraps there.
constexpr int kLogWidth = 1000;

int terminal_width(std::FILE* out) {
  winsize size{};
  if (::ioctl(::fileno(out), TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    int value = 0;
    const char* end = columns + std::strlen(columns);
    const auto [ptr, ec] = std::from_chars(columns, end, value);
    if (ec == std::errc() && ptr == end && value > 0) return value;
  }
  return 80;
}

Progress parse_progress(const std::string& text) {
  if (text == "auto") return Progress::automatic;
  if (text == "bar") return Progress::bar;
  if (text == "lines") return Progress::lines;
  if (text == "none") return Progress::none;
  fail("progress must be auto, bar, lines or none, got '{}'", text);
}

ProgressPrinter::ProgressPrinter(Progress mode, std::FILE* out) : mode_(mode), out_(out) {
  if (mode_ == Progress::automatic) mode_ = ::isatty(::fileno(out_)) ? Progress::bar : Progress::lines;
}

void ProgressPrinter::start_epoch(int64_t epoch, int64_t epochs, int64_t num_batches) {
  epoch_ = epoch;
  epochs_ = epochs;
  num_batches_ = num_batches;
  start_ = last_draw_ = Clock::now();
}

void ProgressPrinter::update(int64_t done, double loss, double accuracy, double images_per_second) {
  if (mode_ == Progress::none || num_batches_ == 0) return;
  ProgressLine line;
  line.phase = fmt::format("epoch {}/{}", epoch_, epochs_);
  line.done = done;
  line.total = num_batches_;
  line.elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  line.loss = loss;
  line.accuracy = accuracy;
  line.images_per_second = images_per_second;
  if (mode_ == Progress::bar) {
    draw(line, done == num_batches_);
    return;
  }
  const int64_t every = std::max<int64_t>(1, num_batches_ / 10);
  if (done % every != 0 || done == num_batches_) return;
  line.bar = false;
  fmt::print(out_, "{}\n", format_progress_line(line, kUnlimited));
  std::fflush(out_);
}

void ProgressPrinter::evaluating(int64_t done, int64_t total) {
  if (mode_ != Progress::bar || total <= 0) return;
  if (done == 0) eval_start_ = Clock::now();
  ProgressLine line;
  line.phase = fmt::format("epoch {}/{} evaluating", epoch_, epochs_);
  line.done = done;
  line.total = total;
  line.elapsed = std::chrono::duration<double>(Clock::now() - eval_start_).count();
  draw(line, done == 0 || done == total);
}

void ProgressPrinter::draw(const ProgressLine& line, bool force) {
  const auto now = Clock::now();
  if (!force && now - last_draw_ < kRedraw) return;
  last_draw_ = now;
  fmt::print(out_, "\r\033[K{}", format_progress_line(line, terminal_width(out_)));
  std::fflush(out_);
  bar_open_ = true;
}

void ProgressPrinter::clear_bar() {
  if (bar_open_) fmt::print(out_, "\r\033[K");
  bar_open_ = false;
}

void ProgressPrinter::end_epoch(const EpochRecord& r, int64_t epochs) {
  if (mode_ == Progress::none) return;
  clear_bar();
  // A terminal gets the line fitted to its width; a log (lines mode) keeps every field.
  const int width = mode_ == Progress::bar ? terminal_width(out_) : kLogWidth;
  fmt::print(out_, "{}\n", format_epoch_summary(r, epochs, width));
  std::fflush(out_);
}

void ProgressPrinter::message(const std::string& text) {
  if (mode_ == Progress::none) return;
  clear_bar();
  fmt::print(out_, "{}\n", text);
  std::fflush(out_);
}

}  // namespace ember::train
