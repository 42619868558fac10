#pragma once
// Progress of a training run. On a terminal: one live bar per epoch, redrawn in place at most
// ten times a second, with loss, accuracy, images/s and ETA. Elsewhere (CI logs, files): a plain
// line every tenth of the epoch, so logs stay readable. Every epoch ends with one summary line.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "ember/train/report.h"

namespace ember::train {

enum class Progress { automatic, bar, lines, none };  // automatic: bar if stdout is a terminal
// "auto", "bar", "lines" or "none" (the `--progress` values); ember::Error naming the text otherwise.
Progress parse_progress(const std::string& text);
inline const std::vector<std::string> kProgressNames = {"auto", "bar", "lines", "none"};

class ProgressPrinter {
 public:
  explicit ProgressPrinter(Progress mode, std::FILE* out = stdout);
  void start_epoch(int64_t epoch, int64_t epochs, int64_t num_batches);
  // After batch `done` (1-based) with the running loss and accuracy of the epoch so far.
  void update(int64_t done, double loss, double accuracy, double images_per_second);
  void end_epoch(const EpochRecord& record, int64_t epochs);
  void message(const std::string& text);  // a line of its own (clears a live bar first)

 private:
  using Clock = std::chrono::steady_clock;
  Progress mode_;
  std::FILE* out_;
  int64_t epoch_ = 0, epochs_ = 0, num_batches_ = 0;
  Clock::time_point start_, last_draw_;
  bool bar_open_ = false;
};

// "1:05" / "1:02:03"
std::string format_duration(double seconds);

}  // namespace ember::train
