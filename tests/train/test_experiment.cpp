// The run config and the checkpoint history read hostile JSON without undefined behaviour: an
// integer field takes only a JSON integer in its type's range (fuzz/fuzz_cli.cpp and
// fuzz/fuzz_safetensors.cpp found `{"threads": 1e300}` and a history epoch of 1e300 being cast).
#include <cmath>
#include <limits>

#include "support/helpers.h"

#include "ember/models/model_size.h"
#include "ember/train/experiment.h"
#include "train_fixtures.h"

using namespace ember;
using ember::test::check_error;

TEST_CASE("integer config fields take only JSON integers in their type's range") {
  using train::ExperimentConfig;
  check_error([] { ExperimentConfig::from_json(R"({"threads": 1e300})"); },
              {"'threads' has the wrong type", "integer from -2147483648 to 2147483647", "1e+300"});
  check_error([] { ExperimentConfig::from_json(R"({"threads": 4294967297})"); }, {"'threads'", "4294967297"});
  check_error([] { ExperimentConfig::from_json(R"({"epochs": 2.5})"); }, {"'epochs' has the wrong type", "2.5"});
  check_error([] { ExperimentConfig::from_json(R"({"epochs": true})"); }, {"'epochs' has the wrong type", "true"});
  check_error([] { ExperimentConfig::from_json(R"({"seed": -1})"); },
              {"'seed'", "integer from 0 to 18446744073709551615", "-1"});
  check_error([] { ExperimentConfig::from_json(R"({"epochs": 9223372036854775808})"); }, {"'epochs'"});
  check_error([] { ExperimentConfig::from_json(R"({"hidden": [100, 1e300]})"); }, {"'hidden'", "1e+300"});
  check_error([] { ExperimentConfig::from_json(R"({"milestones": 3})"); }, {"'milestones'", "expected an array"});
  check_error([] { ExperimentConfig::from_json(R"({"dropout": 1e300})"); }, {"'dropout' is out of range", "1e+300"});

  // The extremes themselves are integers (threads has its own range, limits::threads), and
  // everything round-trips.
  ExperimentConfig c;
  c.seed = 18446744073709551615ull;
  c.threads = 1024;
  c.batch = c.test_batch = std::numeric_limits<int64_t>::max();
  c.conv_channels = {20, 40};
  const ExperimentConfig back = ExperimentConfig::from_json(c.to_json());
  CHECK(back.seed == c.seed);
  CHECK(back.threads == c.threads);
  CHECK(back.batch == c.batch);
  CHECK(back.conv_channels == c.conv_channels);
  CHECK(back.to_json() == c.to_json());
}

TEST_CASE("a checkpoint's history takes only integer epochs and top-k") {
  const auto history = train::history_from_json(R"([{"epoch": 3, "topk": 5, "lr": 0.1}])");
  REQUIRE(history.size() == 1);
  CHECK(history[0].epoch == 3);
  CHECK(history[0].topk == 5);
  check_error([] { train::history_from_json(R"([{"epoch": 1e300, "topk": 5}])"); },
              {"malformed metrics history", "'epoch' must be an integer", "1e+300"});
  check_error([] { train::history_from_json(R"([{"epoch": 1, "topk": 18446744073709551615}])"); }, {"'topk'"});
  check_error([] { train::history_from_json(R"([{"epoch": 1}])"); }, {"malformed metrics history"});
}

TEST_CASE("config fields out of range: each named, the range in words (#17)") {
  using train::ExperimentConfig;
  check_error([] { ExperimentConfig::from_json(R"({"batch": 0})"); },
              {"invalid experiment: batch must be at least 1, got 0"});
  check_error([] { ExperimentConfig::from_json(R"({"test_batch": -5})"); }, {"test_batch must be at least 1, got -5"});
  check_error([] { ExperimentConfig::from_json(R"({"threads": 5000})"); },
              {"threads must be between 0 and 1024, got 5000"});
  check_error([] { ExperimentConfig::from_json(R"({"epochs": 2000000})"); },
              {"epochs must be between 1 and 1000000, got 2000000"});
  check_error([] { ExperimentConfig::from_json(R"({"lr": 0})"); }, {"lr must be greater than 0, got 0"});
  check_error([] { ExperimentConfig::from_json(R"({"momentum": 1})"); },
              {"momentum must be at least 0 and less than 1, got 1"});
  check_error([] { ExperimentConfig::from_json(R"({"hidden": [100, 0]})"); }, {"hidden must be at least 1, got 0"});
  check_error([] { ExperimentConfig::from_json(R"({"scheduler": "multistep", "milestones": [-2, -1]})"); },
              {"milestones must be increasing epochs, each at least 1, got -2,-1"});
  check_error([] { ExperimentConfig::from_json(R"({"scheduler": "multistep", "milestones": [3, 3]})"); },
              {"milestones must be increasing epochs, each at least 1, got 3,3"});
  // Every error at once.
  check_error([] { ExperimentConfig::from_json(R"({"batch": 0, "lr": -1})"); },
              {"batch must be at least 1, got 0; lr must be greater than 0, got -1"});
  // The same checks name the `ember train` flags when asked to.
  ExperimentConfig c;
  c.batch = 0;
  c.scheduler = "multistep";
  c.milestones = {-2, -1};
  check_error([&] { c.validate(train::FieldNames::flags); },
              {"--batch must be at least 1, got 0", "--milestones must be increasing epochs, each at least 1, got -2,-1"});
  CHECK(train::field_name("test_batch", train::FieldNames::flags) == "--test-batch");
  CHECK(train::field_name("test_batch", train::FieldNames::config) == "test_batch");
  // A batch larger than any dataset is valid: it is one batch of all of it.
  c = ExperimentConfig();
  c.batch = std::numeric_limits<int64_t>::max();
  CHECK_NOTHROW(c.validate());
}

TEST_CASE("a model too large for this machine's memory is refused before anything is allocated (#17)") {
  train::ExperimentConfig c;
  c.model = "mnist_cnn";
  c.hidden = {1000000000};
  check_error([&] { train::build_model(c, {1, 28, 28}, 10, train::FieldNames::flags); },
              {"--hidden 1000000000 makes the model's parameters", "TiB", "more than this machine's",
               "GiB of memory"});
  check_error([&] { train::build_model(c, {1, 28, 28}, 10); }, {"hidden 1000000000 makes the model's parameters"});
  c = train::ExperimentConfig();
  c.model = "mobilenet";
  c.width = 1000;
  check_error([&] { train::build_model(c, {3, 32, 32}, 10, train::FieldNames::flags); },
              {"--width 1000 makes the model's parameters"});
  // A training batch whose activations cannot fit names the flag; a sane one passes.
  c = train::ExperimentConfig();
  auto model = train::build_model(c, {1, 28, 28}, 10);
  const double memory = models::physical_memory_bytes();
  check_error([&] { train::check_batch_memory(*model, {1, 28, 28}, static_cast<int64_t>(memory / 1000), "--batch N", true); },
              {"--batch N makes a training batch's activations about", "more than this machine's"});
  CHECK_NOTHROW(train::check_batch_memory(*model, {1, 28, 28}, 64, "--batch 64", true));
}

TEST_CASE("pad and init: in the config, checked, and what the run is built with (#20)") {
  using train::ExperimentConfig;
  check_error([] { ExperimentConfig::from_json(R"({"pad": -1})"); }, {"pad must be between 0 and 1024, got -1"});
  check_error([] { ExperimentConfig::from_json(R"({"pad": 5000})"); }, {"pad must be between 0 and 1024, got 5000"});
  check_error([] { ExperimentConfig::from_json(R"({"init": "glorot"})"); },
              {"unknown init 'glorot'", "normal:STD"});
  check_error([] { ExperimentConfig::from_json(R"({"model": "simplecnn", "normal_init": true, "init": "xavier"})"); },
              {"choose one of normal_init and init, not both"});
  ExperimentConfig c;
  c.init = "normal:0.5";
  c.validate(train::FieldNames::flags);
  c.init = "normal:x";
  check_error([&] { c.validate(train::FieldNames::flags); }, {"--init 'normal:x'"});
  c = ExperimentConfig();
  c.pad = 2;
  c.init = "glorot_uniform";
  const ExperimentConfig back = ExperimentConfig::from_json(c.to_json());
  CHECK(back.pad == 2);
  CHECK(back.init == "glorot_uniform");
  // A config written before these fields existed reads as no padding and PyTorch's init.
  CHECK(ExperimentConfig::from_json("{}").pad == 0);
  CHECK(ExperimentConfig::from_json("{}").init == "pytorch");
}

TEST_CASE("lenet5_classic on MNIST: refused at 28x28 with the padding that fits, trained with --pad 2 (#20)") {
  train::ExperimentConfig c = ember::test::small_config("");
  c.model = "lenet5_classic";
  check_error([&] { train::build_experiment(c, train::FieldNames::flags); },
              {"model lenet5_classic takes Cx32x32 images but MNIST's images are 1x28x28",
               "pad them with --pad 2"});
  c.pad = 1;
  check_error([&] { train::build_experiment(c); }, {"MNIST's 1x28x28 images padded to 1x30x30", "pad them with pad 2"});
  c.pad = 2;
  const train::Experiment e = train::build_experiment(c);
  CHECK(e.train_data->image_shape() == Shape{1, 32, 32});
  CHECK(e.test_data->image_shape() == Shape{1, 32, 32});
  const data::Batch batch = *e.test_data->epoch(0).begin();
  const int64_t n = batch.images.size(0);
  CHECK(batch.images.shape() == Shape{n, 1, 32, 32});
  NoGradGuard no_grad;
  CHECK((*e.model)(batch.images).shape() == Shape{n, 10});
  // A model that takes 28x28 given 32x32: padding cannot help, and the message says so.
  c.model = "lenet5";
  check_error([&] { train::build_experiment(c); }, {"model lenet5 takes Cx28x28 images", "padding cannot make them"});
}

TEST_CASE("init: the run's model is initialized by the scheme, from the run's seed (#20)") {
  train::ExperimentConfig c = ember::test::small_config("");
  c.init = "normal:0.3";
  const train::Experiment a = train::build_experiment(c), b = train::build_experiment(c);
  c.init = "pytorch";
  const train::Experiment d = train::build_experiment(c);
  for (const auto& [name, p] : a.model->named_parameters()) {
    CAPTURE(name);
    const auto v = p.to_vector<double>();
    double sum2 = 0;
    for (double x : v) sum2 += x * x;
    if (p.dim() >= 2) {
      CHECK(std::sqrt(sum2 / static_cast<double>(v.size())) > 0.2);
    } else {
      CHECK(sum2 == 0.0);
    }
  }
  ember::test::check_same_weights(*a.model, *b.model);  // the same seed, the same weights
  CHECK(a.model->parameters()[0].to_vector<float>() != d.model->parameters()[0].to_vector<float>());
}
