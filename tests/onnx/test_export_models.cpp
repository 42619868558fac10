// Every zoo model exported to ONNX and run by OpenCV's DNN module on the same input as ember:
// the outputs must agree. The files stay in onnx_out_dir() for the python3-onnx checker test.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "onnx_test_support.h"
#include "support/helpers.h"

namespace ember::test {
namespace {

struct ZooCase {
  Shape image;  // [C, H, W]
  models::ModelConfig config;
};

// The image each zoo model is exported for (its natural dataset shape; alexnet takes only 227).
std::map<std::string, ZooCase> zoo_cases() {
  auto config = [](int64_t channels, int64_t size) {
    models::ModelConfig c;
    c.in_channels = channels;
    c.input_size = size;
    return c;
  };
  models::ModelConfig mnist_cnn = config(1, 28);
  mnist_cnn.dropout = 0.5f;  // its Dropout layers must vanish in eval mode
  models::ModelConfig mobilenet = config(3, 32);
  mobilenet.width = 0.5;
  return {
      {"lenet5", {{1, 28, 28}, config(1, 28)}},
      {"lenet5_classic", {{1, 32, 32}, config(1, 32)}},
      {"simplecnn", {{1, 28, 28}, config(1, 28)}},
      {"mnist_cnn", {{1, 28, 28}, mnist_cnn}},
      {"alexnet", {{3, 227, 227}, config(3, 227)}},
      {"alexnet_cifar", {{3, 32, 32}, config(3, 32)}},
      {"nin", {{3, 32, 32}, config(3, 32)}},
      {"mobilenet", {{3, 32, 32}, mobilenet}},
      {"dilated", {{3, 32, 32}, config(3, 32)}},
      {"inception", {{3, 32, 32}, config(3, 32)}},
      {"resnet", {{3, 32, 32}, config(3, 32)}},
      {"conv_autoencoder", {{1, 28, 28}, config(1, 28)}},
  };
}

// Batch-norm running statistics away from their initial 0 and 1, and affine parameters away
// from 1 and 0, so the exported BatchNormalization nodes are really exercised.
void randomize_batch_norm(nn::Module& model, uint64_t seed) {
  NoGradGuard no_grad;
  std::set<std::string> layers;  // "layer1.0.bn1."
  for (auto& [name, t] : model.named_buffers()) {
    if (name.ends_with("running_mean")) {
      t.copy_(random_tensor(t.shape(), seed++, -0.5f, 0.5f));
      layers.insert(name.substr(0, name.size() - std::string("running_mean").size()));
    }
    if (name.ends_with("running_var")) t.copy_(random_tensor(t.shape(), seed++, 0.5f, 2.0f));
  }
  for (auto& [name, t] : model.named_parameters()) {
    const std::string layer = name.substr(0, name.rfind('.') + 1);
    if (layers.count(layer)) t.copy_(random_tensor(t.shape(), seed++, 0.5f, 1.5f));
  }
}

}  // namespace

TEST_CASE("every zoo model exports to ONNX, and OpenCV's DNN module gives ember's outputs") {
  const auto cases = zoo_cases();
  for (const auto& info : models::model_infos()) {
    CAPTURE(info.name);
    auto it = cases.find(info.name);
    REQUIRE_MESSAGE(it != cases.end(), "zoo model " << info.name << " has no ONNX export test case: add one");
    manual_seed(7);
    auto model = models::make_model(info.name, it->second.config);
    randomize_batch_norm(*model, 11);
    const Shape& image = it->second.image;
    const int64_t batch = info.name == "alexnet" ? 1 : 2;
    const Tensor input = random_tensor({batch, image[0], image[1], image[2]}, 3, 0.0f, 1.0f);
    const auto start = std::chrono::steady_clock::now();
    double scale = 0;
    const double diff = export_and_compare(*model, input, "model_" + info.name + ".onnx", {}, &scale);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    MESSAGE(info.name << ": max |ember - OpenCV| = " << diff << ", max |output| = " << scale << " (" << seconds
                      << " s with export and both forwards)");
    CHECK(scale > 0);
    CHECK(diff <= 1e-5 * std::max(1.0, scale));
    CHECK(model->is_training());  // export restores the mode it found
  }
}

TEST_CASE("the autoencoder's resize-convolution decoder exports (Resize, then Conv) and matches OpenCV") {
  manual_seed(9);
  models::ConvAutoencoder model(models::ConvAutoencoderOptions().decoder(models::AutoencoderDecoder::resize));
  const Tensor input = random_tensor({2, 1, 28, 28}, 4, 0.0f, 1.0f);
  double scale = 0;
  const double diff = export_and_compare(model, input, "model_conv_autoencoder_resize.onnx", {}, &scale);
  MESSAGE("conv_autoencoder (resize decoder): max |ember - OpenCV| = " << diff << ", max |output| = " << scale);
  CHECK(diff <= 1e-5 * std::max(1.0, scale));
  const auto nodes = onnx_node_types(onnx_out_dir() + "/model_conv_autoencoder_resize.onnx");
  CHECK(std::count(nodes.begin(), nodes.end(), "Resize") == 2);
  CHECK(std::count(nodes.begin(), nodes.end(), "ConvTranspose") == 0);
}

}  // namespace ember::test
