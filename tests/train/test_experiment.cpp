// The run config and the checkpoint history read hostile JSON without undefined behaviour: an
// integer field takes only a JSON integer in its type's range (fuzz/fuzz_cli.cpp and
// fuzz/fuzz_safetensors.cpp found `{"threads": 1e300}` and a history epoch of 1e300 being cast).
#include "support/helpers.h"

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

  // The extremes themselves are integers, and everything round-trips.
  ExperimentConfig c;
  c.seed = 18446744073709551615ull;
  c.threads = 2147483647;
  c.conv_channels = {20, 40};
  const ExperimentConfig back = ExperimentConfig::from_json(c.to_json());
  CHECK(back.seed == c.seed);
  CHECK(back.threads == c.threads);
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
