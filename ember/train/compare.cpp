#include "ember/train/compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>

#include "ember/core/error.h"
#include "ember/core/file.h"
#include "ember/core/numbers.h"
#include "ember/train/xml_escape.h"

namespace ember::train {

namespace {

constexpr const char* kMetricsHeader =
    "epoch,train_loss,train_accuracy,test_loss,test_accuracy,test_topk_accuracy,topk,lr,seconds,images_per_second";
constexpr const char* kStepsHeader = "step,epoch,loss,accuracy,lr,images_per_second,seconds";
// steps.csv grows by a row per step: its curves keep at most this many points (every k-th), which
// a 640-pixel chart cannot tell from all of them.
constexpr size_t kMaxStepPoints = 2000;
// TensorBoard's default smoothing is 0.6 over its own subsampled points; a per-step loss is
// noisier (one batch each), so the step curve is smoothed more.
constexpr double kStepSmoothing = 0.9;

// One CSV file's rows, split into fields, with the header checked. `where` names the file in
// errors ("run 'a': runs/a/metrics.csv").
class CsvReader {
 public:
  CsvReader(const std::string& path, std::string where, const char* header) : where_(std::move(where)) {
    const std::string text = read_file(path);
    size_t begin = 0;
    int64_t number = 0;
    while (begin < text.size()) {
      size_t end = text.find('\n', begin);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(begin, end - begin);
      begin = end + 1;
      ++number;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (number == 1) {
        EMBER_CHECK(line == header, "{}: line 1 is not the header '{}', got '{}'", where_, header, line);
        columns_ = split(line);
        continue;
      }
      if (line.empty()) continue;
      std::vector<std::string> fields = split(line);
      EMBER_CHECK(fields.size() == columns_.size(), "{}: line {} has {} fields, expected {} ({}): '{}'", where_,
                  number, fields.size(), columns_.size(), header, line);
      rows_.push_back({number, std::move(fields)});
    }
    EMBER_CHECK(number >= 1, "{}: the file is empty, expected the header '{}'", where_, header);
  }

  size_t size() const { return rows_.size(); }

  // Field `column` of row `row` as a number; an empty field is NaN.
  double real(size_t row, size_t column) const {
    const std::string& text = rows_[row].fields[column];
    double value = std::numeric_limits<double>::quiet_NaN();
    if (!text.empty() && !read_double(text, value)) bad(row, column, "a number");
    return value;
  }
  int64_t integer(size_t row, size_t column) const {
    const std::string& text = rows_[row].fields[column];
    int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) bad(row, column, "an integer");
    return value;
  }

 private:
  struct Row {
    int64_t line;
    std::vector<std::string> fields;
  };

  static std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> fields(1);
    for (const char c : line) {
      if (c == ',') {
        fields.emplace_back();
      } else {
        fields.back() += c;
      }
    }
    return fields;
  }

  [[noreturn]] void bad(size_t row, size_t column, const char* expected) const {
    fail("{}: line {}: {} must be {}, got '{}'", where_, rows_[row].line, columns_[column], expected,
         rows_[row].fields[column]);
  }

  std::string where_;
  std::vector<std::string> columns_;
  std::vector<Row> rows_;
};

std::vector<EpochRecord> read_metrics(const std::string& path, const std::string& where) {
  const CsvReader csv(path, where, kMetricsHeader);
  std::vector<EpochRecord> epochs;
  for (size_t i = 0; i < csv.size(); ++i) {
    EpochRecord r;
    r.epoch = csv.integer(i, 0);
    r.train_loss = csv.real(i, 1);
    r.train_accuracy = csv.real(i, 2);
    r.test_loss = csv.real(i, 3);
    r.test_accuracy = csv.real(i, 4);
    r.test_topk_accuracy = csv.real(i, 5);
    r.topk = csv.integer(i, 6);
    r.lr = csv.real(i, 7);
    r.seconds = csv.real(i, 8);
    r.images_per_second = csv.real(i, 9);
    epochs.push_back(r);
  }
  return epochs;
}

std::vector<StepRecord> read_steps(const std::string& path, const std::string& where) {
  const CsvReader csv(path, where, kStepsHeader);
  std::vector<StepRecord> steps;
  for (size_t i = 0; i < csv.size(); ++i) {
    StepRecord s;
    s.step = csv.integer(i, 0);
    s.epoch = csv.integer(i, 1);
    s.loss = csv.real(i, 2);
    s.accuracy = csv.real(i, 3);
    s.lr = csv.real(i, 4);
    s.images_per_second = csv.real(i, 5);
    s.seconds = csv.real(i, 6);
    steps.push_back(s);
  }
  return steps;
}

// Nested objects become dotted keys; arrays and scalars are leaves. Strings are shown bare.
void flatten(const nlohmann::ordered_json& value, const std::string& key,
             std::vector<std::pair<std::string, std::string>>& out) {
  if (value.is_object() && !value.empty()) {
    for (const auto& [name, child] : value.items()) flatten(child, key.empty() ? name : key + "." + name, out);
    return;
  }
  out.emplace_back(key, value.is_string() ? value.get<std::string>() : value.dump());
}

std::string folder_name(const std::string& folder) {
  std::filesystem::path path = std::filesystem::path(folder).lexically_normal();
  if (path.filename().empty()) path = path.parent_path();  // "runs/a/" -> "runs/a"
  const std::string name = path.filename().string();
  return name.empty() || name == "." || name == ".." ? folder : name;
}

// ---- the page ----

constexpr const char* kStyle = R"(
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; margin: 24px auto; max-width: 1400px;
       padding: 0 16px; color: #222; }
h1 { font-size: 24px; margin-bottom: 4px; }
h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
table { border-collapse: collapse; font-size: 14px; margin-bottom: 8px; }
th, td { padding: 4px 10px; text-align: right; border-bottom: 1px solid #e5e5e5; }
th { background: #f3f3f3; }
th.key, td.key, td.run { text-align: left; }
.summary td { white-space: nowrap; }
td.none { color: #999; }
td.best { font-weight: bold; background: #eef5ff; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.charts svg { width: 560px; max-width: 100%; height: auto; border: 1px solid #e5e5e5; }
.note, .caption { color: #555; font-size: 13px; }
summary { cursor: pointer; color: #444; margin: 8px 0; }
)";

bool finite(double value) { return std::isfinite(value); }

template <typename Format>
std::string cell(double value, Format format, bool best = false) {
  if (!finite(value)) return "<td class=\"none\">&ndash;</td>";
  return std::string(best ? "<td class=\"best\">" : "<td>") + format(value) + "</td>";
}
std::string percent(double fraction) { return fmt::format("{:.2f}%", 100.0 * fraction); }
std::string fixed4(double value) { return fmt::format("{:.4f}", value); }

std::string run_label(const RunRecord& run, size_t index) {
  return fmt::format("<span class=\"swatch\" style=\"background:{}\"></span>{}", series_color(index),
                     escape_xml(run.name));
}

// The epoch with the best test accuracy (the first of equals), or epochs.size() if none has one.
size_t best_epoch(const std::vector<EpochRecord>& epochs) {
  size_t best = epochs.size();
  for (size_t i = 0; i < epochs.size(); ++i) {
    if (finite(epochs[i].test_accuracy) && (best == epochs.size() || epochs[i].test_accuracy > epochs[best].test_accuracy))
      best = i;
  }
  return best;
}

std::string summary_table(const std::vector<RunRecord>& runs) {
  // The run with the best test accuracy is marked.
  size_t winner = runs.size();
  double winner_accuracy = -1;
  for (size_t r = 0; r < runs.size(); ++r) {
    const size_t best = best_epoch(runs[r].epochs);
    if (best < runs[r].epochs.size() && runs[r].epochs[best].test_accuracy > winner_accuracy) {
      winner = r;
      winner_accuracy = runs[r].epochs[best].test_accuracy;
    }
  }
  std::string html =
      "<table class=\"summary\">\n<tr><th class=\"key\">run</th><th>epochs</th><th>best test acc</th>"
      "<th>at epoch</th><th>final test loss</th><th>final test acc</th><th>final train loss</th>"
      "<th>final train acc</th><th>total time (s)</th><th>images/s (last epoch)</th><th>steps</th></tr>\n";
  for (size_t r = 0; r < runs.size(); ++r) {
    const RunRecord& run = runs[r];
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const EpochRecord last = run.epochs.empty() ? EpochRecord{0, nan, nan, nan, nan, nan, 5, nan, nan, nan}
                                                : run.epochs.back();
    const size_t best = best_epoch(run.epochs);
    double seconds = 0;
    for (const EpochRecord& e : run.epochs) seconds += finite(e.seconds) ? e.seconds : 0;
    html += fmt::format("<tr><td class=\"run\">{}</td><td>{}</td>", run_label(run, r), run.epochs.size());
    if (best < run.epochs.size()) {
      html += cell(run.epochs[best].test_accuracy, percent, r == winner);
      html += fmt::format("<td>{}</td>", run.epochs[best].epoch);
    } else {
      html += "<td class=\"none\">&ndash;</td><td class=\"none\">&ndash;</td>";
    }
    html += cell(last.test_loss, fixed4) + cell(last.test_accuracy, percent) + cell(last.train_loss, fixed4) +
            cell(last.train_accuracy, percent);
    html += cell(run.epochs.empty() ? nan : seconds, [](double v) { return fmt::format("{:.1f}", v); });
    html += cell(last.images_per_second, [](double v) { return fmt::format("{:.0f}", v); });
    html += run.has_steps ? fmt::format("<td>{}</td>", run.steps.size()) : "<td class=\"none\">no steps.csv</td>";
    html += "</tr>\n";
  }
  return html + "</table>\n";
}

// Config keys in the order they first appear; those whose value is not the same in every run
// (missing in some counts as different) in one table, the others in a folded one.
std::string config_tables(const std::vector<RunRecord>& runs) {
  std::vector<std::string> keys;
  std::set<std::string> seen;
  std::vector<std::map<std::string, std::string>> values(runs.size());
  for (size_t r = 0; r < runs.size(); ++r) {
    for (const auto& [key, value] : runs[r].config) {
      values[r][key] = value;
      if (seen.insert(key).second) keys.push_back(key);
    }
  }
  std::string differ, same;
  size_t differ_count = 0, same_count = 0;
  for (const std::string& key : keys) {
    const auto first = values[0].find(key);
    bool equal = first != values[0].end();
    for (size_t r = 1; r < runs.size() && equal; ++r) {
      const auto it = values[r].find(key);
      equal = it != values[r].end() && it->second == first->second;
    }
    if (equal) {
      same += fmt::format("<tr><td class=\"key\">{}</td><td class=\"key\">{}</td></tr>\n", escape_xml(key),
                          escape_xml(first->second));
      ++same_count;
      continue;
    }
    differ += fmt::format("<tr><td class=\"key\">{}</td>", escape_xml(key));
    for (size_t r = 0; r < runs.size(); ++r) {
      const auto it = values[r].find(key);
      differ += it == values[r].end() ? "<td class=\"key none\">(absent)</td>"
                                      : fmt::format("<td class=\"key\">{}</td>", escape_xml(it->second));
    }
    differ += "</tr>\n";
    ++differ_count;
  }
  std::string html;
  if (differ_count == 0 && runs.size() > 1) {
    html += "<p class=\"note\">The runs' configurations are identical.</p>\n";
  } else if (differ_count > 0) {
    html += "<table class=\"config-differ\">\n<tr><th class=\"key\">key</th>";
    for (size_t r = 0; r < runs.size(); ++r) html += fmt::format("<th class=\"key\">{}</th>", run_label(runs[r], r));
    html += "</tr>\n" + differ + "</table>\n";
  }
  if (same_count > 0) {
    html += fmt::format(
        "<details><summary>{} key{} equal in every run</summary>\n<table class=\"config-same\">\n"
        "<tr><th class=\"key\">key</th><th class=\"key\">value</th></tr>\n{}</table>\n</details>\n",
        same_count, same_count == 1 ? "" : "s", same);
  }
  return html;
}

// Every k-th point, k as small as leaves at most kMaxStepPoints, and the last point.
Series thin(Series s) {
  const size_t n = s.x.size();
  if (n <= kMaxStepPoints) return s;
  const size_t stride = (n + kMaxStepPoints - 1) / kMaxStepPoints;
  Series out{s.name, {}, {}, s.markers};
  for (size_t i = 0; i < n; i += stride) {
    out.x.push_back(s.x[i]);
    out.y.push_back(s.y[i]);
  }
  if ((n - 1) % stride != 0) {
    out.x.push_back(s.x.back());
    out.y.push_back(s.y.back());
  }
  return out;
}

std::string step_chart(const std::vector<RunRecord>& runs, const char* title, const char* y_label, bool loss) {
  std::vector<Series> series;
  for (const RunRecord& run : runs) {
    Series s{run.name, {}, {}, false};
    for (const StepRecord& step : run.steps) {
      s.x.push_back(static_cast<double>(step.step));
      s.y.push_back(loss ? step.loss : step.lr);
    }
    if (loss) s.y = smooth(s.y, kStepSmoothing);
    series.push_back(thin(std::move(s)));
  }
  return line_chart_svg(title, "step", y_label, series);
}

std::string epoch_chart(const std::vector<RunRecord>& runs, const char* title, const char* y_label,
                        double EpochRecord::*field, double factor) {
  std::vector<Series> series;
  for (const RunRecord& run : runs) {
    Series s{run.name, {}, {}};
    for (const EpochRecord& e : run.epochs) {
      s.x.push_back(static_cast<double>(e.epoch));
      s.y.push_back(e.*field * factor);
    }
    series.push_back(std::move(s));
  }
  return line_chart_svg(title, "epoch", y_label, series);
}

std::string names(const std::vector<const RunRecord*>& runs) {
  std::string text;
  for (size_t i = 0; i < runs.size(); ++i) {
    if (i > 0) text += i + 1 == runs.size() ? " and " : ", ";
    text += "'" + runs[i]->name + "'";
  }
  return text;
}

}  // namespace

RunRecord read_run(const std::string& folder) {
  const std::string where = fmt::format("run '{}'", folder);
  std::error_code error;
  EMBER_CHECK(std::filesystem::exists(folder, error), "{}: no such folder", where);
  EMBER_CHECK(std::filesystem::is_directory(folder, error), "{}: not a folder (a run is the folder `ember train --out` "
              "writes)", where);
  const std::string metrics = folder + "/metrics.csv", config = folder + "/config.json", steps = folder + "/steps.csv";
  for (const std::string& file : {metrics, config}) {
    EMBER_CHECK(std::filesystem::exists(file, error),
                "{}: not a run folder: {} is missing (a run folder, written by `ember train --out`, holds "
                "config.json and metrics.csv)",
                where, file);
  }
  RunRecord run;
  run.folder = folder;
  run.name = folder_name(folder);
  run.epochs = read_metrics(metrics, where + ": " + metrics);
  nlohmann::ordered_json json;
  try {
    json = nlohmann::ordered_json::parse(read_file(config));
  } catch (const nlohmann::json::exception& e) {
    fail("{}: {} is not valid JSON: {}", where, config, e.what());
  }
  EMBER_CHECK(json.is_object(), "{}: {} must hold a JSON object, got a {}", where, config, json.type_name());
  flatten(json, "", run.config);
  run.has_steps = std::filesystem::exists(steps, error);
  if (run.has_steps) run.steps = read_steps(steps, where + ": " + steps);
  return run;
}

std::vector<RunRecord> read_runs(const std::vector<std::string>& folders) {
  EMBER_CHECK(!folders.empty(), "compare: no run folder given");
  std::vector<RunRecord> runs;
  std::map<std::string, int> name_count;
  for (const std::string& folder : folders) {
    RunRecord run = read_run(folder);
    for (const RunRecord& other : runs) {
      std::error_code error;  // the same folder however it is written ("runs/a", "runs/a/", a link to it)
      EMBER_CHECK(!std::filesystem::equivalent(other.folder, folder, error), "compare: run '{}' is given twice{}",
                  folder, other.folder == folder ? "" : fmt::format(" (as '{}' too)", other.folder));
    }
    runs.push_back(std::move(run));
    ++name_count[runs.back().name];
  }
  for (RunRecord& run : runs) {
    if (name_count[run.name] > 1) run.name = run.folder;
  }
  return runs;
}

std::vector<double> smooth(const std::vector<double>& values, double weight) {
  EMBER_CHECK(weight >= 0 && weight < 1, "smooth: weight must be at least 0 and less than 1, got {}", weight);
  std::vector<double> out(values.size());
  double average = 0, norm = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!finite(values[i])) {
      out[i] = values[i];
      continue;
    }
    average = weight * average + (1 - weight) * values[i];
    norm = weight * norm + (1 - weight);
    out[i] = average / norm;
  }
  return out;
}

std::string compare_html(const std::vector<RunRecord>& runs) {
  EMBER_CHECK(!runs.empty(), "compare_html: no runs to compare");
  std::vector<const RunRecord*> with_steps, without_steps;
  for (const RunRecord& run : runs) (run.has_steps ? with_steps : without_steps).push_back(&run);

  std::string title = runs.size() == 1 ? "Run " + runs[0].name : fmt::format("{} runs compared", runs.size());
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{0}</title>\n<style>{1}</style>\n"
      "</head>\n<body>\n<h1>{0}</h1>\n",
      escape_xml(title), kStyle);
  html += "<p class=\"note\">";
  for (size_t r = 0; r < runs.size(); ++r) {
    html += fmt::format("{}{} <code>{}</code>", r == 0 ? "" : "; ", run_label(runs[r], r), escape_xml(runs[r].folder));
  }
  html += "</p>\n<h2>Final and best metrics</h2>\n" + summary_table(runs);

  html += "<h2>Per step</h2>\n";
  if (with_steps.empty()) {
    html += "<p class=\"note steps-missing\">No run has steps.csv (runs from before ember recorded every step): the "
            "curves are per epoch only.</p>\n";
  } else {
    if (!without_steps.empty()) {
      html += fmt::format("<p class=\"note steps-missing\">{} {} no steps.csv (written before ember recorded every "
                          "step): {} only in the per-epoch charts.</p>\n",
                          escape_xml(names(without_steps)), without_steps.size() == 1 ? "has" : "have",
                          without_steps.size() == 1 ? "it is" : "they are");
    }
    html += "<div class=\"charts\">\n" +
            step_chart(runs, "Training loss per step (smoothed)", "loss", true) +
            step_chart(runs, "Learning rate per step", "learning rate", false) + "</div>\n";
    html += fmt::format("<p class=\"caption\">The loss of each step's batch, smoothed by an exponential moving "
                        "average (weight {}, debiased as in TensorBoard).</p>\n",
                        kStepSmoothing);
  }
  html += "<h2>Per epoch</h2>\n<div class=\"charts\">\n" +
          epoch_chart(runs, "Train loss", "loss", &EpochRecord::train_loss, 1) +
          epoch_chart(runs, "Test loss", "loss", &EpochRecord::test_loss, 1) +
          epoch_chart(runs, "Train accuracy", "accuracy (%)", &EpochRecord::train_accuracy, 100) +
          epoch_chart(runs, "Test accuracy", "accuracy (%)", &EpochRecord::test_accuracy, 100) + "</div>\n";
  html += "<h2>Configuration</h2>\n" + config_tables(runs);
  html += "</body>\n</html>\n";
  return html;
}

}  // namespace ember::train
