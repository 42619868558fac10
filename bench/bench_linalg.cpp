// GEMM-backed ops at the sizes of ../shared/SUITE.md (row "linear": 128 x 1024 -> 1024), reported
// in GFLOP/s. One iteration of a *_train benchmark = forward + grad wrt input + grad wrt weights
// (+ bias), as the suite defines it. Threads: EMBER_NUM_THREADS (default 2, the suite's setting).
#include <benchmark/benchmark.h>

#include <cstdlib>

#include <ember/ember.h>

#include "machine.h"
#include <ember/kernels/gemm.h>

namespace {

using namespace ember;

void set_flops(benchmark::State& state, double flops_per_iteration) {
  state.counters["FLOP/s"] =
      benchmark::Counter(flops_per_iteration, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}

// Raw kernel: C[M,N] = A[M,K] B[K,N]^T (the layout linear uses).
void BM_gemm(benchmark::State& state) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  Generator gen(1);
  const Tensor a = randn({m, k}, &gen), b = randn({n, k}, &gen);
  Tensor c = empty({m, n});
  for (auto _ : state) {
    kernels::gemm(false, true, m, n, k, 1.0f, a.data<float>(), k, b.data<float>(), k, 0.0f, c.data<float>(), n);
    benchmark::DoNotOptimize(c.data<float>());
  }
  set_flops(state, 2.0 * m * n * k);
}
BENCHMARK(BM_gemm)->Args({128, 1024, 1024})->Args({512, 512, 512})->Args({6, 784, 25})->UseRealTime();

// The naive reference kernel, at a size it can finish: what the fast path buys.
void BM_gemm_reference(benchmark::State& state) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  Generator gen(1);
  const Tensor a = randn({m, k}, &gen), b = randn({n, k}, &gen);
  Tensor c = empty({m, n});
  for (auto _ : state) {
    kernels::gemm_reference(false, true, m, n, k, 1.0f, a.data<float>(), k, b.data<float>(), k, 0.0f,
                            c.data<float>(), n);
    benchmark::DoNotOptimize(c.data<float>());
  }
  set_flops(state, 2.0 * m * n * k);
}
BENCHMARK(BM_gemm_reference)->Args({128, 256, 256})->UseRealTime();

void BM_matmul_forward(benchmark::State& state) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  Generator gen(2);
  const Tensor a = randn({m, k}, &gen), b = randn({k, n}, &gen);
  for (auto _ : state) benchmark::DoNotOptimize(matmul(a, b).data<float>());
  set_flops(state, 2.0 * m * n * k);
}
BENCHMARK(BM_matmul_forward)->Args({128, 1024, 1024})->Args({512, 512, 512})->UseRealTime();

void BM_matmul_train(benchmark::State& state) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  Generator gen(3);
  Tensor a = randn({m, k}, &gen).requires_grad_(), b = randn({k, n}, &gen).requires_grad_();
  const Tensor grad = randn({m, n}, &gen);
  for (auto _ : state) {
    a.zero_grad();
    b.zero_grad();
    matmul(a, b).backward(grad);
    benchmark::DoNotOptimize(b.grad().data<float>());
  }
  set_flops(state, 3 * 2.0 * m * n * k);
}
BENCHMARK(BM_matmul_train)->Args({128, 1024, 1024})->UseRealTime();

void BM_linear_forward(benchmark::State& state) {
  const int64_t batch = state.range(0), in = state.range(1), out = state.range(2);
  Generator gen(4);
  const Tensor x = randn({batch, in}, &gen), w = randn({out, in}, &gen), b = randn({out}, &gen);
  for (auto _ : state) benchmark::DoNotOptimize(linear(x, w, b).data<float>());
  set_flops(state, 2.0 * batch * in * out);
}
BENCHMARK(BM_linear_forward)->Args({128, 1024, 1024})->UseRealTime();

// SUITE.md row "linear": forward + grad wrt input + grad wrt weight and bias.
void BM_linear_train(benchmark::State& state) {
  const int64_t batch = state.range(0), in = state.range(1), out = state.range(2);
  Generator gen(5);
  Tensor x = randn({batch, in}, &gen).requires_grad_();
  Tensor w = randn({out, in}, &gen).requires_grad_();
  Tensor b = randn({out}, &gen).requires_grad_();
  const Tensor grad = randn({batch, out}, &gen);
  for (auto _ : state) {
    x.zero_grad();
    w.zero_grad();
    b.zero_grad();
    linear(x, w, b).backward(grad);
    benchmark::DoNotOptimize(w.grad().data<float>());
  }
  set_flops(state, 3 * 2.0 * batch * in * out);
}
BENCHMARK(BM_linear_train)->Args({128, 1024, 1024})->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  const char* threads = std::getenv("EMBER_NUM_THREADS");
  ember::set_num_threads(threads ? std::atoi(threads) : 2);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("ember_threads", std::to_string(ember::get_num_threads()));
  benchmark::AddCustomContext("machine", bench::machine().describe());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
