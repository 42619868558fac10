#include "ember/kernels/isa/isa.h"

#include <atomic>
#include <cstdlib>

#include "ember/core/error.h"
#include "ember/kernels/isa/config.h"

namespace ember::kernels {

namespace {

constexpr Isa kAll[] = {Isa::baseline, Isa::avx2, Isa::avx512};

bool compiled(Isa isa) {
  switch (isa) {
    case Isa::baseline:
      return true;
    case Isa::avx2:
      return EMBER_ISA_HAS_AVX2;
    case Isa::avx512:
      return EMBER_ISA_HAS_AVX512;
  }
  return false;
}

bool cpu_runs(Isa isa) {
#if EMBER_ISA_X86
  switch (isa) {
    case Isa::baseline:
      return true;
    case Isa::avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  }
  return false;
#else
  return isa == Isa::baseline;
#endif
}

bool runnable(Isa isa) { return compiled(isa) && cpu_runs(isa); }

void check_runnable(Isa isa, const char* where) {
  EMBER_CHECK(compiled(isa),
              "{}: this build has no {} kernels (it has: {}; a -march=native build, EMBER_NATIVE=ON, holds its "
              "baseline only)",
              where, isa_name(isa), isa_names(compiled_isas()));
  EMBER_CHECK(cpu_runs(isa), "{}: this CPU cannot run {} kernels (it runs: {})", where, isa_name(isa),
              isa_names(runnable_isas()));
}

// -1 until the first kernel asks; then the ISA in use.
std::atomic<int> g_active{-1};

Isa initial_isa() {
  if (const char* env = std::getenv("EMBER_ISA"); env && *env) {
    const Isa isa = parse_isa(env, "EMBER_ISA");
    check_runnable(isa, "EMBER_ISA");
    return isa;
  }
  return runnable_isas().back();
}

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::baseline:
      return "baseline";
    case Isa::avx2:
      return "avx2";
    case Isa::avx512:
      return "avx512";
  }
  return "?";
}

std::string isa_names(const std::vector<Isa>& isas) {
  std::string out;
  for (Isa isa : isas) out += std::string(out.empty() ? "" : ", ") + isa_name(isa);
  return out;
}

Isa parse_isa(const std::string& name, const char* where) {
  for (Isa isa : kAll) {
    if (name == isa_name(isa)) return isa;
  }
  fail("{}: unknown instruction set \"{}\" (expected baseline, avx2 or avx512)", where, name);
}

std::vector<Isa> compiled_isas() {
  std::vector<Isa> out;
  for (Isa isa : kAll) {
    if (compiled(isa)) out.push_back(isa);
  }
  return out;
}

std::vector<Isa> runnable_isas() {
  std::vector<Isa> out;
  for (Isa isa : kAll) {
    if (runnable(isa)) out.push_back(isa);
  }
  return out;
}

Isa active_isa() {
  int value = g_active.load(std::memory_order_relaxed);
  if (value < 0) {
    // Every thread that gets here computes the same answer (or throws the same error).
    value = static_cast<int>(initial_isa());
    g_active.store(value, std::memory_order_relaxed);
  }
  return static_cast<Isa>(value);
}

void set_isa(Isa isa) {
  check_runnable(isa, "set_isa");
  g_active.store(static_cast<int>(isa), std::memory_order_relaxed);
}


std::string baseline_description() {
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512DQ__) && defined(__AVX512VL__)
  const char* level = "AVX-512";
#elif defined(__AVX2__) && defined(__FMA__)
  const char* level = "AVX2";
#elif defined(__x86_64__)
  const char* level = "x86-64 (SSE2)";
#else
  const char* level = "the target's default";
#endif
#ifdef EMBER_BUILD_NATIVE
  return std::string("-march=native: ") + level;
#else
  return level;
#endif
}

}  // namespace ember::kernels
