// A Trainer built in C++, without the CLI's ExperimentConfig: the run directory still says what
// was trained (config.json derived from the model, optimizer, scheduler and loaders) and the
// report is titled after the model and shows its summary.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "train_fixtures.h"

using namespace ember;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using ember::test::TempDir;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A user's own model, named as PyTorch would print it.
struct TinyNet : nn::Module {
  std::shared_ptr<nn::Conv2d> conv;
  std::shared_ptr<nn::Linear> fc;
  TinyNet() : Module("TinyNet") {
    conv = register_module("conv", std::make_shared<nn::Conv2d>(nn::Conv2dOptions(1, 2, 3)));
    fc = register_module("fc", std::make_shared<nn::Linear>(2 * 6 * 6, 3));
  }
  Tensor forward(const Tensor& x) override { return (*fc)(flatten((*conv)(x).relu(), 1)); }
};

// 24 training and 12 test images of 1x8x8 in 3 classes: the class is the bright row band.
std::shared_ptr<data::ImageDataset> bands(int64_t count, const std::string& name) {
  data::ImageData d;
  d.name = name;
  d.count = count;
  d.height = d.width = 8;
  d.num_classes = 3;
  d.pixels.assign(static_cast<size_t>(count * 64), 0);
  for (int64_t i = 0; i < count; ++i) {
    d.labels.push_back(i % 3);
    for (int64_t x = 0; x < 8; ++x) d.pixels[static_cast<size_t>(i * 64 + (i % 3) * 16 + x)] = 255;
  }
  return std::make_shared<data::ImageDataset>(d);
}

struct Run {
  std::shared_ptr<TinyNet> model;
  std::shared_ptr<optim::SGD> sgd;
  std::shared_ptr<data::DataLoader> train_data, test_data;
};

Run tiny_run() {
  manual_seed(3);
  Run r;
  r.model = std::make_shared<TinyNet>();
  r.sgd = std::make_shared<optim::SGD>(r.model->parameters(), optim::SGDOptions(0.05).momentum(0.9));
  auto scale = std::make_shared<data::ScaleTo01>();
  r.train_data = std::make_shared<data::DataLoader>(
      bands(24, "bands train"), data::DataLoaderOptions().batch_size(8).shuffle(true).seed(5).transforms({scale}));
  r.test_data = std::make_shared<data::DataLoader>(bands(12, "bands test"),
                                                   data::DataLoaderOptions().batch_size(6).transforms({scale}));
  return r;
}

}  // namespace

TEST_CASE("a Trainer from C++ writes a config.json derived from the model, optimizer and data") {
  TempDir dir;
  Run r = tiny_run();
  auto warmup = std::make_shared<optim::LinearWarmup>(*r.sgd, 2);
  CHECK(r.sgd->lr(0) == doctest::Approx(0.05 / 3));  // the warmup's first lr
  train::Trainer trainer(r.model, r.sgd, r.train_data, r.test_data,
                         train::TrainerOptions().epochs(2).run_dir(dir.str()).progress(train::Progress::none));
  trainer.set_scheduler(warmup);
  trainer.fit();

  const std::string text = slurp(dir.path / "config.json");
  const json config = json::parse(text);
  INFO(text);
  CHECK(config.at("written_by") == "ember::train::Trainer");
  CHECK(config.at("ember_version") == std::string(ember::version()));
  CHECK(config.at("model").at("name") == "TinyNet");
  CHECK(config.at("model").at("parameters") == 2 * 1 * 3 * 3 + 2 + 72 * 3 + 3);
  CHECK(config.at("optimizer").at("name") == "SGD");
  CHECK(config.at("optimizer").at("lr") == 0.05);  // the lr given, not the warmup's
  CHECK(config.at("optimizer").at("momentum") == 0.9);
  CHECK(config.at("optimizer").at("weight_decay") == 0);
  CHECK(config.at("scheduler").at("name") == "LinearWarmup");
  CHECK(config.at("train_data").at("dataset") == "bands train, 24 images 1x8x8");
  CHECK(config.at("train_data").at("size") == 24);
  CHECK(config.at("train_data").at("batch_size") == 8);
  CHECK(config.at("train_data").at("shuffle") == true);
  CHECK(config.at("train_data").at("seed") == 5);
  CHECK(config.at("train_data").at("transforms") == json::array({"scale(1/255)"}));
  CHECK(config.at("test_data").at("batch_size") == 6);
  CHECK(config.at("epochs") == 2);
  CHECK(config.at("seed") == 3);
  CHECK(config.at("threads") == get_num_threads());
  // Every checkpoint holds the same config; the CLI, which cannot rebuild such a run, says why.
  const std::string stored = train::checkpoint_config((dir.path / "checkpoints/last.safetensors").string());
  CHECK(stored + "\n" == text);
  test::check_error([&] { train::ExperimentConfig::from_json(stored); },
                    {"trained by a program of its own", "ember::train::Trainer", "Trainer::resume_from"});

  // The report: titled after the model, with nn::summary's table and the config.
  const std::string html = slurp(dir.path / "report/index.html");
  CHECK(html.find("<title>TinyNet training run</title>") != std::string::npos);
  CHECK(html.find("<h2>Model</h2>") != std::string::npos);
  CHECK(html.find("conv (Conv2d)") != std::string::npos);
  CHECK(html.find("total params: 239") != std::string::npos);
  CHECK(html.find("&quot;name&quot;: &quot;TinyNet&quot;") != std::string::npos);
}

TEST_CASE("a Trainer's title, config and summary can be given") {
  TempDir dir;
  Run r = tiny_run();
  train::Trainer trainer(r.model, r.sgd, r.train_data, nullptr,
                         train::TrainerOptions()
                             .epochs(1)
                             .run_dir(dir.str())
                             .title("bands <1>")
                             .config_json(R"({"mine": true})")
                             .summary_text("my summary")
                             .progress(train::Progress::none));
  trainer.fit();
  CHECK(slurp(dir.path / "config.json") == "{\"mine\": true}\n");
  const std::string html = slurp(dir.path / "report/index.html");
  CHECK(html.find("<title>bands &lt;1&gt;</title>") != std::string::npos);
  CHECK(html.find("<pre>my summary</pre>") != std::string::npos);
  CHECK(html.find("total params") == std::string::npos);

  // Without a run directory nothing is written, but the derived config is there to read.
  Run quiet = tiny_run();
  train::Trainer no_dir(quiet.model, quiet.sgd, quiet.train_data, nullptr,
                        train::TrainerOptions().progress(train::Progress::none));
  const json config = json::parse(no_dir.config_json());
  CHECK(config.at("test_data").is_null());
  CHECK(config.at("scheduler").is_null());
  CHECK(config.at("optimizer").at("nesterov") == 0);
}
