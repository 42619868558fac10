#pragma once
// Progress of a training run. On a terminal: one live line, redrawn in place at most ten times a
// second, that fits the terminal's width (read again at every draw, so a resized terminal works):
//
//   epoch 2/5 [#############.................] 450/938 48% 0:05<0:06 12ms/step loss 0.123 acc 96.1%
//
// then, while the test set is evaluated, "epoch 2/5 evaluating" with its own batch count. Wider
// terminals get longer forms ("0:05 ETA 0:06", "loss 0.1234") and images/s; narrower ones drop
// fields, least useful first (kProgressDropOrder). Elsewhere (CI logs, files): a plain line every
// tenth of the epoch with every field, so logs stay readable. Every epoch ends with one summary
// line, fitted to the width the same way.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "ember/train/report.h"

namespace ember::train {

enum class Progress { automatic, bar, lines, none };  // automatic: bar if stdout is a terminal
// "auto", "bar", "lines" or "none" (the `--progress` values); ember::Error naming the text otherwise.
Progress parse_progress(const std::string& text);
inline const std::vector<std::string> kProgressNames = {"auto", "bar", "lines", "none"};

// What one progress line shows. A NaN number is not shown (loss and accuracy while evaluating).
struct ProgressLine {
  static constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
  std::string phase;        // "epoch 2/5" or "epoch 2/5 evaluating"
  int64_t done = 0, total = 0;  // batches
  double elapsed = kNone;   // seconds since the phase began: with done, the time per step and the ETA
  double loss = kNone, accuracy = kNone, images_per_second = kNone;
  bool bar = true;          // a [####....] bar; without it (logs) the count reads "batch 450/938"
};

// The fields of a progress line in the order a narrowing terminal drops them (after the forms
// were shortened: bar 30 -> 10 characters, fewer digits, one space between fields). The phase and
// the batch count always stay.
// The bar goes early, as tqdm's does: the percent says the same in 3 characters.
inline const std::vector<std::string> kProgressDropOrder = {"images/s", "bar",     "elapsed", "time per step",
                                                            "accuracy", "percent", "loss",    "ETA"};

// The line for a terminal `width` columns wide: never longer than width - 1 characters (a
// character in the last column leaves some terminals waiting to wrap, so \r would not return to
// this line). The longest forms first, then shorter forms, then fields dropped (kProgressDropOrder);
// at the very narrowest the phase and count are cut.
std::string format_progress_line(const ProgressLine& line, int width);
// An epoch's summary, "epoch 3/3  train loss 0.0571 acc 98.20%  test loss 0.0451 acc 98.59%  top-5
// 100.00%  lr 0.01  4.9 s  12218 img/s", fitted to `width` by dropping top-k, images/s, seconds, lr
// and the train metrics, in that order (at 80 columns: epoch, train, test and lr).
std::string format_epoch_summary(const EpochRecord& record, int64_t epochs, int width);
// The width of the terminal `out` writes to (TIOCGWINSZ); else $COLUMNS; else 80.
int terminal_width(std::FILE* out);

class ProgressPrinter {
 public:
  explicit ProgressPrinter(Progress mode, std::FILE* out = stdout);
  void start_epoch(int64_t epoch, int64_t epochs, int64_t num_batches);
  // After batch `done` (1-based) with the running loss and accuracy of the epoch so far.
  void update(int64_t done, double loss, double accuracy, double images_per_second);
  // The test set's evaluation after the epoch: `done` of `total` batches (0 when it starts).
  // Only the live line shows it; logs get the summary line.
  void evaluating(int64_t done, int64_t total);
  void end_epoch(const EpochRecord& record, int64_t epochs);
  void message(const std::string& text);  // a line of its own (clears a live bar first)

 private:
  using Clock = std::chrono::steady_clock;
  void draw(const ProgressLine& line, bool force);  // the live line, in place
  void clear_bar();
  Progress mode_;
  std::FILE* out_;
  int64_t epoch_ = 0, epochs_ = 0, num_batches_ = 0;
  Clock::time_point start_, eval_start_, last_draw_;
  bool bar_open_ = false;
};

// "1:05" / "1:02:03"
std::string format_duration(double seconds);
// Keras's time per step: "12ms/step", "3.4ms/step", "1.2s/step".
std::string format_step_time(double seconds);

}  // namespace ember::train
