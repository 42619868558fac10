// PyTorch's side of the train benchmarks: the networks, batches, optimizers and timing of
// bench/bench_train.cpp, written with PyTorch's C++ API (libtorch 1.13 from Debian). Built only by
// bench/compare.sh (its own CMake project: ember never depends on libtorch).
//
//   torch_train [row ...] [--mnist DIR]
//
// Threads: OMP_NUM_THREADS / EMBER_NUM_THREADS (default 2), set explicitly with at::set_num_threads.
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "../step_timing.h"

namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;
using torch::indexing::Slice;

nn::Sequential lenet5() {
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 6, 5).padding(2)), nn::ReLU(), nn::MaxPool2d(2),
                        nn::Conv2d(6, 16, 5), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(), nn::Linear(16 * 5 * 5, 120),
                        nn::ReLU(), nn::Linear(120, 84), nn::ReLU(), nn::Linear(84, 10));
}

nn::Sequential simplecnn() {
  return nn::Sequential(nn::Conv2d(1, 30, 5), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(), nn::Linear(30 * 12 * 12, 100),
                        nn::ReLU(), nn::Linear(100, 10));
}

nn::Sequential alexnet_cifar() {
  auto lrn = [] { return nn::LocalResponseNorm(nn::LocalResponseNormOptions(5).alpha(1e-4).beta(0.75).k(2.0)); };
  auto pool = [] { return nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2)); };
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(3, 64, 5).padding(2)), nn::ReLU(), pool(), lrn(),
                        nn::Conv2d(nn::Conv2dOptions(64, 64, 5).padding(2)), nn::ReLU(), lrn(), pool(), nn::Flatten(),
                        nn::Linear(64 * 7 * 7, 384), nn::ReLU(), nn::Dropout(0.5), nn::Linear(384, 192), nn::ReLU(),
                        nn::Dropout(0.5), nn::Linear(192, 10));
}

nn::Sequential mobilenet_cifar() {
  nn::Sequential net(nn::Conv2d(nn::Conv2dOptions(3, 32, 3).padding(1).bias(false)), nn::BatchNorm2d(32), nn::ReLU());
  int64_t in = 32;
  const std::pair<int64_t, int64_t> blocks[] = {{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}};
  for (const auto& [out, stride] : blocks) {
    net->push_back(nn::Conv2d(nn::Conv2dOptions(in, in, 3).stride(stride).padding(1).groups(in).bias(false)));
    net->push_back(nn::BatchNorm2d(in));
    net->push_back(nn::ReLU());
    net->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, 1).bias(false)));
    net->push_back(nn::BatchNorm2d(out));
    net->push_back(nn::ReLU());
    in = out;
  }
  net->push_back(nn::AdaptiveAvgPool2d(1));
  net->push_back(nn::Flatten());
  net->push_back(nn::Linear(in, 10));
  return net;
}

struct Row {
  nn::Sequential net;
  std::vector<int64_t> image;
  int64_t batch;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
};

Row make_row(const std::string& id) {
  torch::manual_seed(1);
  Row row;
  if (id == "lenet5" || id == "lenet5_mnist_epoch") {
    row = {lenet5(), {1, 28, 28}, 64, nullptr};
  } else if (id == "simplecnn") {
    row = {simplecnn(), {1, 28, 28}, 100, nullptr};
  } else if (id == "alexnet_cifar") {
    row = {alexnet_cifar(), {3, 32, 32}, 128, nullptr};
  } else if (id == "mobilenet_cifar") {
    row = {mobilenet_cifar(), {3, 32, 32}, 64, nullptr};
  } else {
    throw std::runtime_error("unknown row '" + id + "'");
  }
  auto params = row.net->parameters();
  if (id == "simplecnn") {
    row.optimizer = std::make_unique<torch::optim::Adam>(params, torch::optim::AdamOptions(1e-3));
  } else if (id == "alexnet_cifar") {
    row.optimizer = std::make_unique<torch::optim::SGD>(
        params, torch::optim::SGDOptions(0.01).momentum(0.9).weight_decay(5e-4));
  } else if (id == "mobilenet_cifar") {
    row.optimizer = std::make_unique<torch::optim::SGD>(params, torch::optim::SGDOptions(0.05).momentum(0.9));
  } else {
    row.optimizer = std::make_unique<torch::optim::SGD>(params, torch::optim::SGDOptions(0.01).momentum(0.9));
  }
  row.net->train();
  return row;
}

void train_step(Row& row, const torch::Tensor& images, const torch::Tensor& labels) {
  row.optimizer->zero_grad();
  const torch::Tensor loss = F::cross_entropy(row.net->forward(images), labels);
  loss.backward();
  row.optimizer->step();
}

void run_step_row(const std::string& id) {
  Row row = make_row(id);
  std::vector<int64_t> shape = {row.batch};
  shape.insert(shape.end(), row.image.begin(), row.image.end());
  const torch::Tensor images = torch::rand(shape), labels = torch::randint(0, 10, {row.batch}, torch::kLong);
  const bench::Timing t = bench::time_iterations([&] { train_step(row, images, labels); });
  bench::print_row(id, static_cast<double>(row.batch), t);
}

// The fastest way to feed an epoch here: the whole set as one tensor (already scaled to [0,1] by
// the MNIST dataset), a fresh permutation per epoch, index_select per batch.
void run_epoch_row(const std::string& mnist_dir) {
  torch::data::datasets::MNIST mnist(mnist_dir, torch::data::datasets::MNIST::Mode::kTrain);
  const torch::Tensor images = mnist.images(), labels = mnist.targets();
  const int64_t n = images.size(0);
  Row row = make_row("lenet5_mnist_epoch");
  const bench::Timing t = bench::time_iterations(
      [&] {
        const torch::Tensor order = torch::randperm(n, torch::kLong);
        for (int64_t start = 0; start < n; start += row.batch) {
          const torch::Tensor idx = order.index({Slice(start, std::min(start + row.batch, n))});
          train_step(row, images.index_select(0, idx), labels.index_select(0, idx));
        }
      },
      /*warmup=*/1, /*min_iterations=*/3, /*min_seconds=*/0);
  bench::print_row("lenet5_mnist_epoch", static_cast<double>(n), t);
}

}  // namespace

int main(int argc, char** argv) try {
  std::vector<std::string> rows;
  std::string mnist_dir = "data/mnist";
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--mnist") && i + 1 < argc) {
      mnist_dir = argv[++i];
    } else if (argv[i][0] == '-') {
      std::fprintf(stderr, "usage: torch_train [row ...] [--mnist DIR]\n");
      return 2;
    } else {
      rows.emplace_back(argv[i]);
    }
  }
  if (rows.empty()) rows = bench::train_rows();
  const char* threads = std::getenv("EMBER_NUM_THREADS");
  at::set_num_threads(threads ? std::atoi(threads) : 2);
  at::set_num_interop_threads(1);
  for (const std::string& id : rows) {
    if (id == "lenet5_mnist_epoch") {
      run_epoch_row(mnist_dir);
    } else {
      run_step_row(id);
    }
  }
} catch (const std::exception& e) {
  std::fprintf(stderr, "torch_train: %s\n", e.what());
  return 1;
}
