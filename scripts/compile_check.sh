#!/usr/bin/env bash
# Compiles ember's libraries and the `ember` program, without running anything, for a vector ISA
# other than this machine's, with warnings as errors. Warnings that exist only for one ISA (GCC 12
# reports false -Wmaybe-uninitialized in its AVX-512 intrinsics, GCC bug 105593) would otherwise
# pass CI on an AVX2 machine and fail it on an AVX-512 one, or the reverse.
#   scripts/compile_check.sh              the ISA the native build does not cover: x86-64-v4
#                                         (AVX-512) on an AVX2 machine, x86-64-v3 (AVX2) on an
#                                         AVX-512 one
#   scripts/compile_check.sh x86-64-v4    a given -march level
# Builds in build-<march>/ (Release: the optimizer decides which of these warnings fire).
set -euo pipefail
cd "$(dirname "$0")/.."

march=${1:-}
if [[ -z $march ]]; then
  if grep -qw avx512f /proc/cpuinfo; then march=x86-64-v3; else march=x86-64-v4; fi
fi
case $march in
  x86-64 | x86-64-v2 | x86-64-v3 | x86-64-v4) ;;
  *) echo "compile_check: unknown -march level '$march' (expected x86-64, x86-64-v2, x86-64-v3 or x86-64-v4)" >&2
     exit 2 ;;
esac

scripts/setup.sh
build_dir=build-$march
echo "compile_check: -march=$march -Werror (compile only: this machine need not run it)"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DEMBER_NATIVE=OFF "-DCMAKE_CXX_FLAGS=-march=$march" \
  -DEMBER_WERROR=ON -DEMBER_BUILD_TESTS=OFF -DEMBER_BUILD_BENCH=OFF -DEMBER_BUILD_EXAMPLES=OFF >/dev/null
targets=(ember ember_cli)
grep -q '^EMBER_ONNX:BOOL=ON' "$build_dir/CMakeCache.txt" && targets+=(ember_onnx)
grep -q '^EMBER_MPI:BOOL=ON' "$build_dir/CMakeCache.txt" && targets+=(ember_distributed)
cmake --build "$build_dir" -j "$(nproc)" --target "${targets[@]}"
echo "compile_check: ${targets[*]} compile cleanly with -march=$march -Werror"
