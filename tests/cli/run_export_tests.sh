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
expect "export of a weights file" 0 "wrote $TMP/from_weights.onnx: lenet5 for 1x28x28 images"
/usr/bin/python3 "$TESTS/onnx/check_cli_export.py" "$TMP/from_weights.onnx" "$TMP/weights.safetensors" 10 ||
  fail "check_cli_export.py rejected the file exported from a weights file"

run fixed export --checkpoint "$LAST" -o "$TMP/fixed.onnx" --fixed-batch --batch 4
expect "export --fixed-batch" 0 "float32 [4, 1, 28, 28]"

# A fixed batch of 100,000 is a number in the file, not a forward pass of 100,000 images (that took
# 3.6 GiB): the trace runs on 2 images. Peak memory measured as the child's maximum resident set.
peak_kib=$(/usr/bin/python3 - "$EMBER" "$LAST" "$TMP/huge.onnx" <<'PY'
import resource, subprocess, sys
ember, checkpoint, onnx_path = sys.argv[1:]
subprocess.run([ember, "export", "-c", checkpoint, "-o", onnx_path, "--fixed-batch", "--batch", "100000"],
               check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
) || fail "export --fixed-batch --batch 100000 failed"
((peak_kib < 1024 * 1024)) || fail "export --fixed-batch --batch 100000 peaked at $peak_kib KiB (expected < 1 GiB)"
/usr/bin/python3 - "$TMP/huge.onnx" <<'PY' || fail "the --batch 100000 file does not declare a batch of 100000"
import sys, onnx
graph = onnx.load(sys.argv[1]).graph
dims = lambda v: [d.dim_value for d in v.type.tensor_type.shape.dim]
assert dims(graph.input[0]) == [100000, 1, 28, 28], dims(graph.input[0])
assert dims(graph.output[0]) == [100000, 10], dims(graph.output[0])
PY

# The zoo's alexnet (3x227x227, 1000 classes), from its initial weights: the input size is the
# model's usual one unless --input-size says otherwise.
run alex_weights export-weights --model alexnet --seed 1 -o "$TMP/alexnet.safetensors"
expect "export-weights --model alexnet" 0 "alexnet weights of its initialization with seed 1"
run alex export -c "$TMP/alexnet.safetensors" -o "$TMP/alexnet.onnx"
expect "export of alexnet" 0 "float32 [batch, 3, 227, 227]"
run alex_size export -c "$TMP/alexnet.safetensors" -o "$TMP/alexnet-small.onnx" --input-size 100
expect "export of alexnet at another size" 1 "alexnet"
run lenet_size export -c "$TMP/weights.safetensors" -o "$TMP/lenet-size.onnx" --input-size 32 --fixed-batch
expect "export --input-size" 1 "lenet5"

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
