// The experiment report: SVG line charts and confusion matrix, the filter PNG grid (read back
// with stb_image), and write_report's files.
#include <unistd.h>

#include <array>
#include <cctype>
#include <cmath>
#include <filesystem>

#include <regex>

#include "ember/core/file.h"
#include "support/helpers.h"
#include "ember/kernels/isa/isa.h"
#include "ember/train/config_diff.h"
#include "ember/train/report.h"
#include "ember/train/run_info.h"
#include "ember/train/xml_escape.h"
#include "ember/version.h"
#include "train_fixtures.h"

#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>

using namespace ember;
using namespace ember::train;
namespace fs = std::filesystem;

namespace {

using ember::test::contains;
using ember::test::count;

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// A fresh folder under the system's temp dir, removed with everything in it at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() / fmt::format("ember-report-test-{}-{}", ::getpid(), counter++);
    fs::remove_all(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string str(const std::string& name = "") const { return name.empty() ? path.string() : (path / name).string(); }
};

// A PNG read back as 8-bit RGB.
struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;
  std::array<int, 3> at(int x, int y) const {
    const size_t i = (static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) * 3;
    return {rgb[i], rgb[i + 1], rgb[i + 2]};
  }
};

Image read_png(const std::string& path) {
  const std::string bytes = read_file(path);
  REQUIRE(bytes.substr(1, 3) == "PNG");
  Image image;
  int channels = 0;
  unsigned char* pixels =
      stbi_load_from_memory(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()),
                            &image.width, &image.height, &channels, 3);
  REQUIRE(pixels != nullptr);
  image.rgb.assign(pixels, pixels + static_cast<size_t>(image.width) * static_cast<size_t>(image.height) * 3);
  stbi_image_free(pixels);
  return image;
}

using RGB = std::array<int, 3>;
const RGB white{255, 255, 255}, black{0, 0, 0}, gray{128, 128, 128};

}  // namespace

TEST_CASE("line chart: series, axes, legend, one path per series, no NaN text") {
  const double nan = std::nan("");
  const std::string svg =
      line_chart_svg("Loss <per> epoch", "epoch", "loss & more",
                     {{"train", {1, 2, 3, 4}, {2.3, 0.9, 0.5, 0.4}}, {"test", {1, 2, 3, 4}, {2.1, nan, 0.6, 0.55}}});
  CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
  CHECK(contains(svg, "</svg>"));
  CHECK(contains(svg, ">train</text>"));
  CHECK(contains(svg, ">test</text>"));
  CHECK(contains(svg, ">epoch</text>"));
  CHECK(contains(svg, ">loss &amp; more</text>"));
  CHECK(contains(svg, "Loss &lt;per&gt; epoch"));
  CHECK(count(svg, "<path") == 2);
  CHECK_FALSE(contains(lower(svg), "nan"));
  CHECK_FALSE(contains(lower(svg), "inf"));
  // The NaN point breaks the test line into two subpaths: 2.1 alone, then 0.6 -> 0.55.
  const size_t test_path = svg.find("<path", svg.find("<path") + 1);
  const std::string d = svg.substr(test_path, svg.find("/>", test_path) - test_path);
  CHECK(count(d, "M") == 2);
  CHECK(count(d, "L") == 1);
}

TEST_CASE("line chart: integer x (epochs) gets whole-number ticks") {
  const std::string svg = line_chart_svg("t", "epoch", "y", {{"a", {1, 2, 3}, {10, 40, 30}}});
  for (const char* tick : {">1</text>", ">2</text>", ">3</text>"}) CHECK(contains(svg, tick));
  CHECK_FALSE(contains(svg, ">1.5</text>"));
  CHECK_FALSE(contains(svg, ">2.5</text>"));
  CHECK_FALSE(contains(svg, ".0</text>"));
}

TEST_CASE("line chart: a single point, flat lines, empty and all-NaN series") {
  SUBCASE("one point") {
    const std::string svg = line_chart_svg("one", "epoch", "accuracy (%)", {{"train", {1}, {97.5}}});
    CHECK(count(svg, "<path") == 1);
    CHECK(count(svg, "<circle") == 2);  // the point and its legend marker
    CHECK_FALSE(contains(lower(svg), "nan"));
    CHECK(contains(svg, ">1</text>"));
  }
  SUBCASE("all values equal, fractional x") {
    const std::string svg =
        line_chart_svg("flat", "x", "y", {{"a", {0.5, 1.5, 2.5}, {3, 3, 3}}, {"b", {0.5, 2.5}, {0, 0}}});
    CHECK(count(svg, "<path") == 2);
    CHECK_FALSE(contains(lower(svg), "nan"));
    CHECK_FALSE(contains(lower(svg), "inf"));
  }
  SUBCASE("no data at all") {
    const double nan = std::nan("");
    const std::string svg = line_chart_svg("empty", "x", "y", {{"train", {}, {}}, {"test", {1, 2}, {nan, nan}}});
    CHECK(count(svg, "<path") == 0);
    CHECK(contains(svg, "no data"));
    CHECK(contains(svg, ">test (no data)</text>"));
    CHECK_FALSE(contains(lower(svg), "nan"));
    CHECK_FALSE(line_chart_svg("none", "x", "y", {}).empty());
  }
  SUBCASE("x and y of different lengths") {
    test::check_error(
        [] {
          line_chart_svg("c", "x", "y", {{"train", {1, 2, 3}, {1, 2}}});
        },
        {"line_chart_svg", "'train'", "3 x values", "2 y values"});
  }
}

TEST_CASE("confusion matrix: counts, class names, recall, accuracy, escaping") {
  const std::vector<int64_t> counts = {50, 3,  0,   //
                                       7,  41, 2,   //
                                       0,  0,  0};  // no sample of the third class
  const std::string svg = confusion_matrix_svg(counts, {"cat", "dog", "a<b&c"});
  for (int64_t n : counts) CHECK(contains(svg, fmt::format(">{}</text>", n)));
  CHECK(contains(svg, ">cat</text>"));
  CHECK(contains(svg, ">dog</text>"));
  CHECK(count(svg, ">a&lt;b&amp;c</text>") == 2);  // row and column
  CHECK_FALSE(contains(svg, "a<b&c"));
  CHECK(contains(svg, "accuracy 88.35% (91 / 103)"));
  CHECK(contains(svg, ">94.3%</text>"));  // 50 / 53
  CHECK(contains(svg, ">82.0%</text>"));  // 41 / 50
  CHECK(contains(svg, ">n/a</text>"));
  CHECK_FALSE(contains(lower(svg), "nan"));

  SUBCASE("long names and many classes still render") {
    std::vector<std::string> names;
    std::vector<int64_t> many(100 * 100, 1);
    for (int i = 0; i < 100; ++i) names.push_back(fmt::format("class number {}", i));
    const std::string big = confusion_matrix_svg(many, names);
    CHECK(count(big, "<rect") == 100 * 100 + 2);  // cells, background, frame
    CHECK(contains(big, "class number 99"));
  }
  SUBCASE("bad inputs") {
    test::check_error(
        [] {
          confusion_matrix_svg({1, 2, 3}, {"a", "b"});
        },
        {"confusion_matrix_svg", "2x2 = 4", "got 3"});
    test::check_error([] { confusion_matrix_svg({}, {}); }, {"confusion_matrix_svg", "no class names"});
    test::check_error([] { confusion_matrix_svg({1, -2, 3, 4}, {"a", "b"}); }, {"row 0 ('a')", "column 1 ('b')", "-2"});
  }
}

TEST_CASE("filter grid PNG: one input channel, +1 white, -1 black, 0 mid-gray") {
  TempDir dir;
  fs::create_directories(dir.path);
  // Filter 0: +1 on the top row, -1 on the bottom row, 0 in the middle. Filter 1: 0.5 and -0.25
  // (scaled on its own: 0.5 -> white, -0.25 -> a quarter below mid-gray).
  Tensor w = zeros({2, 1, 3, 3});
  for (int64_t x = 0; x < 3; ++x) {
    w.set({0, 0, 0, x}, 1.0f);
    w.set({0, 0, 2, x}, -1.0f);
    w.set({1, 0, 0, x}, 0.5f);
    w.set({1, 0, 1, x}, -0.25f);
  }
  const int scale = 4, border = 2, tile = 3 * scale;
  write_filter_grid_png(w, dir.str("f.png"), scale);
  const Image image = read_png(dir.str("f.png"));
  CHECK(image.width == 2 * (tile + border) + border);  // two tiles side by side
  CHECK(image.height == tile + 2 * border);
  auto pixel = [&](int filter, int ky, int kx) {  // the center of kernel pixel (ky, kx)
    return image.at(border + filter * (tile + border) + kx * scale + scale / 2, border + ky * scale + scale / 2);
  };
  for (int kx = 0; kx < 3; ++kx) {
    CHECK(pixel(0, 0, kx) == white);
    CHECK(pixel(0, 1, kx) == gray);
    CHECK(pixel(0, 2, kx) == black);
    CHECK(pixel(1, 0, kx) == white);
    CHECK(pixel(1, 1, kx) == RGB{64, 64, 64});
    CHECK(pixel(1, 2, kx) == gray);
  }
  // Nearest-neighbour: every pixel of a block has the block's value; borders are not gray.
  CHECK(image.at(border, border) == white);
  CHECK(image.at(border + scale - 1, border + scale - 1) == white);
  const RGB edge = image.at(0, 0);
  CHECK(edge != white);
  CHECK(edge != black);
  CHECK_FALSE((edge[0] == edge[1] && edge[1] == edge[2]));
  CHECK(image.at(border + tile, border) == edge);  // between the two tiles
}

TEST_CASE("filter grid PNG: RGB tiles for 3 input channels, rows of channels otherwise") {
  TempDir dir;
  fs::create_directories(dir.path);
  SUBCASE("[4, 3, 5, 5]: a 2x2 grid of color tiles") {
    Tensor w = zeros({4, 3, 5, 5});
    w.set({0, 0, 0, 0}, 2.0f);  // filter 0, top-left: red +max, green 0, blue -max
    w.set({0, 2, 0, 0}, -2.0f);
    w.set({3, 1, 4, 4}, 1.0f);  // filter 3, bottom-right: green
    const int scale = 2, border = 2, tile = 5 * scale;
    write_filter_grid_png(w, dir.str("rgb.png"), scale);
    const Image image = read_png(dir.str("rgb.png"));
    CHECK(image.width == 2 * (tile + border) + border);
    CHECK(image.height == 2 * (tile + border) + border);
    CHECK(image.at(border, border) == RGB{255, 128, 0});
    CHECK(image.at(border + 2, border + 2) == gray);
    const int last = border + (tile + border) + tile - 1;  // filter 3 is row 1, column 1
    CHECK(image.at(last, last) == RGB{128, 255, 128});
    CHECK(image.at(border + (tile + border), border) == gray);  // filter 1: all zero
  }
  SUBCASE("[3, 2, 3, 3]: filters as rows, input channels as columns, one scale per filter") {
    Tensor w = zeros({3, 2, 3, 3});
    w.set({1, 0, 0, 0}, 4.0f);
    w.set({1, 1, 0, 0}, -2.0f);
    const int scale = 1, border = 2, tile = 3;
    write_filter_grid_png(w, dir.str("rows.png"), scale);
    const Image image = read_png(dir.str("rows.png"));
    CHECK(image.width == 2 * (tile + border) + border);
    CHECK(image.height == 3 * (tile + border) + border);
    const int row1 = border + (tile + border);
    CHECK(image.at(border, row1) == white);
    CHECK(image.at(border + tile + border, row1) == RGB{64, 64, 64});  // -2 of max 4
    CHECK(image.at(border, border) == gray);
  }
  SUBCASE("bad weights") {
    test::check_error(
        [&] {
          write_filter_grid_png(zeros({2, 3, 3}), dir.str("x.png"));
        },
        {"write_filter_grid_png", "float32 [2, 3, 3]", "x.png"});
    test::check_error(
        [&] {
          write_filter_grid_png(zeros({2, 1, 3, 3}, DType::i64), dir.str("x.png"));
        },
        {"write_filter_grid_png", "int64"});
    test::check_error([&] { write_filter_grid_png(zeros({0, 1, 3, 3}), dir.str("x.png")); }, {"empty"});
    test::check_error([&] { write_filter_grid_png(zeros({1, 1, 3, 3}), dir.str("x.png"), 0); }, {"scale", "got 0"});
    CHECK_FALSE(fs::exists(dir.str("x.png")));
  }
}

TEST_CASE("write_report writes the charts, the confusion matrix and an index that links them") {
  TempDir dir;
  const std::string report = dir.str("run/report");  // created by write_report
  const double nan = std::nan("");
  ReportInputs in;
  in.title = "lenet5 on <MNIST> & co";
  for (int64_t e = 1; e <= 3; ++e) {
    EpochRecord r;
    r.epoch = e;
    r.train_loss = 1.0 / static_cast<double>(e);
    r.train_accuracy = 0.8 + 0.05 * static_cast<double>(e);
    r.test_loss = e == 2 ? nan : 0.9 / static_cast<double>(e);
    r.test_accuracy = e == 2 ? nan : 0.82 + 0.04 * static_cast<double>(e);
    r.test_topk_accuracy = 0.99;
    r.lr = 0.01;
    r.seconds = 12.5;
    r.images_per_second = 4800;
    in.history.push_back(r);
  }
  in.confusion = {9, 1, 2, 8};
  in.class_names = {"zero", "one"};
  in.config_json = R"({"model": "lenet5", "note": "<b>"})";
  in.summary_text = "conv1 (Conv2d) [1, 6, 28, 28]\ntotal params: 61706";

  SUBCASE("everything") {
    fs::create_directories(report);
    write_filter_grid_png(test::random_tensor({6, 1, 5, 5}, 1), report + "/filters_before.png");
    write_filter_grid_png(test::random_tensor({6, 1, 5, 5}, 2), report + "/filters_after.png");
    in.filters_before_png = "filters_before.png";
    in.filters_after_png = "filters_after.png";
    write_report(report, in);
    for (const char* name : {"index.html", "accuracy.svg", "loss.svg", "confusion.svg"}) {
      INFO(name);
      CHECK(fs::is_regular_file(report + "/" + name));
    }
    const std::string html = read_file(report + "/index.html");
    for (const char* link : {"src=\"accuracy.svg\"", "src=\"loss.svg\"", "src=\"confusion.svg\"",
                             "src=\"filters_before.png\"", "src=\"filters_after.png\""}) {
      INFO(link);
      CHECK(contains(html, link));
    }
    CHECK(contains(html, "src=\"filters_after.png\" width=\"256\" height=\"172\""));  // 128x86, shown 2x
    CHECK(contains(html, "<title>lenet5 on &lt;MNIST&gt; &amp; co</title>"));
    CHECK(contains(html, "&quot;note&quot;: &quot;&lt;b&gt;&quot;"));
    CHECK(contains(html, "total params: 61706"));
    CHECK(contains(html, "test top-5"));
    CHECK(contains(html, "<td>94.00%</td>"));  // epoch 3's test accuracy
    CHECK(contains(html, "<tr class=\"best\"><td>3</td>"));
    CHECK_FALSE(contains(lower(html), "nan"));
    CHECK_FALSE(contains(html, "<script"));
    CHECK_FALSE(contains(html, "http"));  // nothing external
    const std::string accuracy = read_file(report + "/accuracy.svg");
    CHECK(contains(accuracy, ">train</text>"));
    CHECK(contains(accuracy, ">test</text>"));
    CHECK(contains(accuracy, ">accuracy (%)</text>"));
    CHECK_FALSE(contains(lower(accuracy), "nan"));
    CHECK(contains(read_file(report + "/confusion.svg"), "accuracy 85.00% (17 / 20)"));
    for (const auto& entry : fs::directory_iterator(report)) {
      CHECK(entry.path().string().find(".tmp.") == std::string::npos);  // no leftover temporaries
    }
  }
  SUBCASE("no test set: no confusion.svg, train curves only") {
    for (EpochRecord& r : in.history) r.test_loss = r.test_accuracy = r.test_topk_accuracy = nan;
    in.confusion.clear();
    write_report(report, in);
    CHECK(fs::is_regular_file(report + "/index.html"));
    CHECK_FALSE(fs::exists(report + "/confusion.svg"));
    const std::string html = read_file(report + "/index.html");
    CHECK_FALSE(contains(html, "confusion.svg"));
    CHECK_FALSE(contains(html, "test acc"));
    CHECK(count(read_file(report + "/loss.svg"), "<path") == 1);
  }
  SUBCASE("bad inputs write nothing") {
    in.class_names = {"zero", "one", "two"};
    test::check_error([&] { write_report(report, in); }, {"write_report", "4 counts", "3 class names"});
    in.class_names = {"zero", "one"};
    in.filters_before_png = "../escape.png";
    test::check_error([&] { write_report(report, in); }, {"filters_before_png", "../escape.png"});
    in.filters_before_png = "missing.png";
    test::check_error([&] { write_report(report, in); }, {"filters_before_png", "missing.png", "does not exist"});
    CHECK_FALSE(fs::exists(report));
  }
}

namespace {

// The number of points of each <path> in an SVG, in order (each "M" or "L" is one point).
std::vector<size_t> path_points(const std::string& svg) {
  std::vector<size_t> points;
  for (size_t at = svg.find("<path d=\""); at != std::string::npos; at = svg.find("<path d=\"", at + 1)) {
    const size_t end = svg.find('"', at + 9);
    const std::string d = svg.substr(at + 9, end - at - 9);
    points.push_back(static_cast<size_t>(std::count(d.begin(), d.end(), 'M') + std::count(d.begin(), d.end(), 'L')));
  }
  return points;
}

std::vector<train::StepRow> fake_steps(size_t n) {
  std::vector<train::StepRow> rows;
  for (size_t i = 1; i <= n; ++i) {
    train::StepRow r;
    r.step = static_cast<int64_t>(i);
    r.epoch = 1;
    r.loss = 2.0 / static_cast<double>(i) + (i % 2 ? 0.1 : 0.0);
    r.lr = i < n / 2 ? 0.1 : 0.01;
    rows.push_back(r);
  }
  return rows;
}

}  // namespace

TEST_CASE("write_report: per-step loss (raw and smoothed) and learning-rate charts, thinned past 1000 steps") {
  for (const auto& [steps, points] : std::vector<std::pair<size_t, size_t>>{{40, 40}, {1000, 1000}, {2500, 834}}) {
    INFO(steps << " steps");
    TempDir dir;
    ReportInputs inputs;
    inputs.title = "steps";
    inputs.steps = fake_steps(steps);
    write_report(dir.str(), inputs);
    const std::string loss = read_file(dir.str("step_loss.svg")), lr = read_file(dir.str("lr.svg"));
    CHECK(path_points(loss) == std::vector<size_t>{points, points});  // raw, smoothed
    CHECK(path_points(lr) == std::vector<size_t>{points});
    CHECK(contains(loss, ">smoothed: EMA, weight 0.9"));
    CHECK(contains(loss, "mean of each 3 steps") == (steps == 2500));
    CHECK(count(loss, "<circle") == 0);  // no markers on thousands of points
    const std::string html = read_file(dir.str("index.html"));
    CHECK(contains(html, "src=\"step_loss.svg\""));
    CHECK(contains(html, "src=\"lr.svg\""));
    CHECK(contains(html, "exponential moving average of every step's loss, weight 0.9"));
  }
  TempDir none;  // no steps, no per-step charts
  write_report(none.str(), ReportInputs{});
  CHECK(!fs::exists(none.str("step_loss.svg")));
  CHECK(!contains(read_file(none.str("index.html")), "step_loss.svg"));
}

TEST_CASE("config_diff lists exactly the keys that differ from the defaults, nested ones dotted") {
  const std::string defaults = R"({"model": "lenet5", "lr": 0.01, "hidden": [], "opt": {"name": "sgd", "momentum": 0}})";
  const std::string config =
      R"({"model": "lenet5", "lr": 0.05, "hidden": [32], "opt": {"name": "sgd", "momentum": 0.9}, "extra": true})";
  const std::vector<ConfigChange> changes = config_diff(config, defaults);
  REQUIRE(changes.size() == 4);
  CHECK(changes[0].key == "lr");
  CHECK(changes[0].value == "0.05");
  CHECK(changes[0].default_value == "0.01");
  CHECK(changes[1].key == "hidden");
  CHECK(changes[1].value == "[32]");
  CHECK(changes[2].key == "opt.momentum");
  CHECK(changes[3].key == "extra");
  CHECK(changes[3].default_value.empty());
  CHECK(config_diff(defaults, defaults).empty());
  CHECK_THROWS_WITH(config_diff("[1]", defaults), doctest::Contains("config_diff: the config is not a JSON object"));
}

TEST_CASE("a trained run's report: header, config changes, and misclassified test images that are wrong") {
  test::TempDir dir;
  train::ExperimentConfig c = test::small_config((dir.path / "run").string());
  c.epochs = 1;
  c.lr = 0.02;
  c.test_limit = 200;
  const train::Experiment experiment = train::build_experiment(c);
  auto trainer = train::make_trainer(experiment, train::Progress::none);
  trainer->options().command_line("ember train --out 'my run'");
  trainer->fit();
  const std::string html = read_file((dir.path / "run/report/index.html").string());

  // The header.
  CHECK(contains(html, fmt::format("<th>ember</th><td>{}, commit {}</td>", ember::version(), ember::git_commit())));
  CHECK(contains(html, "<th>CPU</th><td>" + escape_xml(train::cpu_model_name()) + ", kernels " +
                           kernels::isa_name(kernels::active_isa()) + "</td>"));
  CHECK(contains(html, fmt::format("<th>threads</th><td>{}</td>", get_num_threads())));
  CHECK(contains(html, "<code>ember train --out &#39;my run&#39;</code>"));
  CHECK(std::regex_search(html, std::regex("<th>date</th><td>20\\d\\d-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC</td>")));

  // The config: exactly the keys small_config changes, then the whole config folded.
  std::vector<std::string> keys;
  const std::regex row("<tr><td><code>([a-z_]+)</code></td>");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), row); it != std::sregex_iterator(); ++it) {
    keys.push_back((*it)[1]);
  }
  CHECK(keys == std::vector<std::string>{"batch", "data_dir", "epochs", "lr", "momentum", "out", "seed", "test_limit",
                                         "train_limit"});  // config.json's order
  CHECK(contains(html, "<details><summary>Full configuration</summary>"));

  // The misclassified images: each names a true label that is the dataset's and a prediction that
  // is the model's, and the two differ.
  const std::regex figure("alt=\"test image (\\d+): true (\\d), predicted (\\d)\"><figcaption>true <b>(\\d)</b><br>"
                          "predicted <b>(\\d)</b>");
  size_t shown = 0;
  nn::Module& model = *experiment.model;
  model.eval();
  const auto transforms = train::test_transforms(c);
  for (auto it = std::sregex_iterator(html.begin(), html.end(), figure); it != std::sregex_iterator(); ++it, ++shown) {
    const int64_t index = std::stoll((*it)[1]), truth = std::stoll((*it)[2]), predicted = std::stoll((*it)[3]);
    INFO("test image " << index);
    CHECK((*it)[4] == (*it)[2]);
    CHECK((*it)[5] == (*it)[3]);
    CHECK(truth != predicted);
    const data::Example example = experiment.test_data->dataset().get(index);
    CHECK(example.label == truth);
    std::vector<float> pixels = example.image.to_vector<float>();
    Shape shape = example.image.shape();
    Generator rng;
    for (const auto& t : transforms) t->apply(pixels.data(), shape, rng);
    shape.insert(shape.begin(), 1);
    NoGradGuard no_grad;
    CHECK(argmax(model(from_vector(pixels, shape)), 1).item<int64_t>() == predicted);
  }
  const train::Evaluation& evaluation = trainer->last_evaluation();
  CHECK(shown == std::min<size_t>(32, static_cast<size_t>(evaluation.count - evaluation.count * evaluation.accuracy + 0.5)));
  CHECK(shown > 0);
}
