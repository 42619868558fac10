// The train-step rows of ../shared/SUITE.md: one iteration = forward + cross-entropy + backward +
// optimizer step on a batch of random images and labels, reported as images/s
// (items_per_second). Threads: EMBER_NUM_THREADS (default 2, the suite's setting).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <functional>
#include <memory>

#include <ember/ember.h>

namespace {

using namespace ember;

struct TrainRow {
  const char* id;
  const char* model;
  Shape image;
  int64_t batch;
  std::function<std::shared_ptr<optim::Optimizer>(const TensorList&)> optimizer;
};

const TrainRow kRows[] = {
    {"lenet5", "lenet5", {1, 28, 28}, 64,
     [](const TensorList& p) { return std::make_shared<optim::SGD>(p, optim::SGDOptions(0.01).momentum(0.9)); }},
    {"simplecnn", "simplecnn", {1, 28, 28}, 100,
     [](const TensorList& p) { return std::make_shared<optim::Adam>(p, optim::AdamOptions(1e-3)); }},
    {"alexnet_cifar", "alexnet_cifar", {3, 32, 32}, 128,
     [](const TensorList& p) {
       return std::make_shared<optim::SGD>(p, optim::SGDOptions(0.01).momentum(0.9).weight_decay(5e-4));
     }},
    {"mobilenet_cifar", "mobilenet", {3, 32, 32}, 64,
     [](const TensorList& p) { return std::make_shared<optim::SGD>(p, optim::SGDOptions(0.05).momentum(0.9)); }},
};

void run_train_step(benchmark::State& state, const TrainRow& row) {
  manual_seed(1);
  models::ModelConfig config;
  config.in_channels = row.image[0];
  config.input_size = row.image[1];
  auto model = models::make_model(row.model, config);
  model->train();
  auto optimizer = row.optimizer(model->parameters());
  Generator gen(2);
  const Tensor images = rand({row.batch, row.image[0], row.image[1], row.image[2]}, &gen);
  const Tensor labels = randint(0, 10, {row.batch}, &gen);
  for (auto _ : state) {
    optimizer->zero_grad();
    const Tensor loss = cross_entropy((*model)(images), labels);
    loss.backward();
    optimizer->step();
    benchmark::DoNotOptimize(loss.item());
  }
  state.SetItemsProcessed(state.iterations() * row.batch);
}

}  // namespace

int main(int argc, char** argv) {
  const char* threads = std::getenv("EMBER_NUM_THREADS");
  ember::set_num_threads(threads ? std::atoi(threads) : 2);
  for (const TrainRow& row : kRows) {
    benchmark::RegisterBenchmark(row.id, [&row](benchmark::State& s) { run_train_step(s, row); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->MinTime(2.0);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
