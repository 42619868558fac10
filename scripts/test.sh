#!/usr/bin/env bash
# ember's test command: installs what is missing, configures, builds and runs every test (ctest).
#   scripts/test.sh              Release build in build/
#   scripts/test.sh --sanitize   AddressSanitizer + UndefinedBehaviorSanitizer build in build-sanitize/
# Extra CMake options can be passed in EMBER_CMAKE_ARGS. Under CI (CI=true) warnings are errors.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
cmake_args=(-DCMAKE_BUILD_TYPE=Release)
if [[ "${1:-}" == "--sanitize" ]]; then
  build_dir=build-sanitize
  # RelWithDebInfo keeps sanitizer reports readable (file:line in every frame). This build uses
  # the Eigen GEMM backend, so the non-default backend is built and tested too.
  cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DEMBER_SANITIZE=ON -DEMBER_BUILD_BENCH=OFF -DEMBER_GEMM=eigen)
fi
if [[ "${CI:-}" == "true" ]]; then cmake_args+=(-DEMBER_WERROR=ON); fi
# shellcheck disable=SC2206
cmake_args+=(${EMBER_CMAKE_ARGS:-})

scripts/setup.sh
jobs=$(nproc)
cmake -S . -B "$build_dir" "${cmake_args[@]}" >/dev/null
cmake --build "$build_dir" -j "$jobs"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
