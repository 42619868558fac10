// models::parameter_count_of (ember/models/model_size.h): the parameters a zoo model will have,
// counted from its options before it is built, equal to the built model's for every model and
// for the knobs that size them; format_bytes; the memory checks' messages (#17).
#include <cmath>

#include "support/helpers.h"

#include "ember/models/model_size.h"
#include "ember/models/registry.h"

using namespace ember;
using namespace ember::models;
using ember::test::check_error;

namespace {

void check_count(const std::string& name, const ModelConfig& config) {
  CAPTURE(name);
  CAPTURE(config.in_channels);
  CAPTURE(config.input_size);
  CAPTURE(config.num_classes);
  const auto model = make_model(name, config);
  CHECK(parameter_count_of(name, config) == static_cast<double>(parameter_count(*model)));
}

}  // namespace

TEST_CASE("parameter_count_of equals the built model's count, for every zoo model") {
  for (const auto& info : model_infos()) {
    ModelConfig c;
    c.in_channels = usual_input(info.name)[0];
    c.input_size = usual_input(info.name)[1];
    if (info.name == "alexnet") c.num_classes = 1000;
    check_count(info.name, c);
    c.in_channels = 2;
    c.num_classes = 7;
    check_count(info.name, c);
  }
}

TEST_CASE("parameter_count_of follows the knobs that size a model") {
  ModelConfig c;
  c.conv_channels = {8, 12};
  c.hidden = {50, 30};
  check_count("mnist_cnn", c);
  c.conv_channels = {5};
  c.hidden = {17};
  c.input_size = 40;
  check_count("mnist_cnn", c);
  c = ModelConfig();
  c.input_size = 37;
  check_count("simplecnn", c);
  c = ModelConfig();
  c.in_channels = 3;
  for (double width : {0.25, 0.5, 0.7, 2.0}) {
    c.width = width;
    check_count("mobilenet", c);
  }
  for (double width : {1.0, 5.0, 8.0}) {
    c.width = width;
    check_count("resnet", c);
  }
  // Far beyond what could be built: no overflow, just a huge number.
  c = ModelConfig();
  c.hidden = {1000000000000000000};
  const double huge = parameter_count_of("mnist_cnn", c);
  CHECK(huge > 6e20);
  CHECK(std::isfinite(huge));
}

TEST_CASE("format_bytes, and the memory checks name what made the model so large") {
  CHECK(format_bytes(512) == "512 bytes");
  CHECK(format_bytes(1536) == "1.5 KiB");
  CHECK(format_bytes(24.0 * (1 << 30)) == "24 GiB");
  CHECK(format_bytes(3.7 * 1024 * 1024 * 1024 * 1024) == "3.7 TiB");
  CHECK(format_bytes(INFINITY) == "more than 10^308 bytes");
  CHECK(physical_memory_bytes() > 0);
  check_error([] { check_parameter_memory(1e15, "--hidden 1000000000"); },
              {"--hidden 1000000000 makes the model's parameters 3.55 PiB (1e+15 floats), more than this machine's",
               "of memory"});
  CHECK_NOTHROW(check_parameter_memory(1e6, "x"));
  check_error([] { check_activation_memory(1e18, 0, "--input-size 100000", "one image's activations"); },
              {"--input-size 100000 makes one image's activations about 888 PiB, more than this machine's"});
}
