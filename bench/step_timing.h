#pragma once
// The timing protocol of ../shared/SUITE.md, shared by ember's and PyTorch's train benchmarks so
// both sides are measured the same way: 3 warm-up iterations, then at least 20 timed iterations
// and at least `min_seconds`; the figure is the median iteration. Header-only and framework-free
// (the PyTorch side includes it too).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace bench {

struct Timing {
  double median_seconds = 0;
  int iterations = 0;
};

template <class Step>
Timing time_iterations(Step&& step, int warmup = 3, int min_iterations = 20, double min_seconds = 2.0) {
  using clock = std::chrono::steady_clock;
  for (int i = 0; i < warmup; ++i) step();
  std::vector<double> seconds;
  const auto start = clock::now();
  while (static_cast<int>(seconds.size()) < min_iterations ||
         std::chrono::duration<double>(clock::now() - start).count() < min_seconds) {
    const auto t0 = clock::now();
    step();
    seconds.push_back(std::chrono::duration<double>(clock::now() - t0).count());
  }
  std::nth_element(seconds.begin(), seconds.begin() + seconds.size() / 2, seconds.end());
  return {seconds[seconds.size() / 2], static_cast<int>(seconds.size())};
}

// Peak resident set of this process so far, in KiB (Linux reports ru_maxrss in KiB).
inline long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// One result line, the format bench/compare.py reads: <id> ips=<images/s> ms=<ms/iteration> ...
// flop_per_item > 0 adds "train_flop_per_item=" (ember's side: 3x the model's forward FLOPs per
// image, as the op rows count a convolution's forward and two gradients), from which
// compare_train.py derives both sides' GFLOP/s.
inline void print_row(const std::string& id, double items_per_iteration, const Timing& t, double flop_per_item = 0) {
  std::printf("%s ips=%.1f ms=%.3f iterations=%d peak_rss_kib=%ld", id.c_str(), items_per_iteration / t.median_seconds,
              t.median_seconds * 1e3, t.iterations, peak_rss_kib());
  if (flop_per_item > 0) std::printf(" train_flop_per_item=%.0f", flop_per_item);
  std::printf("\n");
  std::fflush(stdout);
}

// The SUITE's train-step rows, and the epoch row.
inline const std::vector<std::string>& train_rows() {
  static const std::vector<std::string> rows = {"lenet5", "simplecnn", "alexnet_cifar", "mobilenet_cifar",
                                                "lenet5_mnist_epoch"};
  return rows;
}

}  // namespace bench
