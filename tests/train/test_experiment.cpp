// The run config and the checkpoint history read hostile JSON without undefined behaviour: an
// integer field takes only a JSON integer in its type's range (fuzz/fuzz_cli.cpp and
// fuzz/fuzz_safetensors.cpp found `{"threads": 1e300}` and a history epoch of 1e300 being cast).
#include <limits>

#include "support/helpers.h"

#include "ember/models/model_size.h"
#include "ember/train/experiment.h"

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
