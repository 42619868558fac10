#!/usr/bin/env bash
# valgrind (memcheck) over the `ember` program's train, resume and eval paths on the committed
# MNIST subset: fails on any memory error or any definitely/indirectly lost block. (LeakSanitizer
# covers the same paths, and every test, in scripts/test.sh --sanitize.)
#   scripts/leakcheck.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh valgrind
# Debian 12's valgrind (3.19) decodes no AVX-512 instruction: on an AVX-512 machine the native
# build (-march=native) dies of SIGILL under it before main(). There the program checked is the
# AVX2 build (x86-64-v3) that scripts/compile_check.sh makes on such a machine anyway (CI's second
# stage: rebuilt here only if it is missing or stale); valgrind's own CPUID then reports an AVX2
# CPU, so the libraries' run-time dispatch (OpenBLAS, glibc) picks AVX2 code too.
if grep -qw avx512f /proc/cpuinfo; then
  scripts/compile_check.sh x86-64-v3
  ember=build-x86-64-v3/tools/ember
else
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j "$(nproc)" --target ember_cli
  ember=build/tools/ember
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mnist=tests/fixtures/mnist-small
vg() {  # vg NAME ARGS...: the ember program under memcheck; its report in $tmp/NAME.log
  local name=$1
  shift
  echo "== valgrind ember $*"
  valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=99 --log-file="$tmp/$name.log" "$ember" "$@" >"$tmp/$name.out" 2>&1 || {
    echo "leakcheck: ember $* failed under valgrind (exit $?):" >&2
    cat "$tmp/$name.out" "$tmp/$name.log" >&2
    exit 1
  }
  tail -n 1 "$tmp/$name.out"
}
vg train train --model lenet5 --data mnist --data-dir "$mnist" --train-limit 300 --test-limit 100 --batch 50 \
  --epochs 1 --progress none --out "$tmp/run"
vg resume resume "$tmp/run" --epochs 2 --progress none
vg eval eval --checkpoint "$tmp/run/checkpoints/last.safetensors" --data mnist --data-dir "$mnist" --test-limit 100
echo "leakcheck: no memory errors, no leaks (valgrind memcheck: train, resume, eval)"
