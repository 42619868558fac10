#pragma once
// Which variants isa/variants.h compiles: a variant whose instruction set the build's own flags
// already enable would duplicate the baseline, so it is left out. Only x86-64 has variants; other
// machines run the baseline.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define EMBER_ISA_X86 1
#if !defined(__AVX512F__) || !defined(__AVX512BW__) || !defined(__AVX512DQ__) || !defined(__AVX512VL__)
#define EMBER_ISA_HAS_AVX512 1
#if !defined(__AVX2__) || !defined(__FMA__)
#define EMBER_ISA_HAS_AVX2 1
#endif
#endif
#endif
#ifndef EMBER_ISA_HAS_AVX512
#define EMBER_ISA_HAS_AVX512 0
#endif
#ifndef EMBER_ISA_HAS_AVX2
#define EMBER_ISA_HAS_AVX2 0
#endif
