// Reproducibility of every zoo model's training step: the same seed gives the same bits on a
// rerun and with 1 or 2 threads (initialization, dropout masks, forward, backward, SGD with
// momentum and weight decay, batch-norm running statistics). One test case per model; the last
// test checks that no model of the registry is missing here.
#include <set>

#include "models/model_checks.h"

#include "ember/models/registry.h"

using namespace ember;

namespace {

struct StepSetup {
  std::string name;
  Shape image;        // C, H, W
  int64_t batch = 4;
  bool classifier = true;
  // Two steps are enough for every state to matter (the second uses the first's momentum); the
  // third costs the full AlexNet (61M parameters at 227x227) more than the rest of the suite, and
  // 4x that under the sanitizers, which run this suite too.
  int steps = 3;
};

// The model's parameters and buffers after `steps` training steps (setup.steps unless given) from
// `seed` with `threads` threads, and the steps' losses.
struct Outcome {
  nn::StateDict state;
  std::vector<float> losses;
};

Outcome train_steps(const StepSetup& setup, int threads, uint64_t seed, int steps = 0) {
  set_num_threads(threads);
  manual_seed(seed);
  models::ModelConfig config;
  config.in_channels = setup.image[0];
  config.input_size = setup.image[1];
  if (setup.name == "mnist_cnn") config.dropout = 0.3f;  // the others with dropout have it on by default
  auto model = models::make_model(setup.name, config);
  model->train();
  optim::SGD sgd(model->parameters(), optim::SGDOptions(0.01).momentum(0.9).weight_decay(1e-4));
  const Shape input{setup.batch, setup.image[0], setup.image[1], setup.image[2]};
  Outcome outcome;
  for (int step = 0; step < (steps > 0 ? steps : setup.steps); ++step) {
    const Tensor x = test::random_tensor(input, 100 + static_cast<uint64_t>(step));
    Tensor loss;
    if (setup.classifier) {
      Tensor labels = zeros({setup.batch}, DType::i64);
      for (int64_t i = 0; i < setup.batch; ++i) labels.data<int64_t>()[i] = (i * 7 + step) % 10;
      loss = cross_entropy((*model)(x), labels);
    } else {
      loss = mse_loss((*model)(x), x);
    }
    sgd.zero_grad();
    loss.backward();
    sgd.step();
    outcome.losses.push_back(loss.item());
  }
  outcome.state = model->state_dict();
  set_num_threads(2);
  return outcome;
}

void check_same(const Outcome& a, const Outcome& b) {
  CHECK(a.losses == b.losses);
  REQUIRE(a.state.keys() == b.state.keys());
  for (const auto& [name, tensor] : a.state) {
    INFO(name);
    test::check_bitwise_equal(tensor, b.state.at(name));
  }
}

void check_deterministic(const StepSetup& setup) {
  const Outcome two = train_steps(setup, 2, 11);
  {
    INFO("rerun with 2 threads");
    check_same(train_steps(setup, 2, 11), two);
  }
  {
    INFO("1 thread");
    check_same(train_steps(setup, 1, 11), two);
  }
  // The seed matters: another one starts from other weights (and masks), so the first loss differs.
  CHECK(train_steps(setup, 2, 12, 1).losses.front() != two.losses.front());
}

const std::vector<std::string> kTested = {"lenet5", "lenet5_classic", "simplecnn", "mnist_cnn", "alexnet",
                                          "alexnet_cifar", "nin", "mobilenet", "dilated", "inception",
                                          "resnet", "conv_autoencoder"};

}  // namespace

TEST_CASE("determinism: lenet5") { check_deterministic({"lenet5", {1, 28, 28}}); }
TEST_CASE("determinism: lenet5_classic") { check_deterministic({"lenet5_classic", {1, 32, 32}}); }
TEST_CASE("determinism: simplecnn") { check_deterministic({"simplecnn", {1, 28, 28}}); }
TEST_CASE("determinism: mnist_cnn (dropout)") { check_deterministic({"mnist_cnn", {1, 28, 28}}); }
TEST_CASE("determinism: alexnet (227x227, dropout, LRN)") {
  check_deterministic({"alexnet", {3, 227, 227}, 2, true, 2});
}
TEST_CASE("determinism: alexnet_cifar") { check_deterministic({"alexnet_cifar", {3, 32, 32}}); }
TEST_CASE("determinism: nin") { check_deterministic({"nin", {3, 32, 32}}); }
TEST_CASE("determinism: mobilenet (batch norm)") { check_deterministic({"mobilenet", {3, 32, 32}}); }
TEST_CASE("determinism: dilated") { check_deterministic({"dilated", {1, 28, 28}}); }
TEST_CASE("determinism: inception") { check_deterministic({"inception", {3, 32, 32}}); }
TEST_CASE("determinism: resnet (batch norm)") { check_deterministic({"resnet", {3, 32, 32}}); }
TEST_CASE("determinism: conv_autoencoder") { check_deterministic({"conv_autoencoder", {1, 28, 28}, 4, false}); }

TEST_CASE("determinism: every zoo model has a test case above") {
  std::set<std::string> registered;
  for (const auto& info : models::model_infos()) registered.insert(info.name);
  CHECK(registered == std::set<std::string>(kTested.begin(), kTested.end()));
}
