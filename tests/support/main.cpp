// The tests' main: doctest's, after saying which kernel variant (kernels/isa/isa.h) this run
// tests. ctest runs the kernel-heavy suites once per variant, with EMBER_ISA naming it; a variant
// this build or CPU cannot run is reported as skipped (exit code 77), never run as another one.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <ember/ember.h>
#include "ember/kernels/isa/isa.h"

namespace {

std::string names(const std::vector<ember::kernels::Isa>& isas) {
  std::string out;
  for (ember::kernels::Isa isa : isas) out += std::string(out.empty() ? "" : ", ") + ember::kernels::isa_name(isa);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  namespace k = ember::kernels;
  if (const char* env = std::getenv("EMBER_ISA"); env && *env) {
    const std::string name = env;
    if (name != "baseline" && name != "avx2" && name != "avx512") {
      std::printf("EMBER_ISA=%s names no kernel variant (expected baseline, avx2 or avx512)\n", env);
      return 2;
    }
  }
  try {
    const k::Isa isa = k::active_isa();
    std::printf("kernel variant: %s (baseline: %s; compiled: %s; this CPU runs: %s)\n", k::isa_name(isa),
                k::baseline_description().c_str(), names(k::compiled_isas()).c_str(),
                names(k::runnable_isas()).c_str());
  } catch (const ember::Error& e) {
    std::printf("SKIPPED: %s\n", e.what());
    return 77;
  }
  std::fflush(stdout);
  doctest::Context context(argc, argv);
  return context.run();
}
