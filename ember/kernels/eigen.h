#pragma once
// Eigen's dense core, for the kernels that use it (the Eigen GEMM backend, LRN's vectorized pow).
//
// GCC 12's AVX-512 intrinsics pass an undefined merge operand to masked builtins on purpose
// (`__m512 __Y = __Y;` in avx512fintrin.h), and -Wmaybe-uninitialized reports it wherever Eigen's
// AVX-512 packet code is inlined (gemm_pack_rhs, ptranspose, the math functions): GCC bug 105593,
// fixed in GCC 13. With the sanitizers on (scripts/test.sh --sanitize) the same operand is
// reported as -Wuninitialized ("is used uninitialized") instead, so both are silenced. It is a
// false positive about the compiler's own header, and it would fail -Werror builds for AVX-512
// targets. The warnings are silenced for the lines of these headers only (GCC matches a
// diagnostic to the pragma state at its own source location), so ember's code keeps them. Include this before anything that may pull in <immintrin.h> first.
// Clang has no such warning (and -Werror refuses a pragma naming an unknown one): GCC only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>
#include <Eigen/Core>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
