#!/usr/bin/env bash
# ember's test command: installs what is missing, configures, builds and runs every test (ctest).
#   scripts/test.sh              Release build in build/
#   scripts/test.sh --sanitize   AddressSanitizer + UndefinedBehaviorSanitizer build in build-sanitize/
#   scripts/test.sh --tsan       ThreadSanitizer build in build-tsan/ of the tests that run parallel
#                                kernels (TBB loops, the prefetching loader, the parallel optimizer step)
# Extra CMake options can be passed in EMBER_CMAKE_ARGS. Under CI (CI=true) warnings are errors.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
cmake_args=(-DCMAKE_BUILD_TYPE=Release)
sanitizer_debug_flags=("-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")
if [[ "${1:-}" == "--sanitize" ]]; then
  build_dir=build-sanitize
  # Line tables (-g1) keep sanitizer reports readable (file:line in every frame) and compile a
  # third faster than full debug information (-g), which only a debugger needs. This build uses
  # the Eigen GEMM backend, so the non-default backend is built and tested too.
  cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "${sanitizer_debug_flags[@]}" -DEMBER_SANITIZE=ON
              -DEMBER_BUILD_BENCH=OFF -DEMBER_GEMM=eigen)
fi
# The suites whose code runs on several threads: the parallel_for users (conv, pooling, norms,
# GEMM-based ops, elementwise and reductions, window ops), the optimizers' one-pass step, the data
# loader's background batch, the allocator's cache, and whole models' training steps.
tsan_tests=(core_test_parallel core_test_allocator ops_test_conv ops_test_conv1d ops_test_conv3d ops_test_winograd ops_test_pool
            ops_test_norm ops_test_fused ops_test_linalg ops_test_elementwise ops_test_reduce ops_test_window
            optim_test_optimizer optim_test_adam data_test_dataloader models_test_determinism)
if [[ "${1:-}" == "--tsan" ]]; then
  build_dir=build-tsan
  cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "${sanitizer_debug_flags[@]}" -DEMBER_TSAN=ON -DEMBER_GEMM=eigen -DEMBER_BUILD_BENCH=OFF
              -DEMBER_BUILD_EXAMPLES=OFF -DEMBER_BUILD_TOOLS=OFF)
fi
if [[ "${CI:-}" == "true" ]]; then cmake_args+=(-DEMBER_WERROR=ON); fi
# shellcheck disable=SC2206
cmake_args+=(${EMBER_CMAKE_ARGS:-})

# python3-torch: interop.pytorch has PyTorch load the files ember writes (some 60 MB to download with its dependencies;
# without it that check reports itself skipped).
# chromium: cli.compare_browser renders `ember compare`'s page headless and checks the screenshot.
# tmux: cli.progress_pty runs training in a real terminal of a chosen width.
scripts/setup.sh python3-torch chromium tmux
jobs=$(nproc)
cmake -S . -B "$build_dir" "${cmake_args[@]}" >/dev/null
if [[ $build_dir == build-tsan ]]; then
  cmake --build "$build_dir" -j "$jobs" --target "${tsan_tests[@]}"
  export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
  regex=$(printf '%s\n' "${tsan_tests[@]}" | sed 's/_test_/.test_/' | paste -sd '|')
  ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" -R "^($regex)\$"
  exit 0
fi
cmake --build "$build_dir" -j "$jobs"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
