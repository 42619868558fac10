#!/usr/bin/env bash
# valgrind (memcheck) over the `ember` program's train, resume and eval paths on the committed
# MNIST subset: fails on any memory error or any definitely/indirectly lost block. (LeakSanitizer
# covers the same paths, and every test, in scripts/test.sh --sanitize.)
#   scripts/leakcheck.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh valgrind
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target ember_cli
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mnist=tests/fixtures/mnist-small
vg() {  # vg NAME ARGS...: the ember program under memcheck; its report in $tmp/NAME.log
  local name=$1
  shift
  echo "== valgrind ember $*"
  valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=99 --log-file="$tmp/$name.log" ./build/tools/ember "$@" >"$tmp/$name.out" 2>&1 || {
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
