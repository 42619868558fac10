// summary() on every zoo model: each layer that holds parameters is listed (so every forward
// calls its children through operator()), the totals match the model's parameters, and
// nn::forward_flops gives the FLOPs total it prints.
#include <cctype>

#include "support/helpers.h"

using namespace ember;

namespace {

// Dotted names of the leaf modules that own parameters.
void parameter_leaves(const nn::Module& m, const std::string& prefix, std::vector<std::string>& out) {
  if (m.named_children().empty()) {
    if (!m.parameters(false).empty()) out.push_back(prefix);
    return;
  }
  for (const auto& [name, child] : m.named_children()) {
    parameter_leaves(*child, prefix.empty() ? name : prefix + "." + name, out);
  }
}

void check_summary(nn::Module& model, const Shape& input, const char* label) {
  INFO(label);
  const std::string text = nn::summary(model, input);
  std::vector<std::string> leaves;
  parameter_leaves(model, "", leaves);
  REQUIRE_FALSE(leaves.empty());
  for (const std::string& leaf : leaves) {
    INFO(leaf);
    CHECK(text.find(leaf + " (") != std::string::npos);
  }
  int64_t total = 0;
  for (const Tensor& p : model.parameters()) total += p.numel();
  CHECK(text.substr(text.rfind('\n') + 1) == fmt::format("total params: {}", total));
  // forward_flops (what bench_train counts a step by) is the total the table prints.
  const size_t at = text.find("forward FLOPs: ");
  REQUIRE(at != std::string::npos);
  std::string digits;
  for (size_t i = at + 15; i < text.size() && text[i] != '\n'; ++i) {
    if (std::isdigit(static_cast<unsigned char>(text[i]))) digits += text[i];
  }
  const int64_t flops = nn::forward_flops(model, input);
  CHECK(flops > 0);
  CHECK(std::to_string(flops) == digits);
}

}  // namespace

TEST_CASE("summary prints every zoo model") {
  manual_seed(0);
  models::SimpleConvNet simple;
  check_summary(simple, {1, 1, 28, 28}, "SimpleConvNet");
  models::LeNet5 lenet;
  check_summary(lenet, {1, 1, 28, 28}, "LeNet5");
  models::LeNet5Classic classic;
  check_summary(classic, {1, 1, 32, 32}, "LeNet5Classic");
  models::AlexNetCifar alex_cifar;
  check_summary(alex_cifar, {1, 3, 32, 32}, "AlexNetCifar");
  models::NiN nin;
  check_summary(nin, {1, 3, 32, 32}, "NiN");
  models::MobileNet mobile;
  check_summary(mobile, {1, 3, 32, 32}, "MobileNet");
  models::DilatedNet dilated;
  check_summary(dilated, {1, 3, 32, 32}, "DilatedNet");
  models::ConvAutoencoder autoencoder;
  check_summary(autoencoder, {1, 1, 28, 28}, "ConvAutoencoder");
  models::InceptionNet inception;
  check_summary(inception, {1, 3, 32, 32}, "InceptionNet");
  models::ResNet resnet;
  check_summary(resnet, {1, 3, 32, 32}, "ResNet");
}

TEST_CASE("summary of LeNet-5 shows the layer table a reader expects") {
  models::LeNet5 lenet;
  const std::string text = nn::summary(lenet, {1, 1, 28, 28});
  INFO(text);
  CHECK(text.find("[1, 6, 28, 28]") != std::string::npos);
  CHECK(text.find("[1, 16, 10, 10]") != std::string::npos);
  CHECK(text.find("[1, 10]") != std::string::npos);
  CHECK(text.find("total params: 61706") != std::string::npos);
}
