#pragma once
// Standalone SVG charts for the experiment report: a line chart and a confusion matrix.
// Each function returns a complete SVG document (with xmlns and a viewBox, so it scales), with no
// scripts and no external fonts or stylesheets. Every string is XML-escaped.
#include <cstdint>
#include <string>
#include <vector>

namespace ember::train {

// One line of a chart: points (x[i], y[i]). Points where x or y is NaN or infinite are skipped
// and break the line (the parts either side are not joined).
struct Series {
  std::string name;
  std::vector<double> x, y;
  bool markers = true;  // a marker at each point; off for dense per-step series
};

// A line chart: title, x and y axes with "nice" ticks (1, 2 or 5 times a power of ten; integer
// ticks when every x is an integer, as epochs are) and their labels, a light grid, one <path>
// per series that has a finite point (with a marker at each point unless Series::markers is off, a distinct color and marker
// shape per series), and a legend to the right of the plot area so it never covers the lines.
// A single point or all-equal values get a padded range around the value. A series with no
// finite point is listed in the legend as "(no data)" and draws nothing.
// Throws ember::Error if a series' x and y differ in length (naming the series and both sizes).
std::string line_chart_svg(const std::string& title, const std::string& x_label, const std::string& y_label,
                           const std::vector<Series>& series);

// A k x k confusion matrix: counts[row * k + column], row = true class, column = predicted class,
// k = class_names.size(). Cells are shaded by the row-normalized fraction (white 0 to dark blue
// 1, through a square root so that 1% confusions are visible) and show their count; class names label the rows (left)
// and the columns (top); each row ends with that class's accuracy (recall = diagonal / row total, "n/a" for an empty
// row); the title gives the overall accuracy (trace / total). Throws ember::Error if class_names is empty,
// counts.size() != k*k, or a count is negative.
std::string confusion_matrix_svg(const std::vector<int64_t>& counts, const std::vector<std::string>& class_names);

}  // namespace ember::train
