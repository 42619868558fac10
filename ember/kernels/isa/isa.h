#pragma once
// The vector instruction sets the kernels are compiled for, and the one they run with.
//
// Kernels whose speed depends on the vector width are written once and compiled once per
// instruction set into the same library (isa/variants.h); the variant for the best set this CPU
// runs is picked when the kernel is called. So one portable build (EMBER_NATIVE=OFF) runs 512-bit
// code on AVX-512 machines and 256-bit code on AVX2 ones. A -march=native build compiles a single
// variant, for the build machine.
//
// Results are bit-identical across thread counts for each instruction set; between instruction
// sets they may differ in the last bits (a wider vector adds partial sums in another order).
#include <string>
#include <vector>

namespace ember::kernels {

enum class Isa {
  baseline,  // the build's own flags (x86-64 for a portable build, the build machine's for native)
  avx2,      // AVX2 + FMA (x86-64-v3)
  avx512,    // AVX-512 F/BW/DQ/VL (x86-64-v4), 512-bit vectors
};

const char* isa_name(Isa isa);
// "baseline, avx2, avx512": the names, comma-separated.
std::string isa_names(const std::vector<Isa>& isas);
// The Isa named `name` (baseline, avx2 or avx512); throws ember::Error naming `where` otherwise.
Isa parse_isa(const std::string& name, const char* where);

// The variants this build holds (baseline first), and those of them this CPU can run.
std::vector<Isa> compiled_isas();
std::vector<Isa> runnable_isas();

// The variant the kernels run: the best runnable one, unless the environment variable EMBER_ISA
// (baseline, avx2 or avx512) or set_isa asks for another runnable one.
Isa active_isa();

// Makes the kernels run `isa` (tests compare every variant with the naive references). Throws
// ember::Error naming the variants this build and this CPU have if it cannot run here.
void set_isa(Isa isa);

// What the build's baseline is compiled for ("x86-64 (SSE2)", "-march=native: AVX-512", ...).
std::string baseline_description();

}  // namespace ember::kernels
