#pragma once
// The experiment report: what a training run writes into <run>/report/ for a person to open in a
// browser. write_report() writes, each file atomically:
//   accuracy.svg   train and test accuracy per epoch, in %
//   loss.svg       train and test loss per epoch
//   step_loss.svg  the loss of every step, raw and smoothed (only with steps)
//   lr.svg         the learning rate of every step (only with steps)
//   confusion.svg  the final test confusion matrix (only when there is one)
//   index.html     title, the run header (ember version and commit, CPU and vector variant,
//                  threads, date, command line), headline numbers, a table of the epoch metrics,
//                  the charts, the confusion matrix, the misclassified test images with their
//                  true and predicted labels, the first conv layer's filters before and after
//                  training side by side, the model summary, the config keys that differ from
//                  the defaults and the exact run config (folded).
// Per-step charts with more than kMaxStepPoints steps draw the mean of each run of
// ceil(steps / kMaxStepPoints) consecutive steps (the legend says how many). The smoothed loss is
// an exponential moving average of every step's loss with weight kLossSmoothing (TensorBoard's
// smoothing, debiased as TensorBoard does: divided by 1 - weight^n), also named in the legend.
// The page is self-contained: no scripts, no external CSS or fonts; it links only the files
// above and the filter PNGs, by relative name, and holds the misclassified images inline (PNG
// data: URLs). Every string is HTML-escaped.
// The charts and the filter images can also be made on their own (svg_chart.h, filter_image.h).
#include <cstdint>
#include <string>
#include <vector>

#include "ember/train/filter_image.h"
#include "ember/train/step_log.h"
#include "ember/train/svg_chart.h"

namespace ember::train {

// One row of the run's metrics, one per epoch.
struct EpochRecord {
  int64_t epoch = 0;                                                // 1-based
  double train_loss = 0, train_accuracy = 0;                        // accuracy in [0, 1]
  double test_loss = 0, test_accuracy = 0, test_topk_accuracy = 0;  // NaN when there was no test set
  int64_t topk = 5;
  double lr = 0, seconds = 0, images_per_second = 0;
};

inline constexpr size_t kMaxStepPoints = 1000;
inline constexpr double kLossSmoothing = 0.9;

// The run header: what ran it, where and when (run_info.h fills it for this process). An empty
// version leaves the header out; other empty fields are left out of it.
struct RunInfo {
  std::string version, git_commit, cpu, isa, date, command_line;
  int64_t threads = 0;
};

// A test image the final model got wrong: its index in the test dataset, the labels and a PNG.
struct MisclassifiedImage {
  int64_t index = 0, true_label = 0, predicted = 0;
  std::string png;
};

struct ReportInputs {
  std::string title;  // "lenet5 on MNIST"
  std::vector<EpochRecord> history;
  std::vector<int64_t> confusion;  // final test confusion matrix, k*k, row = true class (empty: no test set)
  std::vector<std::string> class_names;
  RunInfo run;
  std::vector<StepRow> steps;  // one per optimizer step (steps.csv's rows); empty: no per-step charts
  std::vector<MisclassifiedImage> misclassified;  // labels index class_names
  std::string config_json;   // the exact run config, shown in the page
  std::string default_config_json;  // when given, the keys of config_json that differ from it are listed
  std::string summary_text;  // nn::summary's text, shown in a <pre>
  // File names inside the report dir (no folders), empty if none. When given, the files must
  // already exist there (write them with write_filter_grid_png first).
  std::string filters_before_png, filters_after_png;
};

// Writes the report into dir, creating it if missing. Everything is validated and rendered before
// the first file is written, so bad inputs leave dir untouched; index.html is written last.
// Throws ember::Error (naming what it got) if dir is empty, the confusion matrix is not k x k with
// k = class_names.size() or has a negative count, a misclassified image's label is not a class or its
// labels are equal, the config or default config is not a JSON object, a filter file name is not a plain file name or
// does not exist in dir, or a file cannot be written.
// An empty history gives charts that say "no data" and an empty table.
void write_report(const std::string& dir, const ReportInputs& inputs);

}  // namespace ember::train
