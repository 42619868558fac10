// PyTorch interchange, the half that needs no PyTorch at test time. The files under
// tests/fixtures/pytorch/ were written by tests/interop/make_pytorch_files.py with torch 1.13:
// LeNet-5's and SimpleConvNet's weights as PyTorch saved them (its state_dict names, its default
// initialization), and for each model a fixed input batch with PyTorch's eval logits and its
// logits after a few SGD steps. ember loads the weights into its zoo models and must give the
// same logits, and after the same SGD steps the same trained logits; what ember saves must have
// exactly the keys, dtypes and shapes PyTorch saved. AlexNet-CIFAR's 5.5 MB of weights are not
// committed: both sides build them from the script's integer pattern, checked by a checksum.
// The other direction (PyTorch loading ember's files) is interop.pytorch, check_pytorch.py.
#include <bit>
#include <cmath>

#include "interop/interop_support.h"
#include "support/helpers.h"

using namespace ember;

namespace {

const std::string kDir = std::string(EMBER_FIXTURES_DIR) + "/pytorch/";
// float32 forward passes of the same weights differ only in summation order.
constexpr double kLogitTolerance = 1e-5;
// Three SGD steps (momentum 0.9) amplify those differences a little.
constexpr double kTrainedTolerance = 1e-4;

double max_abs_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  const auto va = a.to_vector<double>(), vb = b.to_vector<double>();
  double worst = 0;
  for (size_t i = 0; i < va.size(); ++i) worst = std::max(worst, std::abs(va[i] - vb[i]));
  return worst;
}

// The script's PATTERN weights (make_pytorch_files.py says how), bit for bit.
uint64_t fnv1a64(const std::string& text) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : text) h = (h ^ c) * 0x100000001B3ull;
  return h;
}

Tensor pattern_tensor(const std::string& name, const Shape& shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  const int e = shape.size() >= 2 ? 10 + (static_cast<int>(std::bit_width(static_cast<uint64_t>(n / shape[0]))) + 1) / 2
                                  : 14;
  const float scale = std::ldexp(1.0f, -e);
  const uint64_t h = fnv1a64(name);
  std::vector<float> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    uint64_t z = h + static_cast<uint64_t>(i + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    values[static_cast<size_t>(i)] = static_cast<float>(static_cast<int64_t>(z % 2001) - 1000) * scale;
  }
  return from_vector(values, shape);
}

nn::StateDict pattern_state(const nn::Module& model) {
  nn::StateDict out;
  for (const auto& [name, t] : model.state_dict()) out.insert(name, pattern_tensor(name, t.shape()));
  return out;
}

uint64_t checksum(const nn::StateDict& state) {
  uint64_t c = 0;
  for (const auto& [name, t] : state) {
    const auto values = t.to_vector<float>();
    uint64_t weighted = 0;
    for (size_t i = 0; i < values.size(); ++i) weighted += uint64_t{std::bit_cast<uint32_t>(values[i])} * (2 * i + 1);
    c = c * 1099511628211ull + fnv1a64(name) + weighted;
  }
  return c;
}

// One model's committed case: the batch, PyTorch's logits, and the model with PyTorch's weights.
struct Case {
  nn::StateDict io;
  std::shared_ptr<nn::Module> model;
};

Case load_case(const std::string& name) {
  Case c;
  c.io = nn::load(kDir + name + ".io.safetensors");
  REQUIRE(c.io.metadata.at("model") == name);
  c.model = interop::zoo_model(name, c.io.at("x"), 0.0f);
  if (c.io.metadata.at("weights") == "pattern") {
    const nn::StateDict state = pattern_state(*c.model);
    CHECK_MESSAGE(std::to_string(checksum(state)) == c.io.metadata.at("checksum"),
                  "the pattern weights differ from the ones PyTorch used");
    c.model->load_state_dict(state);
  } else {
    nn::load(*c.model, kDir + c.io.metadata.at("weights"));  // strict: every key and shape must match
  }
  return c;
}

}  // namespace

TEST_CASE("PyTorch's weights give PyTorch's logits in ember's zoo models") {
  for (const std::string name : {"lenet5", "simplecnn", "alexnet_cifar"}) {
    INFO("model ", name);
    Case c = load_case(name);
    const Tensor logits = interop::eval_logits(*c.model, c.io.at("x"));
    const double diff = max_abs_diff(logits, c.io.at("logits"));
    MESSAGE(name, ": PyTorch -> ember, eval logits max abs diff ", diff, " (tolerance ", kLogitTolerance, ")");
    CHECK(diff <= kLogitTolerance);
    // The logits are not trivially small or equal: the comparison says something.
    CHECK(max_abs_diff(c.io.at("logits"), zeros_like(logits)) > 1e-3);
  }
}

TEST_CASE("ember's SGD steps from PyTorch's weights give PyTorch's trained logits") {
  for (const std::string name : {"lenet5", "simplecnn", "alexnet_cifar"}) {
    INFO("model ", name);
    Case c = load_case(name);
    const Tensor before = interop::eval_logits(*c.model, c.io.at("x"));
    interop::sgd_steps(*c.model, c.io.at("x"), c.io.at("targets"));
    const Tensor after = interop::eval_logits(*c.model, c.io.at("x"));
    const double diff = max_abs_diff(after, c.io.at("trained_logits"));
    MESSAGE(name, ": ", interop::kSteps, " SGD steps, trained logits max abs diff ", diff, " (tolerance ",
            kTrainedTolerance, ")");
    CHECK(diff <= kTrainedTolerance);
    CHECK(max_abs_diff(after, before) > 10 * kTrainedTolerance);  // training moved the logits
  }
}

TEST_CASE("ember saves a zoo model under PyTorch's names, dtypes and shapes") {
  test::TempDir dir;
  for (const std::string name : {"lenet5", "simplecnn"}) {
    INFO("model ", name);
    Case c = load_case(name);
    interop::sgd_steps(*c.model, c.io.at("x"), c.io.at("targets"));
    const std::string path = dir.file(name + ".ember.safetensors");
    nn::save(*c.model, path);
    const nn::StateDict saved = nn::load(path);
    const nn::StateDict torch_saved = nn::load(kDir + c.io.metadata.at("weights"));
    CHECK(saved.keys() == torch_saved.keys());  // the same order too: PyTorch's state_dict order
    for (const auto& [key, t] : torch_saved) {
      INFO("key ", key);
      REQUIRE(saved.contains(key));
      CHECK(saved.at(key).shape() == t.shape());
      CHECK(saved.at(key).dtype() == t.dtype());
    }
    // Round trip: the file ember wrote gives the trained model's logits exactly.
    auto reloaded = interop::zoo_model(name, c.io.at("x"));
    nn::load(*reloaded, path);
    test::check_bitwise_equal(interop::eval_logits(*reloaded, c.io.at("x")), interop::eval_logits(*c.model, c.io.at("x")));
  }
}

TEST_CASE("weights that do not fit the model: the error names every key") {
  auto simplecnn = interop::zoo_model("simplecnn", zeros({1, 1, 28, 28}));
  test::check_error([&] { nn::load(*simplecnn, kDir + "lenet5.torch.safetensors"); },
                    {"load_state_dict: the state does not fit SimpleConvNet", "missing keys (6): conv1.weight, conv1.bias, "
                     "fc1.weight, fc1.bias, fc2.weight, fc2.bias", "unexpected keys (10): features.0.weight",
                     "classifier.5.bias"});

  // One tensor of the wrong shape, one renamed: named with both shapes, and by name.
  nn::StateDict state = nn::load(kDir + "lenet5.torch.safetensors");
  nn::StateDict edited;
  for (const auto& [key, t] : state) {
    if (key == "classifier.5.weight") edited.insert(key, zeros({9, 84}));
    else if (key == "features.3.bias") edited.insert("features.3.biass", t);
    else edited.insert(key, t);
  }
  test::TempDir dir;
  nn::save(edited, dir.file("edited.safetensors"));
  auto lenet = interop::zoo_model("lenet5", zeros({1, 1, 28, 28}));
  test::check_error([&] { train::load_weights(*lenet, dir.file("edited.safetensors")); },
                    {dir.file("edited.safetensors"), "missing keys (1): features.3.bias",
                     "unexpected keys (1): features.3.biass",
                     "shape or dtype mismatches (1): classifier.5.weight (model float32 [10, 84], state float32 [9, 84])"});
}

TEST_CASE("a checkpoint's model weights alone, without the optimizer's state") {
  Case c = load_case("lenet5");
  nn::StateDict checkpoint;
  train::add_prefixed(checkpoint, "model", c.model->state_dict());
  checkpoint.insert("optimizer.state.0.momentum_buffer", ones({6, 1, 5, 5}));
  checkpoint.metadata["format"] = train::kCheckpointFormat;
  test::TempDir dir;
  nn::save(checkpoint, dir.file("checkpoint.safetensors"));
  const nn::StateDict weights = train::model_state_dict(dir.file("checkpoint.safetensors"));
  CHECK(weights.keys() == c.model->state_dict().keys());
  // A plain weights file is its own model state.
  CHECK(train::model_state_dict(kDir + "lenet5.torch.safetensors").keys() == weights.keys());
}
