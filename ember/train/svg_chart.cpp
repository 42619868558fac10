#include "ember/train/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "ember/core/error.h"
#include "ember/train/xml_escape.h"

namespace ember::train {

namespace {

constexpr const char* kFont = "font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\"";

// Width in pixels of `text` at `font_size`, estimated (no font metrics in an SVG writer):
// sans-serif glyphs average about 0.6 em.
double text_width(const std::string& text, double font_size) {
  return 0.6 * font_size * static_cast<double>(text.size());
}

std::string svg_open(double width, double height) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{1:.0f}\" viewBox=\"0 0 {0:.0f} {1:.0f}\" "
      "{2} font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      width, height, kFont);
}

// ---- axes ----

// Heckbert's "nice numbers": 1, 2, 5 or 10 times a power of ten, near x (rounded or ceiled).
double nice_number(double x, bool round) {
  const double exponent = std::floor(std::log10(x));
  const double fraction = x / std::pow(10.0, exponent);
  double nice;
  if (round) {
    nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  } else {
    nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  }
  return nice * std::pow(10.0, exponent);
}

struct Axis {
  double low = 0, high = 1, step = 0.2;
  std::vector<double> ticks;
  int decimals = 1;

  double fraction(double v) const { return (v - low) / (high - low); }
  std::string label(double v) const {
    if (std::abs(v) < step * 1e-6) v = 0;  // no "-0.0"
    if (std::abs(v) >= 1e6) return fmt::format("{:.3g}", v);
    return fmt::format("{:.{}f}", v, decimals);
  }
};

// An axis covering [low, high] with about `target` ticks at nice steps, its ends on ticks.
// An empty range is padded around its value; `integer` keeps steps at 1 or more.
Axis nice_axis(double low, double high, int target, bool integer) {
  if (!(high > low)) {
    const double pad = integer ? 1.0 : (low == 0 ? 1.0 : std::abs(low) * 0.05);
    low -= pad;
    high += pad;
  }
  Axis axis;
  const double range = nice_number(high - low, false);
  axis.step = nice_number(range / (target - 1), true);
  if (integer) axis.step = std::max(axis.step, 1.0);
  axis.low = std::floor(low / axis.step) * axis.step;
  axis.high = std::ceil(high / axis.step) * axis.step;
  if (!(axis.high > axis.low)) axis.high = axis.low + axis.step;  // values too large for the step's precision
  const int count = static_cast<int>(std::lround((axis.high - axis.low) / axis.step));
  for (int i = 0; i <= std::min(count, 50); ++i) axis.ticks.push_back(axis.low + i * axis.step);
  axis.decimals = std::max(0, -static_cast<int>(std::floor(std::log10(axis.step) + 1e-9)));
  return axis;
}

// ---- series styles: colors from Tableau 10 (distinct, colorblind-friendlier), marker shapes ----

constexpr std::array<const char*, 8> kColors = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                                "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

// A marker centered at (x, y): circle, square, triangle, diamond, in turn. No <path>, so a chart
// has exactly one <path> per drawn series.
std::string marker(size_t series_index, double x, double y, const char* color) {
  const double r = 3.5;
  switch (series_index % 4) {
    case 0: return fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{}\" fill=\"{}\"/>", x, y, r, color);
    case 1:
      return fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>", x - r, y - r,
                         2 * r, 2 * r, color);
    case 2:
      return fmt::format("<polygon points=\"{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}\" fill=\"{}\"/>", x, y - 1.2 * r,
                         x - 1.1 * r, y + 0.8 * r, x + 1.1 * r, y + 0.8 * r, color);
    default:
      return fmt::format("<polygon points=\"{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}\" fill=\"{}\"/>", x,
                         y - 1.3 * r, x + 1.3 * r, y, x, y + 1.3 * r, x - 1.3 * r, y, color);
  }
}

bool finite_point(const Series& s, size_t i) { return std::isfinite(s.x[i]) && std::isfinite(s.y[i]); }

}  // namespace

std::string line_chart_svg(const std::string& title, const std::string& x_label, const std::string& y_label,
                           const std::vector<Series>& series) {
  // Data ranges over the finite points.
  double x_min = INFINITY, x_max = -INFINITY, y_min = INFINITY, y_max = -INFINITY;
  bool integer_x = true;
  std::vector<bool> has_data(series.size(), false);
  for (size_t s = 0; s < series.size(); ++s) {
    const Series& line = series[s];
    EMBER_CHECK(line.x.size() == line.y.size(),
                "line_chart_svg: series '{}' of chart '{}' has {} x values but {} y values", line.name, title,
                line.x.size(), line.y.size());
    for (size_t i = 0; i < line.x.size(); ++i) {
      if (!finite_point(line, i)) continue;
      has_data[s] = true;
      x_min = std::min(x_min, line.x[i]);
      x_max = std::max(x_max, line.x[i]);
      y_min = std::min(y_min, line.y[i]);
      y_max = std::max(y_max, line.y[i]);
      integer_x = integer_x && line.x[i] == std::round(line.x[i]);
    }
  }
  const bool any_data = std::find(has_data.begin(), has_data.end(), true) != has_data.end();
  if (!any_data) x_min = x_max = y_min = y_max = 0;
  const Axis x_axis = nice_axis(x_min, x_max, 6, integer_x);
  const Axis y_axis = nice_axis(y_min, y_max, 6, false);

  // Layout: title on top; y label, tick labels, plot, legend from left to right; x tick labels
  // and x label below.
  double y_tick_width = 0;
  for (double t : y_axis.ticks) y_tick_width = std::max(y_tick_width, text_width(y_axis.label(t), 12));
  std::vector<std::string> legend_names;
  double legend_width = 0;
  for (size_t s = 0; s < series.size(); ++s) {
    legend_names.push_back(has_data[s] ? series[s].name : series[s].name + " (no data)");
    legend_width = std::max(legend_width, 36 + text_width(legend_names.back(), 12));
  }
  const double left = 20 + 10 + y_tick_width + 10, top = 46, bottom = 54;
  const double right = series.empty() ? 20 : legend_width + 32;
  const double plot_width = std::max(400.0, 640 - left - right), plot_height = 300;
  const double width = left + plot_width + right, height = top + plot_height + bottom;
  auto px = [&](double x) { return left + x_axis.fraction(x) * plot_width; };
  auto py = [&](double y) { return top + (1 - y_axis.fraction(y)) * plot_height; };

  std::string svg = svg_open(width, height);
  svg += fmt::format(
      "<text x=\"{:.1f}\" y=\"26\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">{}</text>\n",
      left + plot_width / 2, escape_xml(title));
  // Grid and tick labels.
  svg += "<g stroke=\"#e3e3e3\" stroke-width=\"1\">\n";
  for (double t : x_axis.ticks) {
    svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\"/>\n", px(t), top,
                       top + plot_height);
  }
  for (double t : y_axis.ticks) {
    svg += fmt::format("<line x1=\"{1:.1f}\" y1=\"{0:.1f}\" x2=\"{2:.1f}\" y2=\"{0:.1f}\"/>\n", py(t), left,
                       left + plot_width);
  }
  svg += "</g>\n<g fill=\"#333\">\n";
  for (double t : x_axis.ticks) {
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", px(t),
                       top + plot_height + 18, x_axis.label(t));
  }
  for (double t : y_axis.ticks) {
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 8, py(t) + 4,
                       y_axis.label(t));
  }
  svg += "</g>\n";
  svg += fmt::format(
      "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"none\" stroke=\"#555\"/>\n", left, top,
      plot_width, plot_height);
  // Axis labels.
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-size=\"13\">{}</text>\n",
                     left + plot_width / 2, top + plot_height + 42, escape_xml(x_label));
  svg += fmt::format(
      "<text transform=\"translate(18 {:.1f}) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">{}</text>\n",
      top + plot_height / 2, escape_xml(y_label));
  if (!any_data) {
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" fill=\"#888\">no data</text>\n",
                       left + plot_width / 2, top + plot_height / 2);
  }

  // Lines (one path each, a new subpath after a skipped point), then markers on top.
  for (size_t s = 0; s < series.size(); ++s) {
    if (!has_data[s]) continue;
    const Series& line = series[s];
    const char* color = kColors[s % kColors.size()];
    std::string d;
    bool pen_down = false;
    for (size_t i = 0; i < line.x.size(); ++i) {
      if (!finite_point(line, i)) {
        pen_down = false;
        continue;
      }
      d += fmt::format("{}{:.1f} {:.1f} ", pen_down ? "L" : "M", px(line.x[i]), py(line.y[i]));
      pen_down = true;
    }
    d.pop_back();
    svg += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" stroke-linejoin=\"round\"/>\n", d,
                       color);
    if (!line.markers) continue;
    svg += "<g>";
    for (size_t i = 0; i < line.x.size(); ++i) {
      if (finite_point(line, i)) svg += marker(s, px(line.x[i]), py(line.y[i]), color);
    }
    svg += "</g>\n";
  }

  // Legend, outside the plot on the right.
  const double legend_x = left + plot_width + 16;
  for (size_t s = 0; s < series.size(); ++s) {
    const char* color = kColors[s % kColors.size()];
    const double y = top + 10 + 20 * static_cast<double>(s);
    svg +=
        fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" stroke-width=\"2\"/>",
                    legend_x, y, legend_x + 24, y, color);
    if (series[s].markers) svg += marker(s, legend_x + 12, y, color);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\"{}>{}</text>\n", legend_x + 30, y + 4,
                       has_data[s] ? "" : " fill=\"#888\"", escape_xml(legend_names[s]));
  }
  svg += "</svg>\n";
  return svg;
}

std::string confusion_matrix_svg(const std::vector<int64_t>& counts, const std::vector<std::string>& class_names) {
  const size_t k = class_names.size();
  EMBER_CHECK(k > 0, "confusion_matrix_svg: no class names (got {} counts)", counts.size());
  EMBER_CHECK(counts.size() == k * k, "confusion_matrix_svg: {} class names need {}x{} = {} counts, got {}", k, k, k,
              k * k, counts.size());
  std::vector<int64_t> row_total(k, 0);
  int64_t total = 0, correct = 0, largest = 0;
  for (size_t r = 0; r < k; ++r) {
    for (size_t c = 0; c < k; ++c) {
      const int64_t n = counts[r * k + c];
      EMBER_CHECK(n >= 0, "confusion_matrix_svg: count at row {} ('{}'), column {} ('{}') is negative: {}", r,
                  class_names[r], c, class_names[c], n);
      row_total[r] += n;
      largest = std::max(largest, n);
    }
    total += row_total[r];
    correct += counts[r * k + r];
  }

  // Layout: title; "predicted" and the column names on top; "true" and the row names on the
  // left; the k x k cells; the recall column on the right.
  const double cell = std::clamp(std::round(560.0 / static_cast<double>(k)), 14.0, 56.0);
  const double digits = static_cast<double>(fmt::format("{}", largest).size());
  const double count_font = std::clamp(cell * 0.85 / (0.6 * digits), 6.0, 13.0);
  const double name_font = std::min(12.0, std::max(7.0, cell * 0.7));
  double name_width = 0;
  for (const std::string& name : class_names) name_width = std::max(name_width, text_width(name, name_font));
  const bool rotate_columns = name_width > cell - 4;
  const double column_label_height = rotate_columns ? name_width * 0.71 + name_font + 6 : name_font + 8;
  const double left = 20 + 10 + name_width + 8;
  const double top = 40 + 22 + column_label_height;
  const double grid = cell * static_cast<double>(k);
  const double recall_width = 64;
  const std::string title =
      total > 0 ? fmt::format("Confusion matrix: accuracy {:.2f}% ({} / {})",
                              100.0 * static_cast<double>(correct) / static_cast<double>(total), correct, total)
                : std::string("Confusion matrix: no samples");
  // Rotated column names lean right, past the last column.
  const double overhang = rotate_columns ? name_width * 0.71 + 8 : 0;
  const double width = std::max({left + grid + recall_width + 16, left + grid + overhang, text_width(title, 16) + 40});
  const double height = top + grid + 20;

  std::string svg = svg_open(width, height);
  svg += fmt::format(
      "<text x=\"{:.1f}\" y=\"26\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">{}</text>\n", width / 2,
      escape_xml(title));
  svg += fmt::format("<text x=\"{:.1f}\" y=\"54\" text-anchor=\"middle\" font-size=\"13\">predicted class</text>\n",
                     left + grid / 2);
  svg += fmt::format(
      "<text transform=\"translate(18 {:.1f}) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">"
      "true class</text>\n",
      top + grid / 2);
  if (rotate_columns) {  // rotated like the class names, so they stay parallel and never cross
    svg += fmt::format("<text transform=\"translate({:.1f} {:.1f}) rotate(-45)\" font-size=\"12\">recall</text>\n",
                       left + grid + recall_width / 2 - 8, top - 6);
  } else {
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-size=\"12\">recall</text>\n",
                       left + grid + recall_width / 2, top - 6);
  }

  // Class names on both axes.
  svg += fmt::format("<g font-size=\"{:.1f}\" fill=\"#222\">\n", name_font);
  for (size_t i = 0; i < k; ++i) {
    const std::string name = escape_xml(class_names[i]);
    const double center = static_cast<double>(i) * cell + cell / 2;
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 6,
                       top + center + name_font * 0.35, name);
    if (rotate_columns) {
      svg += fmt::format("<text transform=\"translate({:.1f} {:.1f}) rotate(-45)\">{}</text>\n",
                         left + center + name_font * 0.3, top - 6, name);
    } else {
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", left + center, top - 6,
                         name);
    }
  }
  svg += "</g>\n";

  // Cells: white (0) to dark blue (1) by the square root of the row-normalized fraction, so that
  // the few mistakes (a 1% confusion is 10% blue) stand out from the empty cells; the count on top.
  svg += fmt::format("<g font-size=\"{:.1f}\" text-anchor=\"middle\">\n", count_font);
  for (size_t r = 0; r < k; ++r) {
    for (size_t c = 0; c < k; ++c) {
      const int64_t n = counts[r * k + c];
      const double f = row_total[r] > 0 ? std::sqrt(static_cast<double>(n) / static_cast<double>(row_total[r])) : 0.0;
      const auto mix = [f](double from, double to) { return static_cast<int>(std::lround(from + (to - from) * f)); };
      const double x = left + static_cast<double>(c) * cell, y = top + static_cast<double>(r) * cell;
      svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"rgb({},{},{})\"/>",
                         x, y, cell, cell, mix(255, 8), mix(255, 48), mix(255, 107));
      const char* ink = f > 0.5 ? "white" : n == 0 ? "#b0b0b0" : "#222";
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" fill=\"{}\">{}</text>\n", x + cell / 2,
                         y + cell / 2 + count_font * 0.35, ink, n);
    }
  }
  svg += "</g>\n";
  svg += fmt::format(
      "<rect x=\"{0:.1f}\" y=\"{1:.1f}\" width=\"{2:.1f}\" height=\"{2:.1f}\" fill=\"none\" stroke=\"#555\"/>\n", left,
      top, grid);

  // Per-class recall at the end of each row.
  svg += fmt::format("<g font-size=\"{:.1f}\" text-anchor=\"middle\" fill=\"#222\">\n", std::min(12.0, name_font));
  for (size_t r = 0; r < k; ++r) {
    const std::string recall =
        row_total[r] > 0
            ? fmt::format("{:.1f}%", 100.0 * static_cast<double>(counts[r * k + r]) / static_cast<double>(row_total[r]))
            : std::string("n/a");
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", left + grid + recall_width / 2,
                       top + static_cast<double>(r) * cell + cell / 2 + name_font * 0.35, recall);
  }
  svg += "</g>\n</svg>\n";
  return svg;
}

}  // namespace ember::train
