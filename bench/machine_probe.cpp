// Prints the machine a benchmark runs on (bench/machine.h): CPU, vector ISA, cores, FMA peak.
//   machine_probe            one line
//   machine_probe --fields   key=value lines, for scripts
#include <cstdio>
#include <cstring>

#include "machine.h"

int main(int argc, char** argv) {
  const bench::MachineInfo& m = bench::machine();
  if (argc > 1 && std::strcmp(argv[1], "--fields") == 0) {
    std::printf("cpu=%s\nvendor=%s\ncore=%s\nfamily=%d\nmodel=%d\nisa=%s\ncores=%d\n", m.cpu_model.c_str(),
                m.vendor.c_str(), m.core_name().c_str(), m.family, m.model, m.isa().c_str(), m.cores);
    std::printf("fma_peak_256_one_core_gflops=%.1f\nfma_peak_512_one_core_gflops=%.1f\n", m.peak_256_one,
                m.peak_512_one);
    std::printf("fma_peak_one_core_gflops=%.1f\nfma_peak_all_cores_gflops=%.1f\n", m.peak_one, m.peak_all);
    return 0;
  }
  if (argc > 1) {
    std::fprintf(stderr, "usage: machine_probe [--fields]\n");
    return 2;
  }
  std::printf("machine: %s\n", m.describe().c_str());
  return 0;
}
