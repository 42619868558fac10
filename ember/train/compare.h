#pragma once
// Comparing training runs on one page, as TensorBoard's run comparison does: `ember compare`
// and anything else that holds run folders (written by `ember train --out RUN` or a Trainer with a
// run_dir). A run folder holds config.json and metrics.csv (one row per epoch) and, from runs
// that record them, steps.csv (one row per optimizer step:
// step,epoch,loss,accuracy,lr,images_per_second,seconds).
//
//   auto runs = {train::read_run("runs/lr-0.01"), train::read_run("runs/lr-0.1")};
//   write_file_atomically("runs/compare.html", train::compare_html(runs));
//
// The page is one self-contained HTML file (inline SVG, no scripts, nothing fetched): per step
// the smoothed training loss and the learning rate, per epoch the train and test loss and
// accuracy, one color per run in every chart and table; a table of each run's final and best
// metrics; the config keys that differ between the runs, and those equal in all, folded.
#include <cstdint>
#include <string>
#include <vector>

#include "ember/train/report.h"

namespace ember::train {

// One row of steps.csv.
struct StepRecord {
  int64_t step = 0, epoch = 0;  // step counts from 1 over the whole run, epoch is 1-based
  double loss = 0, accuracy = 0, lr = 0, images_per_second = 0, seconds = 0;
};

struct RunRecord {
  std::string name;    // how the page names the run: its folder's name
  std::string folder;  // as given
  std::vector<EpochRecord> epochs;
  std::vector<StepRecord> steps;  // empty when the run has no steps.csv
  bool has_steps = false;         // steps.csv was there (it may hold no row yet)
  // config.json flattened: nested keys joined by '.' ("model.name"), each value as compact JSON.
  std::vector<std::pair<std::string, std::string>> config;
};

// Reads a run folder: config.json and metrics.csv, and steps.csv if it is there. ember::Error,
// naming the folder and the file, for a missing folder, a folder that is not a run (no
// metrics.csv or config.json), a file that is not JSON or a CSV with another header, or a
// malformed CSV line (its number, and the field and value that are wrong). An empty CSV field is
// NaN (a run without a test set has no test loss).
RunRecord read_run(const std::string& folder);

// read_run of each folder, named by their folder names; where two names are the same, by the
// folders as given. ember::Error if there is no folder or one is given twice.
std::vector<RunRecord> read_runs(const std::vector<std::string>& folders);

// The smoothed loss curve of the step charts: an exponential moving average with `weight` (0: the
// values themselves), debiased as TensorBoard's is, so the first points are not pulled toward 0.
// NaN values are skipped (they stay NaN and do not enter the average).
std::vector<double> smooth(const std::vector<double>& values, double weight);

// The comparison page for `runs` (at least one), in this order and colors.
std::string compare_html(const std::vector<RunRecord>& runs);

}  // namespace ember::train
