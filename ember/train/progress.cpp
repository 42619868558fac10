#include "ember/train/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <string>

#include "ember/core/error.h"

namespace ember::train {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const int64_t s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
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
  const auto now = Clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double eta = done > 0 ? elapsed / static_cast<double>(done) * static_cast<double>(num_batches_ - done) : NAN;
  const std::string stats = fmt::format("loss {:.4f}  acc {:5.2f}%  {:.0f} img/s  ETA {}", loss, 100 * accuracy,
                                        images_per_second, format_duration(eta));
  if (mode_ == Progress::bar) {
    if (done < num_batches_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(kWidth * done / num_batches_);
    fmt::print(out_, "\r\033[Kepoch {}/{} [{}{}] {}/{}  {}", epoch_, epochs_, std::string(filled, '#'),
               std::string(kWidth - filled, '.'), done, num_batches_, stats);
    bar_open_ = true;
  } else {
    const int64_t every = std::max<int64_t>(1, num_batches_ / 10);
    if (done % every != 0 || done == num_batches_) return;
    fmt::print(out_, "epoch {}/{}  batch {}/{}  {}\n", epoch_, epochs_, done, num_batches_, stats);
  }
  std::fflush(out_);
}

void ProgressPrinter::end_epoch(const EpochRecord& r, int64_t epochs) {
  if (mode_ == Progress::none) return;
  if (bar_open_) fmt::print(out_, "\r\033[K");
  bar_open_ = false;
  std::string test = "no test set";
  if (std::isfinite(r.test_accuracy)) {
    test = fmt::format("test loss {:.4f} acc {:.2f}% top-{} {:.2f}%", r.test_loss, 100 * r.test_accuracy, r.topk,
                       100 * r.test_topk_accuracy);
  }
  fmt::print(out_, "epoch {}/{}  train loss {:.4f} acc {:.2f}%  {}  lr {:g}  {:.1f} s  {:.0f} img/s\n", r.epoch,
             epochs, r.train_loss, 100 * r.train_accuracy, test, r.lr, r.seconds, r.images_per_second);
  std::fflush(out_);
}

void ProgressPrinter::message(const std::string& text) {
  if (mode_ == Progress::none) return;
  if (bar_open_) fmt::print(out_, "\r\033[K");
  bar_open_ = false;
  fmt::print(out_, "{}\n", text);
  std::fflush(out_);
}

}  // namespace ember::train
