#pragma once
// What machine a benchmark ran on, so every figure can be read against it: the CPU (model name,
// vendor family and model), the widest vector ISA it offers, the cores, and a measured FMA peak
// (the most single-precision FLOP/s its FMA units give on one core and on all of them). For an
// AVX-512 CPU the probe also tells whether 512-bit FMAs run at full width (Zen 5, Intel server
// parts: twice the 256-bit rate) or double-pumped (Zen 4: the same rate as 256-bit).
//
// bench_ops, bench_train and machine_probe print it; bench/RESULTS.md keeps a table per machine.
#include <string>

namespace bench {

struct MachineInfo {
  std::string cpu_model;    // /proc/cpuinfo "model name"
  std::string vendor;       // "AuthenticAMD", "GenuineIntel", ...
  int family = 0;           // cpuid family (AMD Zen 3/4 = 25, Zen 5 = 26; Intel = 6)
  int model = 0;
  bool avx2_fma = false;
  bool avx512 = false;      // AVX-512 F + VL + BW + DQ (x86-64-v4)
  int cores = 0;            // hardware threads this process may run on
  double peak_256_one = 0;  // GFLOP/s, 256-bit FMAs, one core
  double peak_512_one = 0;  // GFLOP/s, 512-bit FMAs, one core (0 without AVX-512)
  double peak_one = 0;      // the better of the two: the one-core peak
  double peak_all = 0;      // GFLOP/s on every core at once, with the better width

  std::string core_name() const;  // "Zen 3", "Zen 4", "Zen 5" for AMD; empty where unknown
  std::string isa() const;  // "AVX-512 (full 512-bit FMA)", "AVX-512 (double-pumped ...)", "AVX2 + FMA"
  std::string describe() const;  // one line: CPU, family/model, ISA, cores, peaks
};

// Runs the FMA probe: the best of 5 trials of 0.1 s per width on one core, then on all cores.
MachineInfo probe_machine();

// The probe, once per process.
const MachineInfo& machine();

}  // namespace bench
