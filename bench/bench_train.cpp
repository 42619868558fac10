// ember's side of the train benchmarks (../shared/SUITE.md, train-step rows, plus a LeNet-5 MNIST
// epoch). bench/torch/torch_train.cpp is PyTorch's side, with the same rows, networks, batches,
// optimizers and timing (step_timing.h); bench/compare.sh train runs the two alternately.
//
//   bench_train [row ...] [--mnist DIR] [--profile] [--machine]
//
// A train step is forward + cross-entropy + backward + optimizer step on a fixed batch of random
// images and labels. The epoch row trains LeNet-5 for one epoch on real MNIST (60,000 images)
// through the DataLoader (shuffle, scaling to [0,1], prefetch), as `ember train` does.
// Threads: EMBER_NUM_THREADS (default 2, the suite's setting). --profile prints ember's op table;
// --machine first prints the machine (bench/machine.h: CPU, vector ISA, cores, FMA peak; it takes
// about 2 s, so compare.sh asks machine_probe once instead of every row's process).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <ember/ember.h>

#include "machine.h"
#include "step_timing.h"

namespace {

using namespace ember;

struct TrainRow {
  const char* id;
  const char* model;
  Shape image;
  int64_t batch;
  std::function<std::shared_ptr<optim::Optimizer>(const TensorList&)> optimizer;
};

std::shared_ptr<optim::Optimizer> lenet_sgd(const TensorList& p) {
  return std::make_shared<optim::SGD>(p, optim::SGDOptions(0.01).momentum(0.9));
}

const TrainRow kRows[] = {
    {"lenet5", "lenet5", {1, 28, 28}, 64, lenet_sgd},
    {"simplecnn", "simplecnn", {1, 28, 28}, 100,
     [](const TensorList& p) { return std::make_shared<optim::Adam>(p, optim::AdamOptions(1e-3)); }},
    {"alexnet_cifar", "alexnet_cifar", {3, 32, 32}, 128,
     [](const TensorList& p) {
       return std::make_shared<optim::SGD>(p, optim::SGDOptions(0.01).momentum(0.9).weight_decay(5e-4));
     }},
    {"mobilenet_cifar", "mobilenet", {3, 32, 32}, 64,
     [](const TensorList& p) { return std::make_shared<optim::SGD>(p, optim::SGDOptions(0.05).momentum(0.9)); }},
};

std::shared_ptr<nn::Module> make_row_model(const char* name, const Shape& image) {
  manual_seed(1);
  models::ModelConfig config;
  config.in_channels = image[0];
  config.input_size = image[1];
  auto model = models::make_model(name, config);
  model->train();
  return model;
}

void train_step(nn::Module& model, optim::Optimizer& optimizer, const Tensor& images, const Tensor& labels) {
  optimizer.zero_grad();
  const Tensor loss = cross_entropy(model(images), labels);
  loss.backward();
  optimizer.step();
}

// A training step's FLOPs per image: the forward's (nn::forward_flops) and, as for the op rows,
// twice that again for the two gradients.
double train_flop_per_image(nn::Module& model, const Shape& image) {
  return 3.0 * static_cast<double>(nn::forward_flops(model, {1, image[0], image[1], image[2]}));
}

void run_step_row(const TrainRow& row) {
  auto model = make_row_model(row.model, row.image);
  auto optimizer = row.optimizer(model->parameters());
  Generator gen(2);
  const Tensor images = rand({row.batch, row.image[0], row.image[1], row.image[2]}, &gen);
  const Tensor labels = randint(0, 10, {row.batch}, &gen);
  const bench::Timing t = bench::time_iterations([&] { train_step(*model, *optimizer, images, labels); });
  bench::print_row(row.id, static_cast<double>(row.batch), t, train_flop_per_image(*model, row.image));
}

void run_epoch_row(const std::string& mnist_dir) {
  auto train_set = std::make_shared<data::ImageDataset>(data::load_mnist(mnist_dir, data::Split::train));
  auto loader = std::make_shared<data::DataLoader>(
      train_set, data::DataLoaderOptions().batch_size(64).shuffle(true).seed(1).transforms(
                     {std::make_shared<data::ScaleTo01>()}));
  auto model = make_row_model("lenet5", {1, 28, 28});
  auto optimizer = lenet_sgd(model->parameters());
  int64_t epoch = 0;
  const bench::Timing t = bench::time_iterations(
      [&] {
        for (const data::Batch& batch : loader->epoch(++epoch)) train_step(*model, *optimizer, batch.images, batch.labels);
      },
      /*warmup=*/1, /*min_iterations=*/3, /*min_seconds=*/0);
  bench::print_row("lenet5_mnist_epoch", static_cast<double>(train_set->size()), t,
                   train_flop_per_image(*model, {1, 28, 28}));
}

}  // namespace

int main(int argc, char** argv) try {
  std::vector<std::string> rows;
  std::string mnist_dir = "data/mnist";
  bool profile = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--mnist") && i + 1 < argc) {
      mnist_dir = argv[++i];
    } else if (!std::strcmp(argv[i], "--profile")) {
      profile = true;
    } else if (!std::strcmp(argv[i], "--machine")) {
      std::printf("# machine: %s\n", bench::machine().describe().c_str());
    } else if (argv[i][0] == '-') {
      std::fprintf(stderr, "usage: bench_train [row ...] [--mnist DIR] [--profile] [--machine]\n");
      return 2;
    } else {
      rows.emplace_back(argv[i]);
    }
  }
  if (rows.empty()) rows = bench::train_rows();
  const char* threads = std::getenv("EMBER_NUM_THREADS");
  set_num_threads(threads ? std::atoi(threads) : 2);
  for (const std::string& id : rows) {
    std::optional<Profiler> session;
    if (profile) session.emplace();
    if (id == "lenet5_mnist_epoch") {
      run_epoch_row(mnist_dir);
    } else {
      const TrainRow* row = nullptr;
      for (const TrainRow& r : kRows) row = id == r.id ? &r : row;
      EMBER_CHECK(row != nullptr, "bench_train: unknown row '{}' (known: lenet5, simplecnn, alexnet_cifar, "
                                  "mobilenet_cifar, lenet5_mnist_epoch)", id);
      run_step_row(*row);
    }
    if (session) std::printf("%s", session->table().c_str());
    const AllocatorStats a = allocator_stats();
    std::printf("# %s allocator: peak in use %.1f MiB, cached %.1f MiB, %lld system allocations\n", id.c_str(),
                a.peak_bytes_in_use / 1048576.0, a.bytes_cached / 1048576.0,
                static_cast<long long>(a.system_allocations));
  }
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_train: %s\n", e.what());
  return 1;
}
