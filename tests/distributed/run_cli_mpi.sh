#!/usr/bin/env bash
# `ember train --distributed` end to end (ctest: distributed.cli).
#   tests/distributed/run_cli_mpi.sh <ember> <tests/fixtures> <mpirun and its options...>
# Two ranks train LeNet-5 on the committed MNIST subset; rank 0 alone prints and writes the run;
# the run resumes on two ranks; a batch the world does not divide is refused; without mpirun,
# --distributed is a world of one. Takes a few seconds.
set -euo pipefail

if [[ $# -lt 3 ]]; then
  echo "usage: $0 <ember binary> <fixtures dir> <mpirun> [mpirun options...]" >&2
  exit 2
fi
EMBER=$1
MNIST=$2/mnist-small
shift 2
MPIRUN=("$@")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ember_mpi_cli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
run() {  # run NAME COMMAND...: output in $out, exit code in $rc
  local name=$1
  shift
  rc=0
  "$@" >"$TMP/$name.out" 2>&1 || rc=$?
  out=$(cat "$TMP/$name.out")
}
expect_rc() { [[ $rc -eq $2 ]] || fail "$1: exit code $rc, expected $2; output:"$'\n'"$out"; }
expect_contains() { grep -qF -- "$2" <<<"$out" || fail "$1: output lacks '$2'; output:"$'\n'"$out"; }
expect_count() {  # expect_count WHAT TEXT N: TEXT appears on exactly N lines
  local n
  n=$(grep -cF -- "$2" <<<"$out" || true)
  [[ $n -eq $3 ]] || fail "$1: '$2' on $n lines, expected $3; output:"$'\n'"$out"
}

common=(--model lenet5 --data mnist --data-dir "$MNIST" --train-limit 400 --test-limit 200 --lr 0.05
        --momentum 0.9 --progress lines --seed 3)

run train "${MPIRUN[@]}" -np 2 "$EMBER" train --distributed "${common[@]}" --epochs 1 --batch 40 --out "$TMP/run" \
  --bucket-kb 64
expect_rc "2-rank train" 0
expect_contains "2-rank train" "distributed: 2 ranks (2 on this machine)"
expect_count "2-rank train: rank 0 alone reports" "test accuracy" 1
expect_count "2-rank train: rank 0 alone prints progress" "lenet5 on MNIST" 1
expect_contains "2-rank train" "gradient allreduce: "
expect_contains "2-rank train" "started during backward"
for f in config.json metrics.csv metrics.jsonl checkpoints/last.safetensors checkpoints/best.safetensors report/index.html; do
  [[ -s $TMP/run/$f ]] || fail "2-rank train: missing $TMP/run/$f"
done
[[ $(wc -l <"$TMP/run/metrics.csv") -eq 2 ]] || fail "2-rank train: metrics.csv should hold a header and 1 epoch"

run resume "${MPIRUN[@]}" -np 2 "$EMBER" resume --distributed "$TMP/run" --epochs 2 --progress none
expect_rc "2-rank resume" 0
expect_contains "2-rank resume" "continuing after epoch 1 of 2"
expect_count "2-rank resume" "test accuracy" 1
[[ $(wc -l <"$TMP/run/metrics.csv") -eq 3 ]] || fail "2-rank resume: metrics.csv should hold 2 epochs"

run odd "${MPIRUN[@]}" -np 2 "$EMBER" train --distributed "${common[@]}" --epochs 1 --batch 41 --out "$TMP/odd"
[[ $rc -ne 0 ]] || fail "batch 41 on 2 ranks: exit code 0, expected a failure"
expect_contains "batch 41 on 2 ranks" "global batch size 41 is not divisible by the 2 processes"
[[ ! -e $TMP/odd/checkpoints/last.safetensors ]] || fail "batch 41 on 2 ranks: a checkpoint was written"

run single "$EMBER" train --distributed "${common[@]}" --epochs 1 --batch 40 --out "$TMP/single"
expect_rc "--distributed without mpirun" 0
expect_contains "--distributed without mpirun" "distributed: 1 rank (1 on this machine)"
expect_count "--distributed without mpirun" "test accuracy" 1

run missing "${MPIRUN[@]}" -np 2 "$EMBER" resume --distributed "$TMP/nothing-here"
[[ $rc -ne 0 ]] || fail "resume of a missing run: exit code 0"
expect_contains "resume of a missing run" "has no checkpoint"

if [[ $failures -ne 0 ]]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all distributed CLI checks passed"
