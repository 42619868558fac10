#include "ember/train/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <system_error>

#include "ember/core/error.h"
#include "ember/core/file.h"
#include "ember/train/config_diff.h"
#include "ember/train/xml_escape.h"

namespace ember::train {

namespace {

constexpr const char* kStyle = R"(
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; margin: 24px auto; max-width: 1320px;
       padding: 0 16px; color: #222; }
h1 { font-size: 24px; margin-bottom: 4px; }
h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.headline { color: #444; margin-top: 0; }
table { border-collapse: collapse; font-size: 14px; }
th, td { padding: 4px 10px; text-align: right; border-bottom: 1px solid #e5e5e5; }
th { background: #f3f3f3; }
tr.best td { font-weight: bold; background: #eef5ff; }
td.none { color: #999; }
.row { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.row img { max-width: 100%; border: 1px solid #e5e5e5; }
figure { margin: 0; text-align: center; }
figure img { image-rendering: pixelated; border: 1px solid #ccc; height: auto; }
figcaption, .caption { color: #555; font-size: 13px; }
table.run th { text-align: left; background: none; font-weight: normal; color: #555; }
table.run td { text-align: left; }
.grid { display: flex; flex-wrap: wrap; gap: 10px; }
.grid figure img { width: 84px; height: auto; }
details summary { cursor: pointer; color: #333; margin: 8px 0; }
pre { background: #f7f7f7; border: 1px solid #e5e5e5; padding: 10px; overflow-x: auto; font-size: 13px; }
)";

bool any_finite(const std::vector<EpochRecord>& history, double EpochRecord::*field) {
  for (const EpochRecord& r : history) {
    if (std::isfinite(r.*field)) return true;
  }
  return false;
}

// One series over the epochs: field * factor.
Series epoch_series(const std::string& name, const std::vector<EpochRecord>& history, double EpochRecord::*field,
                    double factor) {
  Series s{name, {}, {}};
  for (const EpochRecord& r : history) {
    s.x.push_back(static_cast<double>(r.epoch));
    s.y.push_back(r.*field * factor);
  }
  return s;
}

// A table cell: the formatted value, or a gray dash for NaN.
template <typename Format>
std::string cell(double value, Format format) {
  if (!std::isfinite(value)) return "<td class=\"none\">&ndash;</td>";
  return "<td>" + format(value) + "</td>";
}

std::string percent(double fraction) { return fmt::format("{:.2f}%", 100.0 * fraction); }

std::string metrics_table(const std::vector<EpochRecord>& history, bool has_test, size_t best) {
  const int64_t topk = history.empty() ? 5 : history.back().topk;
  std::string html = "<table>\n<tr><th>epoch</th><th>train loss</th><th>train acc</th>";
  if (has_test) html += fmt::format("<th>test loss</th><th>test acc</th><th>test top-{}</th>", topk);
  html += "<th>lr</th><th>seconds</th><th>images/s</th></tr>\n";
  for (size_t i = 0; i < history.size(); ++i) {
    const EpochRecord& r = history[i];
    html += i == best ? "<tr class=\"best\">" : "<tr>";
    html += fmt::format("<td>{}</td>", r.epoch);
    html += cell(r.train_loss, [](double v) { return fmt::format("{:.4f}", v); });
    html += cell(r.train_accuracy, percent);
    if (has_test) {
      html += cell(r.test_loss, [](double v) { return fmt::format("{:.4f}", v); });
      html += cell(r.test_accuracy, percent);
      html += cell(r.test_topk_accuracy, percent);
    }
    html += cell(r.lr, [](double v) { return fmt::format("{:.4g}", v); });
    html += cell(r.seconds, [](double v) { return fmt::format("{:.1f}", v); });
    html += cell(r.images_per_second, [](double v) { return fmt::format("{:.0f}", v); });
    html += "</tr>\n";
  }
  html += "</table>\n";
  return html;
}

// "12 epochs in 340.5 s. Final test accuracy 98.91% (top-5 99.97%), best 99.02% at epoch 10."
std::string headline(const std::vector<EpochRecord>& history, bool has_test, size_t best) {
  if (history.empty()) return "No epochs were recorded.";
  double seconds = 0;
  for (const EpochRecord& r : history) seconds += std::isfinite(r.seconds) ? r.seconds : 0;
  const EpochRecord& last = history.back();
  std::string text = fmt::format("{} epoch{} in {:.1f} s. Final train accuracy {}", history.size(),
                                 history.size() == 1 ? "" : "s", seconds, percent(last.train_accuracy));
  if (has_test && std::isfinite(last.test_accuracy)) {
    text += fmt::format(", test accuracy {}", percent(last.test_accuracy));
    if (std::isfinite(last.test_topk_accuracy)) {
      text += fmt::format(" (top-{} {})", last.topk, percent(last.test_topk_accuracy));
    }
  }
  if (has_test && best < history.size()) {
    text +=
        fmt::format("; best test accuracy {} at epoch {}", percent(history[best].test_accuracy), history[best].epoch);
  }
  return text + ".";
}

void check_file_name(const std::string& dir, const std::string& name, const char* field) {
  if (name.empty()) return;
  EMBER_CHECK(name.find('/') == std::string::npos && name != "." && name != "..",
              "write_report: {} must be a file name inside the report dir, got '{}'", field, name);
  const std::string path = dir + "/" + name;
  std::error_code error;
  EMBER_CHECK(std::filesystem::is_regular_file(path, error), "write_report: {} '{}' does not exist (looked for {})",
              field, name, path);
}

// A small filter grid (LeNet's 6 5x5 filters make a 128x86 PNG) is shown enlarged by a whole
// factor, so that with image-rendering: pixelated every weight stays a crisp square.
std::string size_attributes(const std::string& png_path) {
  const std::string bytes = read_file(png_path);
  if (bytes.size() < 24 || bytes.compare(1, 3, "PNG") != 0) return "";
  auto be32 = [&](size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
    return v;
  };
  const uint32_t width = be32(16), height = be32(20);
  if (width == 0 || height == 0) return "";
  const uint32_t factor = std::max<uint32_t>(1, 320 / std::max(width, height));
  return fmt::format(" width=\"{}\" height=\"{}\"", width * factor, height * factor);
}

std::string filter_figure(const std::string& dir, const std::string& file, const char* caption) {
  return fmt::format("<figure><img src=\"{}\"{} alt=\"{}\"><figcaption>{}</figcaption></figure>\n", escape_xml(file),
                     size_attributes(dir + "/" + file), caption, caption);
}


// ---- per-step charts ----

// Consecutive runs of `per` points averaged into one (the last run may be shorter).
Series thinned(const std::string& name, const std::vector<double>& x, const std::vector<double>& y, size_t per) {
  Series s{name, {}, {}, false};
  for (size_t begin = 0; begin < x.size(); begin += per) {
    const size_t end = std::min(x.size(), begin + per);
    double sx = 0, sy = 0;
    for (size_t i = begin; i < end; ++i) {
      sx += x[i];
      sy += y[i];
    }
    s.x.push_back(sx / static_cast<double>(end - begin));
    s.y.push_back(sy / static_cast<double>(end - begin));
  }
  return s;
}

// TensorBoard's smoothing: an exponential moving average, debiased (divided by 1 - weight^n) so
// that the first steps are not pulled towards 0. NaN losses are skipped and stay NaN.
std::vector<double> smoothed(const std::vector<double>& values, double weight) {
  std::vector<double> out;
  double average = 0, norm = 0;
  for (double v : values) {
    if (!std::isfinite(v)) {
      out.push_back(v);
      continue;
    }
    average = weight * average + (1 - weight) * v;
    norm = weight * norm + (1 - weight);
    out.push_back(average / norm);
  }
  return out;
}

struct StepCharts {
  std::string loss_svg, lr_svg;
};

StepCharts step_charts(const std::vector<StepRow>& steps) {
  if (steps.empty()) return {};
  std::vector<double> x, loss, lr;
  for (const StepRow& r : steps) {
    x.push_back(static_cast<double>(r.step));
    loss.push_back(r.loss);
    lr.push_back(r.lr);
  }
  const size_t per = (steps.size() + kMaxStepPoints - 1) / kMaxStepPoints;
  const std::string each = per == 1 ? "" : fmt::format(" (mean of each {} steps)", per);
  const std::vector<Series> loss_series{
      thinned("raw" + each, x, loss, per),
      thinned(fmt::format("smoothed: EMA, weight {}{}", kLossSmoothing, each), x, smoothed(loss, kLossSmoothing),
              per)};
  return {line_chart_svg("Loss per step", "step", "loss", loss_series),
          line_chart_svg("Learning rate per step", "step", "learning rate", {thinned("lr" + each, x, lr, per)})};
}

// ---- header, misclassified images, config ----

std::string run_header(const RunInfo& run) {
  if (run.version.empty()) return "";
  std::string html = "<table class=\"run\">\n";
  auto row = [&](const char* name, const std::string& value) {
    if (!value.empty()) html += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", name, value);
  };
  row("ember", escape_xml(run.version) + (run.git_commit.empty() ? "" : ", commit " + escape_xml(run.git_commit)));
  row("CPU", escape_xml(run.cpu) + (run.isa.empty() ? "" : ", kernels " + escape_xml(run.isa)));
  row("threads", run.threads > 0 ? fmt::format("{}", run.threads) : "");
  row("date", escape_xml(run.date));
  row("command", run.command_line.empty() ? "" : "<code>" + escape_xml(run.command_line) + "</code>");
  return html + "</table>\n";
}

std::string base64(const std::string& bytes) {
  static constexpr char kDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    if (i + 2 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 2]);
    out += kDigits[(v >> 18) & 63];
    out += kDigits[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kDigits[(v >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kDigits[v & 63] : '=';
  }
  return out;
}

std::string misclassified_grid(const std::vector<MisclassifiedImage>& images, const std::vector<std::string>& names) {
  std::string html;
  for (const MisclassifiedImage& m : images) {
    const std::string truth = escape_xml(names[static_cast<size_t>(m.true_label)]);
    const std::string predicted = escape_xml(names[static_cast<size_t>(m.predicted)]);
    html += fmt::format(
        "<figure class=\"misclassified\"><img src=\"data:image/png;base64,{}\" alt=\"test image {}: true {}, "
        "predicted {}\"><figcaption>true <b>{}</b><br>predicted <b>{}</b></figcaption></figure>\n",
        base64(m.png), m.index, truth, predicted, truth, predicted);
  }
  return html;
}

std::string config_section(const std::string& config, const std::string& defaults) {
  if (config.empty()) return "";
  std::string html = "<h2>Configuration</h2>\n";
  if (!defaults.empty()) {
    const std::vector<ConfigChange> changes = config_diff(config, defaults);
    if (changes.empty()) {
      html += "<p>Every key has its default value.</p>\n";
    } else {
      html += "<table class=\"config-diff\">\n<tr><th>key</th><th>value</th><th>default</th></tr>\n";
      for (const ConfigChange& c : changes) {
        html += fmt::format("<tr><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td></tr>\n",
                            escape_xml(c.key), escape_xml(c.value),
                            c.default_value.empty() ? "&ndash;" : escape_xml(c.default_value));
      }
      html += "</table>\n<p class=\"caption\">The keys whose value differs from the default.</p>\n";
    }
  }
  return html + "<details><summary>Full configuration</summary>\n<pre>" + escape_xml(config) + "</pre>\n</details>\n";
}

}  // namespace

void write_report(const std::string& dir, const ReportInputs& inputs) {
  EMBER_CHECK(!dir.empty(), "write_report: the report dir is empty (report '{}')", inputs.title);
  const std::vector<EpochRecord>& history = inputs.history;
  const bool has_test =
      any_finite(history, &EpochRecord::test_accuracy) || any_finite(history, &EpochRecord::test_loss);
  size_t best = history.size();  // the epoch with the best test accuracy, if any
  for (size_t i = 0; i < history.size(); ++i) {
    if (!std::isfinite(history[i].test_accuracy)) continue;
    if (best == history.size() || history[i].test_accuracy > history[best].test_accuracy) best = i;
  }

  // Render everything first: bad inputs throw before anything is written.
  std::vector<Series> accuracy{epoch_series("train", history, &EpochRecord::train_accuracy, 100)};
  std::vector<Series> loss{epoch_series("train", history, &EpochRecord::train_loss, 1)};
  if (has_test) {
    accuracy.push_back(epoch_series("test", history, &EpochRecord::test_accuracy, 100));
    loss.push_back(epoch_series("test", history, &EpochRecord::test_loss, 1));
  }
  const std::string accuracy_svg = line_chart_svg("Accuracy", "epoch", "accuracy (%)", accuracy);
  const std::string loss_svg = line_chart_svg("Loss", "epoch", "loss", loss);
  std::string confusion_svg;
  if (!inputs.confusion.empty()) {
    EMBER_CHECK(inputs.confusion.size() == inputs.class_names.size() * inputs.class_names.size(),
                "write_report: the confusion matrix has {} counts but there are {} class names (needs {})",
                inputs.confusion.size(), inputs.class_names.size(),
                inputs.class_names.size() * inputs.class_names.size());
    confusion_svg = confusion_matrix_svg(inputs.confusion, inputs.class_names);
  }
  const StepCharts steps = step_charts(inputs.steps);
  for (const MisclassifiedImage& m : inputs.misclassified) {
    const auto k = static_cast<int64_t>(inputs.class_names.size());
    EMBER_CHECK(m.true_label >= 0 && m.true_label < k && m.predicted >= 0 && m.predicted < k && m.true_label != m.predicted,
                "write_report: misclassified test image {} has true label {} and prediction {}; expected two different "
                "classes in [0, {})", m.index, m.true_label, m.predicted, k);
  }
  const std::string config = config_section(inputs.config_json, inputs.default_config_json);
  check_file_name(dir, inputs.filters_before_png, "filters_before_png");
  check_file_name(dir, inputs.filters_after_png, "filters_after_png");

  const std::string title = escape_xml(inputs.title);
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{0}</title>\n<style>{1}</style>\n"
      "</head>\n<body>\n<h1>{0}</h1>\n{3}<p class=\"headline\">{2}</p>\n",
      title, kStyle, escape_xml(headline(history, has_test, best)), run_header(inputs.run));
  html += "<h2>Metrics per epoch</h2>\n" + metrics_table(history, has_test, best);
  if (has_test && best < history.size())
    html += "<p class=\"caption\">The row in bold has the best test accuracy.</p>\n";
  html +=
      "<h2>Curves</h2>\n<div class=\"row\">\n<img src=\"accuracy.svg\" alt=\"accuracy per epoch\">\n"
      "<img src=\"loss.svg\" alt=\"loss per epoch\">\n";
  if (!steps.loss_svg.empty()) {
    html += "<img src=\"step_loss.svg\" alt=\"loss per step\">\n<img src=\"lr.svg\" alt=\"learning rate per step\">\n";
  }
  html += "</div>\n";
  if (!steps.loss_svg.empty()) {
    html += fmt::format(
        "<p class=\"caption\">The smoothed loss is an exponential moving average of every step's loss, weight {} "
        "(TensorBoard's smoothing, debiased).</p>\n", kLossSmoothing);
  }
  if (!confusion_svg.empty()) {
    html +=
        "<h2>Confusion matrix (test set, final model)</h2>\n<div class=\"row\">\n"
        "<img src=\"confusion.svg\" alt=\"confusion matrix\">\n</div>\n"
        "<p class=\"caption\">Rows are the true classes, columns the predicted ones; shading is the fraction of "
        "the row (on a square-root scale, so that small confusions show), and the last column is each class's "
        "accuracy (recall).</p>\n";
  }
  if (!inputs.misclassified.empty()) {
    html += fmt::format("<h2>Misclassified test images (the first {}, final model)</h2>\n<div class=\"grid\">\n",
                        inputs.misclassified.size());
    html += misclassified_grid(inputs.misclassified, inputs.class_names) + "</div>\n";
  }
  if (!inputs.filters_before_png.empty() || !inputs.filters_after_png.empty()) {
    html += "<h2>First convolution's filters</h2>\n<div class=\"row\">\n";
    if (!inputs.filters_before_png.empty()) html += filter_figure(dir, inputs.filters_before_png, "before training");
    if (!inputs.filters_after_png.empty()) html += filter_figure(dir, inputs.filters_after_png, "after training");
    html +=
        "</div>\n<p class=\"caption\">Each filter is scaled on its own: mid-gray is 0, white its largest positive "
        "weight, black its largest negative one. With 3 input channels a filter is one color tile, with 1 a gray "
        "tile; otherwise each row is a filter and each column an input channel.</p>\n";
  }
  if (!inputs.summary_text.empty()) html += "<h2>Model</h2>\n<pre>" + escape_xml(inputs.summary_text) + "</pre>\n";
  html += config;
  html += "</body>\n</html>\n";

  make_directories(dir);
  write_file_atomically(dir + "/accuracy.svg", accuracy_svg);
  write_file_atomically(dir + "/loss.svg", loss_svg);
  if (!steps.loss_svg.empty()) {
    write_file_atomically(dir + "/step_loss.svg", steps.loss_svg);
    write_file_atomically(dir + "/lr.svg", steps.lr_svg);
  }
  if (!confusion_svg.empty()) write_file_atomically(dir + "/confusion.svg", confusion_svg);
  write_file_atomically(dir + "/index.html", html);
}

}  // namespace ember::train
