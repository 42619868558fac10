#!/usr/bin/env bash
# End-to-end test of `ember export` (ctest: cli.export; built with EMBER_ONNX).
#   tests/cli/run_export_tests.sh <path to ember> <tests dir>
# Trains LeNet-5 briefly on the committed MNIST subset, exports its checkpoint, and has
# tests/onnx/check_cli_export.py check the file (onnx.checker, weights, OpenCV). Then the errors.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 <ember binary> <tests dir>" >&2
  exit 2
fi
EMBER=$1
TESTS=$2
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ember_export_test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
run() {  # run NAME ARGS...: output in $out, exit code in $rc
  local name=$1
  shift
  rc=0
  "$EMBER" "$@" >"$TMP/$name.out" 2>&1 || rc=$?
  out=$(cat "$TMP/$name.out")
}
expect() {  # expect WHAT RC TEXT
  [[ $rc -eq $2 ]] || fail "$1: exit code $rc, expected $2; output:"$'\n'"$out"
  grep -qF -- "$3" <<<"$out" || fail "$1: output lacks '$3'; output:"$'\n'"$out"
}

run train train --model lenet5 --data mnist --data-dir "$TESTS/fixtures/mnist-small" --epochs 1 --batch 50 \
  --normalize --progress none --out "$TMP/run"
expect "train" 0 "after 1 epoch"
LAST=$TMP/run/checkpoints/last.safetensors

run export export --checkpoint "$LAST" -o "$TMP/lenet5.onnx"
expect "export" 0 "wrote $TMP/lenet5.onnx: lenet5 for mnist, ONNX opset 13"
expect "export" 0 "(x - mean) / std"
/usr/bin/python3 "$TESTS/onnx/check_cli_export.py" "$TMP/lenet5.onnx" "$LAST" 10 || fail "check_cli_export.py rejected the file"

# A weights-only file: the model from its metadata (written by export-weights), or --model.
run weights export-weights --checkpoint "$LAST" -o "$TMP/weights.safetensors"
run from_weights export --checkpoint "$TMP/weights.safetensors" -o "$TMP/from_weights.onnx"
expect "export of a weights file" 0 "wrote $TMP/from_weights.onnx: lenet5 for mnist"
/usr/bin/python3 "$TESTS/onnx/check_cli_export.py" "$TMP/from_weights.onnx" "$TMP/weights.safetensors" 10 ||
  fail "check_cli_export.py rejected the file exported from a weights file"

run fixed export --checkpoint "$LAST" -o "$TMP/fixed.onnx" --fixed-batch --batch 4
expect "export --fixed-batch" 0 "float32 [4, 1, 28, 28]"

run bad_path export --checkpoint "$LAST" -o "$TMP/missing/lenet5.onnx"
expect "export to a missing folder" 1 "$TMP/missing/lenet5.onnx"
run wrong_model export --checkpoint "$LAST" --model nin -o "$TMP/x.onnx"
expect "export --model of another model" 1 "a checkpoint of model lenet5, not nin"
run missing export --checkpoint "$TMP/nope.safetensors"
expect "export of a missing checkpoint" 105 "nope.safetensors"
[[ ! -e $TMP/x.onnx && ! -e $TMP/missing ]] || fail "a failed export left a file"

if [[ $failures -ne 0 ]]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all ember export checks passed"
