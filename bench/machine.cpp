#include "machine.h"

#include <immintrin.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace bench {

namespace {

std::string cpuinfo_field(const std::string& text, const std::string& key) {
  size_t pos = 0;
  while ((pos = text.find(key, pos)) != std::string::npos) {
    if (pos == 0 || text[pos - 1] == '\n') {
      const size_t colon = text.find(':', pos);
      const size_t end = text.find('\n', pos);
      if (colon != std::string::npos && colon < end) {
        std::string value = text.substr(colon + 1, end - colon - 1);
        value.erase(0, value.find_first_not_of(" \t"));
        return value;
      }
    }
    pos += key.size();
  }
  return "";
}

// Independent FMA chains, enough to cover the FMA latency (4-5 cycles) times the number of FMA
// pipes (2): 12 accumulators keep every pipe busy on the CPUs this runs on.
constexpr int kChains = 12;
constexpr long kRepeats = 1 << 20;  // iterations between clock reads

__attribute__((target("avx2,fma"))) double fma256_gflop(double seconds) {
  __m256 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm256_set1_ps(1.0f + 1e-7f * static_cast<float>(i));
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  long iterations = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  do {
    for (long r = 0; r < kRepeats; ++r) {
#pragma GCC unroll 16  // the accumulators must live in registers, not in the array
      for (int i = 0; i < kChains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    }
    iterations += kRepeats;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (elapsed < seconds);
  __m256 sum = acc[0];
  for (int i = 1; i < kChains; ++i) sum = _mm256_add_ps(sum, acc[i]);
  volatile float sink = _mm256_cvtss_f32(sum);  // keeps the chains alive
  (void)sink;
  return 2.0 * 8 * kChains * static_cast<double>(iterations) / elapsed * 1e-9;
}

__attribute__((target("avx512f"))) double fma512_gflop(double seconds) {
  __m512 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(1.0f + 1e-7f * static_cast<float>(i));
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  long iterations = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  do {
    for (long r = 0; r < kRepeats; ++r) {
#pragma GCC unroll 16  // the accumulators must live in registers, not in the array
      for (int i = 0; i < kChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    }
    iterations += kRepeats;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (elapsed < seconds);
  __m512 sum = acc[0];
  for (int i = 1; i < kChains; ++i) sum = _mm512_add_ps(sum, acc[i]);
  // Stored and summed in scalar: GCC 12's _mm512_reduce_add_ps trips its own
  // -Wuninitialized (GCC bug 105593).
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  volatile float sink = lanes[0] + lanes[15];
  (void)sink;
  return 2.0 * 16 * kChains * static_cast<double>(iterations) / elapsed * 1e-9;
}

// The same probe on `threads` threads at once; the sum of their rates.
template <typename Probe>
double on_threads(int threads, Probe probe, double seconds) {
  std::vector<double> rates(static_cast<size_t>(threads));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back([&, t] { rates[static_cast<size_t>(t)] = probe(seconds); });
  for (auto& th : pool) th.join();
  double total = 0;
  for (double r : rates) total += r;
  return total;
}

// AMD's cores by cpuid family and model; other vendors' names are left to the model string.
std::string amd_core(int family, int model) {
  if (family == 23) return model >= 0x30 ? "Zen 2" : "Zen/Zen+";
  if (family == 25) {
    const bool zen4 = (model >= 0x10 && model <= 0x1f) || (model >= 0x60 && model <= 0x7f) || (model >= 0xa0 && model <= 0xaf);
    return zen4 ? "Zen 4" : "Zen 3";
  }
  if (family == 26) return "Zen 5";
  return "";
}

}  // namespace

std::string MachineInfo::core_name() const { return vendor == "AuthenticAMD" ? amd_core(family, model) : ""; }

std::string MachineInfo::isa() const {
  if (avx512) {
    // Full-width units do twice the 256-bit rate; double-pumped ones (Zen 4) about the same.
    const bool full = peak_512_one > 1.5 * peak_256_one;
    return full ? "AVX-512 (full 512-bit FMA)" : "AVX-512 (double-pumped: 512-bit FMA at the 256-bit rate)";
  }
  return avx2_fma ? "AVX2 + FMA" : "SSE only (no AVX2/FMA)";
}

std::string MachineInfo::describe() const {
  char line[512];
  std::snprintf(line, sizeof line,
                "%s (%s%s%s family %d model %d), %s, %d cores, FMA peak %.0f GFLOP/s on one core, %.0f on %d",
                cpu_model.c_str(), core_name().c_str(), core_name().empty() ? "" : ", ", vendor.c_str(), family, model,
                isa().c_str(), cores, peak_one, peak_all, cores);
  return line;
}

MachineInfo probe_machine() {
  MachineInfo m;
  std::ifstream in("/proc/cpuinfo");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  m.cpu_model = cpuinfo_field(text, "model name");
  m.vendor = cpuinfo_field(text, "vendor_id");
  m.family = std::atoi(cpuinfo_field(text, "cpu family").c_str());
  m.model = std::atoi(cpuinfo_field(text, "model").c_str());
  __builtin_cpu_init();
  m.avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  m.avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
  cpu_set_t set;
  m.cores = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set)
                                                        : static_cast<int>(std::thread::hardware_concurrency());
  if (!m.avx2_fma) return m;
  // A peak is the best of several short trials: another process taking the core for a moment
  // lowers one trial, never raises it.
  constexpr double kSeconds = 0.1;
  constexpr int kTrials = 5;
  auto best = [&](auto trial) {
    double rate = 0;
    for (int i = 0; i < kTrials; ++i) rate = std::max(rate, trial());
    return rate;
  };
  fma256_gflop(0.1);  // wake the core up to its sustained clock first
  m.peak_256_one = best([&] { return fma256_gflop(kSeconds); });
  if (m.avx512) m.peak_512_one = best([&] { return fma512_gflop(kSeconds); });
  m.peak_one = std::max(m.peak_256_one, m.peak_512_one);
  const bool wide = m.peak_512_one > m.peak_256_one;
  m.peak_all = best([&] { return wide ? on_threads(m.cores, fma512_gflop, kSeconds) : on_threads(m.cores, fma256_gflop, kSeconds); });
  return m;
}

const MachineInfo& machine() {
  static const MachineInfo info = probe_machine();
  return info;
}

}  // namespace bench
