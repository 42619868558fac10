#pragma once
// steps.csv: one row per optimizer step of a training run, written by the run's writer (rank 0).
//
//   step,epoch,loss,accuracy,lr,images_per_second,seconds
//
// The values are BatchEnd's (trainer.h): the batch's mean loss and accuracy (in [0, 1]), the
// learning rate the step used, the epoch's images/s so far and the seconds since this process's
// fit() began; numbers in shortest round-trip form, an empty field for NaN or infinity. The header
// is fixed: other tools (`ember compare`) read the columns by name.
//
// Rows are appended as training goes and written to the file at least every kFlushRows rows or
// kFlushSeconds seconds. sync() (the Trainer calls it just before every checkpoint) writes the
// rest and fsyncs, so the file on disk holds every row up to the checkpoint's step. Opening the log
// at a step (a resume) keeps the rows up to that step and drops the later ones (steps trained after
// the checkpoint, which the resumed run trains again) and a line torn by a crash, replacing the
// file atomically; so a resumed run's steps.csv equals an uninterrupted run's except for the two
// timing columns.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace ember::train {

struct BatchEnd;

inline constexpr const char* kStepsCsvHeader = "step,epoch,loss,accuracy,lr,images_per_second,seconds";

struct StepRow {
  int64_t step = 0, epoch = 0;
  double loss = 0, accuracy = 0, lr = 0, images_per_second = 0, seconds = 0;
};

// The rows of a steps.csv, in file order, up to the first line that is not a complete row (a
// line torn by a crash ends the log). A missing file has no rows; a file whose header is not
// kStepsCsvHeader is an ember::Error naming it and both headers.
std::vector<StepRow> read_steps_csv(const std::string& path);

class StepLog {
 public:
  static constexpr int kFlushRows = 64;
  static constexpr double kFlushSeconds = 2.0;

  // Starts the log of a run that has taken `step` steps: the file's rows up to that step are kept,
  // the rest dropped, the file replaced atomically (a new one holds the header alone). ember::Error
  // naming the file if it cannot be read or written.
  StepLog(std::string path, int64_t step);
  ~StepLog();  // writes what is pending; errors there are dropped (sync() reports them)
  StepLog(const StepLog&) = delete;
  StepLog& operator=(const StepLog&) = delete;

  void append(const BatchEnd& end);
  // Writes every pending row and fsyncs the file: called before a checkpoint.
  void sync();
  const std::string& path() const { return path_; }

 private:
  void write_pending();

  std::string path_, pending_;
  int pending_rows_ = 0;
  int fd_ = -1;
  std::chrono::steady_clock::time_point last_write_;
};

}  // namespace ember::train
