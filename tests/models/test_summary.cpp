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

// The digits of the footer line "<label>: 1,234,567", without the grouping commas.
std::string total_line(const std::string& text, const std::string& label) {
  const size_t at = text.find("\n" + label + ": ");
  if (at == std::string::npos) return "(no " + label + " line)";
  std::string digits;
  for (size_t i = at + label.size() + 3; i < text.size() && text[i] != '\n'; ++i) {
    if (text[i] != ',') digits += text[i];
  }
  return digits;
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
  CHECK(total_line(text, "total params") == std::to_string(total));
  // forward_flops (what bench_train counts a step by) is the total the table prints.
  const int64_t flops = nn::forward_flops(model, input);
  CHECK(flops > 0);
  CHECK(total_line(text, "forward FLOPs") == std::to_string(flops));
  CHECK(text.substr(text.rfind('\n') + 1).rfind("estimated total size (MB): ", 0) == 0);
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

TEST_CASE("summary of LeNet-5: the layer table and torchinfo's totals, digits grouped") {
  models::LeNet5 lenet;
  const std::string text = nn::summary(lenet, {1, 1, 28, 28});
  INFO(text);
  // Params, FLOPs (2 per weight multiply-add) and Mult-Adds (torchinfo: weights and biases once
  // per output position of a conv, once per sample of a linear layer) by hand:
  //   conv1 6x1x5x5 + 6 = 156 params; FLOPs 2 * 6*28*28 * 25 = 235,200; Mult-Adds 156 * 28*28 = 122,304
  //   conv2 16x6x5x5 + 16 = 2,416;    FLOPs 2 * 16*10*10 * 150 = 480,000; Mult-Adds 2,416 * 10*10 = 241,600
  //   fc 400->120: 48,120; FLOPs 96,000; fc 120->84: 10,164, 20,160; fc 84->10: 850, 1,680
  CHECK(text.find("features.0 (Conv2d+ReLU)  [1, 6, 28, 28]      156  235,200    122,304\n") != std::string::npos);
  CHECK(text.find("features.3 (Conv2d+ReLU)  [1, 16, 10, 10]   2,416  480,000    241,600\n") != std::string::npos);
  CHECK(text.find("classifier.1 (Linear)     [1, 120]         48,120   96,000     48,120\n") != std::string::npos);
  CHECK(text.find("classifier.5 (Linear)     [1, 10]             850    1,680        850\n") != std::string::npos);
  CHECK(text.find("features.2 (MaxPool2d)    [1, 6, 14, 14]        0        -          -\n") != std::string::npos);
  // Sizes in MB of 10^6 bytes, float32: the input 784 * 4 = 3,136 B; the forward pass, every leaf
  // layer's output (4,704 + 1,176 + 1,600 + 400 + 400 + 120 + 120 + 84 + 84 + 10 = 8,698
  // floats) = 34,792 B; the parameters 61,706 * 4 = 246,824 B; in all 284,752 B.
  const std::string footer = "output shape: [1, 10]\n"
                             "total params: 61,706\n"
                             "trainable params: 61,706\n"
                             "non-trainable params: 0\n"
                             "buffers: 0\n"
                             "forward FLOPs: 833,040\n"
                             "forward Mult-Adds: 423,038\n";
  const std::string sizes = "input size (MB): 0.00\n"
                            "forward pass size (MB): 0.03\n"
                            "params size (MB): 0.25\n"
                            "buffers size (MB): 0.00\n"
                            "estimated total size (MB): 0.28";
  CHECK(text.find(footer) != std::string::npos);
  CHECK(text.size() >= sizes.size());
  CHECK(text.substr(text.size() - sizes.size()) == sizes);
}

TEST_CASE("summary counts frozen parameters and buffers apart, and groups every total") {
  models::MobileNet mobile;  // batch norm: running mean, variance and batch count are buffers
  int64_t frozen = 0, total = 0, buffers = 0;
  for (const Tensor& p : mobile.parameters()) total += p.numel();
  Tensor first = mobile.parameters()[0];
  first.requires_grad_(false);
  frozen = first.numel();
  for (const Tensor& b : mobile.buffers()) buffers += b.numel();
  REQUIRE(buffers > 0);
  const std::string text = nn::summary(mobile, {1, 3, 32, 32});
  INFO(text);
  CHECK(total_line(text, "total params") == std::to_string(total));
  CHECK(total_line(text, "trainable params") == std::to_string(total - frozen));
  CHECK(total_line(text, "non-trainable params") == std::to_string(frozen));
  CHECK(total_line(text, "buffers") == std::to_string(buffers));
  const std::string digits = std::to_string(total);
  std::string grouped;  // 1,234,567
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  CHECK(grouped.find(',') != std::string::npos);
  CHECK(text.find("\ntotal params: " + grouped + "\n") != std::string::npos);
}
