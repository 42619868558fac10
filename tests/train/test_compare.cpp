// The run comparison page (ember/train/compare.h) on run folders written here: the runs read back,
// one path per run in each chart, the legend and tables, the differing config keys, and the
// errors for folders that are not runs.
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <regex>

#include "ember/core/file.h"
#include "ember/train/compare.h"
#include "support/helpers.h"

using namespace ember;
using namespace ember::train;
namespace fs = std::filesystem;

namespace {

using ember::test::contains;
using ember::test::count;

using ember::test::TempDir;

const std::string kMetricsHeader =
    "epoch,train_loss,train_accuracy,test_loss,test_accuracy,test_topk_accuracy,topk,lr,seconds,images_per_second\n";
const std::string kStepsHeader = "step,epoch,loss,accuracy,lr,images_per_second,seconds\n";

// A run folder as `ember train` leaves it: config.json, metrics.csv and (if `steps` is not empty)
// steps.csv.
void write_run(const std::string& folder, const std::string& config, const std::string& metrics,
               const std::string& steps) {
  fs::create_directories(folder);
  write_file_atomically(folder + "/config.json", config);
  write_file_atomically(folder + "/metrics.csv", kMetricsHeader + metrics);
  if (!steps.empty()) write_file_atomically(folder + "/steps.csv", kStepsHeader + steps);
}

// Steps 1..n of a run whose loss falls from `first` by `drop` per step, at learning rate lr.
std::string steps_csv(int n, double first, double drop, double lr) {
  std::string csv;
  for (int i = 1; i <= n; ++i) csv += fmt::format("{},{},{},0.5,{},1000,0.01\n", i, 1 + (i - 1) / 10, first - drop * i, lr);
  return csv;
}

// The three runs of most tests: "slow" (lr 0.01) and "fast" (lr 0.1) with steps.csv, "old" without.
struct ThreeRuns {
  TempDir dir;
  std::string slow = dir.file("slow"), fast = dir.file("fast"), old = dir.file("old");
  ThreeRuns() {
    write_run(slow,
              R"({"model": "lenet5", "lr": 0.01, "optimizer": {"name": "sgd", "momentum": 0.9}, "epochs": 2,
                  "seed": 1})",
              "1,0.9,0.70,0.5,0.80,0.95,5,0.01,10.5,5000\n2,0.4,0.85,0.3,0.90,0.99,5,0.01,9.5,6000\n",
              steps_csv(20, 2.0, 0.05, 0.01));
    write_run(fast,
              R"({"model": "lenet5", "lr": 0.1, "optimizer": {"name": "sgd", "momentum": 0.5}, "epochs": 2,
                  "seed": 1})",
              "1,0.5,0.88,0.2,0.95,0.99,5,0.1,11,4000\n2,0.3,0.93,0.25,0.93,1,5,0.1,12,4500\n",
              steps_csv(20, 1.5, 0.04, 0.1));
    write_run(old, R"({"model": "lenet5", "lr": 0.01, "epochs": 2, "seed": 1, "hidden": [100, 50]})",
              "1,1.1,0.6,0.7,0.7,0.9,5,0.01,20,3000\n2,0.8,0.75,,,,5,0.01,20,3000\n", "");
  }
};

// The <svg> element whose title (its first bold <text>) is `title`.
std::string chart(const std::string& html, const std::string& title) {
  const size_t at = html.find(">" + title + "</text>");
  REQUIRE_MESSAGE(at != std::string::npos, "no chart titled " << title);
  const size_t begin = html.rfind("<svg", at), end = html.find("</svg>", at);
  return html.substr(begin, end - begin);
}

// The table row (<tr>...</tr>) of `table_class` that contains `needle`.
std::string row(const std::string& html, const std::string& table_class, const std::string& needle) {
  const size_t table = html.find("<table class=\"" + table_class + "\"");
  REQUIRE(table != std::string::npos);
  const size_t table_end = html.find("</table>", table);
  const size_t at = html.find(needle, table);
  REQUIRE_MESSAGE((at != std::string::npos && at < table_end), "no row with " << needle << " in " << table_class);
  const size_t begin = html.rfind("<tr>", at), end = html.find("</tr>", at);
  return html.substr(begin, end - begin);
}

// The cells' texts of a table row, tags removed.
std::vector<std::string> cells(const std::string& tr) {
  std::vector<std::string> out;
  static const std::regex cell("<td[^>]*>(.*?)</td>");
  static const std::regex tag("<[^>]*>");
  for (std::sregex_iterator it(tr.begin(), tr.end(), cell), end; it != end; ++it) {
    out.push_back(std::regex_replace((*it)[1].str(), tag, ""));
  }
  return out;
}

}  // namespace

TEST_CASE("read_run reads metrics.csv, steps.csv and the flattened config") {
  ThreeRuns runs;
  const RunRecord slow = read_run(runs.slow);
  CHECK(slow.name == "slow");
  REQUIRE(slow.epochs.size() == 2);
  CHECK(slow.epochs[1].epoch == 2);
  CHECK(slow.epochs[1].test_accuracy == 0.90);
  CHECK(slow.epochs[0].seconds == 10.5);
  REQUIRE(slow.has_steps);
  REQUIRE(slow.steps.size() == 20);
  CHECK(slow.steps[19].step == 20);
  CHECK(slow.steps[19].epoch == 2);
  CHECK(slow.steps[19].loss == doctest::Approx(1.0));
  CHECK(slow.steps[0].lr == 0.01);
  const std::vector<std::pair<std::string, std::string>> config = {
      {"model", "lenet5"}, {"lr", "0.01"}, {"optimizer.name", "sgd"}, {"optimizer.momentum", "0.9"},
      {"epochs", "2"},     {"seed", "1"}};
  CHECK(slow.config == config);

  const RunRecord old = read_run(runs.old + "/");  // a trailing slash names the same folder
  CHECK(old.name == "old");
  CHECK_FALSE(old.has_steps);
  CHECK(old.steps.empty());
  CHECK(std::isnan(old.epochs[1].test_loss));  // empty fields: no test set
  CHECK(old.config.back() == std::pair<std::string, std::string>{"hidden", "[100,50]"});
}

TEST_CASE("compare_html: one path per run in every chart, legends and tables name each run") {
  ThreeRuns runs;
  const std::string html = compare_html(read_runs({runs.slow, runs.fast, runs.old}));
  CHECK(contains(html, "<!DOCTYPE html>"));
  CHECK_FALSE(contains(html, "<script"));
  CHECK_FALSE(contains(html, " src="));  // self-contained: nothing linked or fetched
  CHECK_FALSE(contains(html, " href="));
  CHECK(count(html, "<svg") == 6);

  for (const char* title : {"Train loss", "Test loss", "Train accuracy", "Test accuracy"}) {
    INFO(title);
    const std::string svg = chart(html, title);
    CHECK(count(svg, "<path") == 3);
    for (const char* color : {"#1f77b4", "#ff7f0e", "#2ca02c"}) CHECK(count(svg, std::string("stroke=\"") + color) == 2);
    CHECK(contains(svg, ">slow</text>"));
    CHECK(contains(svg, ">fast</text>"));
    CHECK(contains(svg, ">old</text>"));
  }
  // Per step: the two runs with steps.csv; "old" is in the legend without data.
  for (const char* title : {"Training loss per step (smoothed)", "Learning rate per step"}) {
    INFO(title);
    const std::string svg = chart(html, title);
    CHECK(count(svg, "<path") == 2);
    CHECK(contains(svg, ">slow</text>"));
    CHECK(contains(svg, ">fast</text>"));
    CHECK(contains(svg, ">old (no data)</text>"));
    CHECK(count(svg, "<circle") == 0);  // no markers on step curves
  }
  CHECK(contains(html, "&#39;old&#39; has no steps.csv"));

  // The final and best metrics.
  CHECK(cells(row(html, "summary", ">slow<")) ==
        std::vector<std::string>{"slow", "2", "90.00%", "2", "0.3000", "90.00%", "0.4000", "85.00%", "20.0", "6000",
                                 "20"});
  CHECK(cells(row(html, "summary", ">fast<")) ==
        std::vector<std::string>{"fast", "2", "95.00%", "1", "0.2500", "93.00%", "0.3000", "93.00%", "23.0", "4500",
                                 "20"});
  CHECK(cells(row(html, "summary", ">old<")) ==
        std::vector<std::string>{"old", "2", "70.00%", "1", "&ndash;", "&ndash;", "0.8000", "75.00%", "40.0", "3000",
                                 "no steps.csv"});
  CHECK(contains(row(html, "summary", ">fast<"), "<td class=\"best\">95.00%"));  // the best run
  CHECK_FALSE(contains(row(html, "summary", ">slow<"), "class=\"best\""));

  // The differing keys, exactly, in their order; the equal ones once, folded.
  const size_t differ = html.find("<table class=\"config-differ\">");
  const std::string differ_table = html.substr(differ, html.find("</table>", differ) - differ);
  CHECK(count(differ_table, "<tr>") == 5);  // the header and four keys
  CHECK(cells(row(html, "config-differ", ">lr<")) == std::vector<std::string>{"lr", "0.01", "0.1", "0.01"});
  CHECK(cells(row(html, "config-differ", ">optimizer.name<")) ==
        std::vector<std::string>{"optimizer.name", "sgd", "sgd", "(absent)"});
  CHECK(cells(row(html, "config-differ", ">optimizer.momentum<")) ==
        std::vector<std::string>{"optimizer.momentum", "0.9", "0.5", "(absent)"});
  CHECK(cells(row(html, "config-differ", ">hidden<")) ==
        std::vector<std::string>{"hidden", "(absent)", "(absent)", "[100,50]"});
  CHECK(html.find(">lr<", differ) < html.find(">optimizer.name<", differ));
  CHECK(contains(html, "<details><summary>3 keys equal in every run</summary>"));
  CHECK(cells(row(html, "config-same", ">model<")) == std::vector<std::string>{"model", "lenet5"});
  CHECK(cells(row(html, "config-same", ">epochs<")) == std::vector<std::string>{"epochs", "2"});
  CHECK(cells(row(html, "config-same", ">seed<")) == std::vector<std::string>{"seed", "1"});
}

TEST_CASE("compare_html without any steps.csv shows the per-epoch curves and says so") {
  ThreeRuns runs;
  const std::string html = compare_html(read_runs({runs.old}));
  CHECK(count(html, "<svg") == 4);
  CHECK(contains(html, "No run has steps.csv"));
  CHECK_FALSE(contains(html, "config-differ"));  // one run: every key is equal
  CHECK(contains(html, "<details><summary>5 keys equal in every run</summary>"));
}

TEST_CASE("the step curve is smoothed and long runs are thinned") {
  const std::vector<double> values = {1, 2, std::nan(""), 3};
  const std::vector<double> same = smooth(values, 0);
  CHECK(same[0] == 1);
  CHECK(same[3] == 3);
  const std::vector<double> smoothed = smooth(values, 0.5);
  CHECK(smoothed[0] == 1);                              // debiased: the first value itself
  CHECK(smoothed[1] == doctest::Approx((0.25 + 1) / 0.75));  // (0.5*0.5*1 + 0.5*2) / (1 - 0.25)
  CHECK(std::isnan(smoothed[2]));
  CHECK(smoothed[3] == doctest::Approx((0.125 + 0.5 + 1.5) / 0.875));
  CHECK_THROWS_WITH_AS(smooth(values, 1), doctest::Contains("weight must be at least 0 and less than 1, got 1"), Error);

  TempDir dir;
  write_run(dir.file("long"), "{}", "1,1,0.5,1,0.5,0.9,5,0.1,1,1\n", steps_csv(10000, 5, 0.0001, 0.1));
  const std::string html = compare_html(read_runs({dir.file("long")}));
  const std::string svg = chart(html, "Learning rate per step");
  const size_t d = svg.find("<path d=\"");
  const std::string path = svg.substr(d, svg.find('"', d + 9) - d);
  CHECK(count(path, "L") == 2000);  // 2001 points: every 5th step and the last one
}

TEST_CASE("two runs with the same folder name are named by their folders") {
  TempDir dir;
  const std::string config = R"({"lr": 0.1})";
  write_run(dir.file("a/run"), config, "1,1,0.5,1,0.5,0.9,5,0.1,1,1\n", "");
  write_run(dir.file("b/run"), config, "1,1,0.5,1,0.5,0.9,5,0.1,1,1\n", "");
  const std::vector<RunRecord> runs = read_runs({dir.file("a/run"), dir.file("b/run")});
  CHECK(runs[0].name == dir.file("a/run"));
  CHECK(runs[1].name == dir.file("b/run"));
  CHECK_THROWS_WITH_AS(read_runs({dir.file("a/run"), dir.file("a/run/")}), doctest::Contains("is given twice"), Error);
  CHECK_THROWS_WITH_AS(read_runs({}), "compare: no run folder given", Error);
}

TEST_CASE("read_run: errors name the run and the file") {
  TempDir dir;
  const std::string good_metrics = "1,1,0.5,1,0.5,0.9,5,0.1,1,1\n";
  auto refused = [&](const std::string& folder, const std::string& message) {
    INFO(folder);
    CHECK_THROWS_WITH_AS(read_run(folder), doctest::Contains(message.c_str()), Error);
  };
  refused(dir.file("missing"), fmt::format("run '{}': no such folder", dir.file("missing")));
  write_file_atomically(dir.file("file"), "x");
  refused(dir.file("file"), "not a folder");
  fs::create_directories(dir.file("empty"));
  refused(dir.file("empty"), fmt::format("not a run folder: {}/metrics.csv is missing", dir.file("empty")));
  write_file_atomically(dir.file("empty") + "/metrics.csv", kMetricsHeader);
  refused(dir.file("empty"), "config.json is missing");

  write_run(dir.file("bad_json"), "{\"lr\": ", good_metrics, "");
  refused(dir.file("bad_json"), "bad_json/config.json is not valid JSON");
  write_run(dir.file("array_json"), "[1]", good_metrics, "");
  refused(dir.file("array_json"), "array_json/config.json must hold a JSON object, got a array");

  write_run(dir.file("short_line"), "{}", good_metrics + "2,0.5,0.6\n", "");
  refused(dir.file("short_line"),
          fmt::format("run '{0}': {0}/metrics.csv: line 3 has 3 fields, expected 10", dir.file("short_line")));
  write_run(dir.file("bad_number"), "{}", "1,abc,0.5,1,0.5,0.9,5,0.1,1,1\n", "");
  refused(dir.file("bad_number"), "metrics.csv: line 2: train_loss must be a number, got 'abc'");
  write_run(dir.file("bad_epoch"), "{}", "1.5,1,0.5,1,0.5,0.9,5,0.1,1,1\n", "");
  refused(dir.file("bad_epoch"), "metrics.csv: line 2: epoch must be an integer, got '1.5'");

  fs::create_directories(dir.file("old_header"));
  write_file_atomically(dir.file("old_header") + "/config.json", "{}");
  write_file_atomically(dir.file("old_header") + "/metrics.csv", "epoch,loss\n1,2\n");
  refused(dir.file("old_header"), "metrics.csv: line 1 is not the header 'epoch,train_loss,");

  write_run(dir.file("bad_steps"), "{}", good_metrics, "1,1,0.5,0.5,0.1,100,0.1\n2,1,x,0.5,0.1,100,0.1\n");
  refused(dir.file("bad_steps"), "steps.csv: line 3: loss must be a number, got 'x'");
  write_run(dir.file("steps_header"), "{}", good_metrics, "");
  write_file_atomically(dir.file("steps_header") + "/steps.csv", "step,loss\n");
  refused(dir.file("steps_header"), "steps.csv: line 1 is not the header 'step,epoch,loss,accuracy,lr,images_per_second,seconds'");

  // A FIFO where metrics.csv belongs is refused, not read forever.
  fs::create_directories(dir.file("fifo"));
  write_file_atomically(dir.file("fifo") + "/config.json", "{}");
  REQUIRE(::mkfifo((dir.file("fifo") + "/metrics.csv").c_str(), 0600) == 0);
  refused(dir.file("fifo"), "metrics.csv");
}
