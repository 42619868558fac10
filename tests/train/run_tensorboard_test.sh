#!/usr/bin/env bash
# `ember train --tensorboard` end to end (ctest: train.tensorboard_run): real short runs on the
# committed MNIST subset, their RUN/tb/ read by tests/train/read_tfevents.py (a reader of its own,
# Python's standard library) and checked against the runs' steps and metrics.csv.
#   tests/train/run_tensorboard_test.sh <ember> <fixtures dir> <python3>
# A run trained, resumed (a second file; `ember resume` keeps --tensorboard), resumed again from an
# earlier checkpoint (a third file whose SessionLog START drops the replaced steps), replaced by
# `--overwrite` (its old files removed), a damaged file refused, a run without the flag left alone.
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: $0 <ember binary> <fixtures dir> <python3>" >&2
  exit 2
fi
EMBER=$1
MNIST=$2/mnist-small
PYTHON=$3
READER=$(dirname "$0")/read_tfevents.py
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ember_tensorboard_test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
RUN=$TMP/run

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
ember() {  # ember ARGS...: quiet unless it fails
  local out
  out=$("$EMBER" "$@" --progress none 2>&1) || fail "ember $*:"$'\n'"$out"
}
check() {  # check WHAT STEPS FILES: the reader's check of $RUN, and the number of event files
  local out
  out=$("$PYTHON" "$READER" check "$RUN" --steps "$2" 2>&1) || fail "$1: read_tfevents.py check:"$'\n'"$out"
  echo "$1: $out"
  local files
  files=$(find "$RUN/tb" -name 'events.out.tfevents.*' | wc -l)
  [[ $files -eq $3 ]] || fail "$1: $files event files in $RUN/tb, expected $3"
}

# 1000 images in batches of 50: 20 steps an epoch.
train=(train --model lenet5 --data mnist --data-dir "$MNIST" --train-limit 1000 --batch 50 --lr 0.05 --momentum 0.9
       --seed 3)

ember "${train[@]}" --out "$RUN" --epochs 2 --tensorboard
check "ember train --tensorboard, 2 epochs" 40 1
grep -q '"tensorboard": true' "$RUN/config.json" || fail "config.json does not record tensorboard: $(cat "$RUN/config.json")"
cp "$RUN/checkpoints/last.safetensors" "$RUN/checkpoints/epoch2.safetensors"

ember resume "$RUN" --epochs 3
check "ember resume (without the flag), to 3 epochs" 60 2

# From step 40 again, over the run that went on to step 60: the new file starts with a SessionLog
# START at step 41, which drops the second file's steps 41..60 and its epoch 3.
ember resume "$RUN/checkpoints/epoch2.safetensors" --overwrite --epochs 4
check "ember resume from an earlier checkpoint, to 4 epochs" 80 3

# A damaged byte is found by the reader's CRCs (so the checks above did verify them).
cp -r "$RUN" "$TMP/damaged"
file=$(find "$TMP/damaged/tb" -name 'events.out.tfevents.*' | sort | head -1)
printf '\x7f' | dd of="$file" bs=1 seek=100 conv=notrunc status=none
if out=$("$PYTHON" "$READER" check "$TMP/damaged" --steps 80 2>&1); then
  fail "read_tfevents.py accepted a damaged event file:"$'\n'"$out"
elif ! grep -q "CRC of the record at byte" <<<"$out"; then
  fail "read_tfevents.py on a damaged event file did not name the bad CRC:"$'\n'"$out"
fi

# A new run over the old one replaces its event files.
ember "${train[@]}" --out "$RUN" --epochs 1 --tensorboard --overwrite
check "ember train --overwrite --tensorboard, 1 epoch" 20 1

ember "${train[@]}" --epochs 1 --out "$TMP/plain"
[[ ! -e $TMP/plain/tb ]] || fail "a run without --tensorboard wrote $TMP/plain/tb"

if [[ $failures -ne 0 ]]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all TensorBoard checks passed"
