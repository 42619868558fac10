// The op-level rows of ../shared/SUITE.md. One iteration = forward + gradient w.r.t. the input +
// gradient w.r.t. the weights (and bias), as the suite defines it. Reports ms and GFLOP/s
// (2*N*K*OH*OW*(C/groups)*kh*kw per forward, x3 for the iteration).
// Threads: EMBER_NUM_THREADS (default 2, the suite's setting).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <functional>

#include <ember/ember.h>

#include "machine.h"

namespace {

using namespace ember;

struct ConvRow {
  const char* id;
  int64_t n, c, hw, k, kernel, stride, pad, dilation, groups;
  bool transposed = false;
};

// SUITE.md, op level.
const ConvRow kConvRows[] = {
    {"conv_lenet1", 64, 1, 28, 6, 5, 1, 2, 1, 1},     {"conv_3x3", 32, 64, 32, 64, 3, 1, 1, 1, 1},
    {"conv_1x1", 32, 128, 16, 128, 1, 1, 0, 1, 1},    {"conv_dw", 32, 128, 32, 128, 3, 1, 1, 1, 128},
    {"conv_dil", 32, 64, 32, 64, 3, 1, 2, 2, 1},      {"conv_alex1", 8, 3, 227, 96, 11, 4, 0, 1, 1},
    {"deconv", 32, 64, 16, 32, 4, 2, 1, 1, 1, true},
};

void run_conv(benchmark::State& state, const ConvRow& r, ConvAlgorithm algorithm) {
  Generator gen(1);
  Tensor x = randn({r.n, r.c, r.hw, r.hw}, &gen).requires_grad_();
  Tensor w = r.transposed ? randn({r.c, r.k / r.groups, r.kernel, r.kernel}, &gen)
                          : randn({r.k, r.c / r.groups, r.kernel, r.kernel}, &gen);
  w.requires_grad_();
  Tensor b = randn({r.k}, &gen).requires_grad_();
  auto forward = [&] {
    if (r.transposed) {
      return conv_transpose2d(x, w, b, ConvTranspose2dOptions().stride(r.stride).padding(r.pad).groups(r.groups));
    }
    return conv2d(x, w, b,
                  Conv2dOptions().stride(r.stride).padding(r.pad).dilation(r.dilation).groups(r.groups).algorithm(algorithm));
  };
  const Tensor out0 = forward();
  const Tensor grad = randn(out0.shape(), &gen);
  for (auto _ : state) {
    x.zero_grad();
    w.zero_grad();
    b.zero_grad();
    forward().backward(grad);
    benchmark::DoNotOptimize(w.grad().data<float>());
  }
  // Forward FLOPs of the convolution (for a transposed conv, of the conv it is the adjoint of).
  const int64_t pixels = r.transposed ? r.hw * r.hw : out0.size(2) * out0.size(3);
  const int64_t conv_in = r.transposed ? r.k : r.c, conv_out = r.transposed ? r.c : r.k;
  const double flops = 2.0 * r.n * conv_out * pixels * (conv_in / r.groups) * r.kernel * r.kernel;
  state.counters["FLOP/s"] =
      benchmark::Counter(3 * flops, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}

// The 1-D and 3-D convolutions (issue 8): conv1d runs as conv2d on [N, C, 1, L]; conv3d is
// vol2col + GEMM. Same iteration as the conv rows; FLOPs 2*N*K*outputs*(C/groups)*kernel volume.
struct ConvNdRow {
  const char* id;
  Shape x, w;  // [N, C, spatial...], [K, C/groups, kernel...]
  int64_t pad;
};
const ConvNdRow kConvNdRows[] = {
    {"conv1d_k5", {32, 64, 1024}, {64, 64, 5}, 2},
    {"conv3d_3x3x3", {4, 16, 16, 32, 32}, {32, 16, 3, 3, 3}, 1},
};

void run_conv_nd(benchmark::State& state, const ConvNdRow& r) {
  Generator gen(4);
  Tensor x = randn(r.x, &gen).requires_grad_(), w = randn(r.w, &gen).requires_grad_();
  Tensor b = randn({r.w[0]}, &gen).requires_grad_();
  auto forward = [&] {
    return r.x.size() == 3 ? conv1d(x, w, b, Conv1dOptions().padding(r.pad)) : conv3d(x, w, b, Conv3dOptions().padding(r.pad));
  };
  const Tensor out0 = forward();
  const Tensor grad = randn(out0.shape(), &gen);
  for (auto _ : state) {
    x.zero_grad();
    w.zero_grad();
    b.zero_grad();
    forward().backward(grad);
    benchmark::DoNotOptimize(w.grad().data<float>());
  }
  const double flops = 2.0 * static_cast<double>(out0.numel()) * static_cast<double>(w.numel() / w.size(0));
  state.counters["FLOP/s"] =
      benchmark::Counter(3 * flops, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}

// SUITE.md row "maxpool": overlapping 3x3 windows, stride 2, forward + gradient w.r.t. input.
void run_maxpool(benchmark::State& state) {
  Generator gen(3);
  Tensor x = randn({64, 64, 32, 32}, &gen).requires_grad_();
  const MaxPool2dOptions options = MaxPool2dOptions(3).stride(2);
  const Tensor grad = randn(max_pool2d(x, options).shape(), &gen);
  for (auto _ : state) {
    x.zero_grad();
    max_pool2d(x, options).backward(grad);
    benchmark::DoNotOptimize(x.grad().data<float>());
  }
}

void run_linear(benchmark::State& state) {
  Generator gen(2);
  Tensor x = randn({128, 1024}, &gen).requires_grad_();
  Tensor w = randn({1024, 1024}, &gen).requires_grad_();
  Tensor b = randn({1024}, &gen).requires_grad_();
  const Tensor grad = randn({128, 1024}, &gen);
  for (auto _ : state) {
    x.zero_grad();
    w.zero_grad();
    b.zero_grad();
    linear(x, w, b).backward(grad);
    benchmark::DoNotOptimize(w.grad().data<float>());
  }
  state.counters["FLOP/s"] = benchmark::Counter(3 * 2.0 * 128 * 1024 * 1024,
                                                 benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
}

}  // namespace

int main(int argc, char** argv) {
  const char* threads = std::getenv("EMBER_NUM_THREADS");
  ember::set_num_threads(threads ? std::atoi(threads) : 2);
  for (const ConvRow& row : kConvRows) {
    benchmark::RegisterBenchmark(row.id, [&row](benchmark::State& s) { run_conv(s, row, ConvAlgorithm::automatic); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  // The general path on the rows that have a faster one: what the direct kernels buy.
  for (const ConvRow& row : kConvRows) {
    if (std::string(row.id) == "conv_dw" || std::string(row.id) == "conv_1x1") {
      benchmark::RegisterBenchmark((std::string(row.id) + "_im2col").c_str(),
                                   [&row](benchmark::State& s) { run_conv(s, row, ConvAlgorithm::im2col); })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  }
  for (const ConvNdRow& row : kConvNdRows) {
    benchmark::RegisterBenchmark(row.id, [&row](benchmark::State& s) { run_conv_nd(s, row); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  benchmark::RegisterBenchmark("maxpool", run_maxpool)->Unit(benchmark::kMillisecond)->UseRealTime();
  benchmark::RegisterBenchmark("linear", run_linear)->Unit(benchmark::kMillisecond)->UseRealTime();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("ember_threads", std::to_string(ember::get_num_threads()));
  benchmark::AddCustomContext("machine", bench::machine().describe());
  benchmark::AddCustomContext("fma_peak_all_cores_gflops", std::to_string(bench::machine().peak_all));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
