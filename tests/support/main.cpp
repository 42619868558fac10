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

int main(int argc, char** argv) {
  namespace k = ember::kernels;
  try {  // a name that is no variant fails the run; a variant this build or CPU lacks skips it
    if (const char* env = std::getenv("EMBER_ISA"); env && *env) k::parse_isa(env, "EMBER_ISA");
  } catch (const ember::Error& e) {
    std::printf("%s\n", e.what());
    return 2;
  }
  try {
    const k::Isa isa = k::active_isa();
    std::printf("kernel variant: %s (baseline: %s; compiled: %s; this CPU runs: %s)\n", k::isa_name(isa),
                k::baseline_description().c_str(), k::isa_names(k::compiled_isas()).c_str(),
                k::isa_names(k::runnable_isas()).c_str());
  } catch (const ember::Error& e) {
    std::printf("SKIPPED: %s\n", e.what());
    return 77;
  }
  std::fflush(stdout);
  doctest::Context context(argc, argv);
  return context.run();
}
