#!/usr/bin/env bash
# The example run on a data folder that does not exist: it must fail with exit code 1 and a
# message that names that folder and the files it needs, and no script of ember's source tree
# (the program may be built against an installed ember).
#   tests/examples/train_mnist_missing_data.sh <train_mnist binary, absolute> <scratch folder>
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 <train_mnist binary> <scratch folder>" >&2
  exit 2
fi
mkdir -p "$2"
cd "$2"  # where the program would write runs/lenet5-cpp
rm -rf no-such-mnist-folder runs
folder=$PWD/no-such-mnist-folder
rc=0
out=$("$1" "$folder" 2>&1) || rc=$?

failures=0
fail() {
  echo "FAIL: $*; output:"$'\n'"$out" >&2
  failures=$((failures + 1))
}
[[ $rc -eq 1 ]] || fail "exit code $rc, expected 1"
[[ $out == *"not found in $folder"* ]] || fail "the message does not name the folder $folder"
[[ $out == *train-images-idx3-ubyte* && $out == *t10k-labels-idx1-ubyte* ]] || fail "the message does not name the files"
[[ $out != *scripts/* ]] || fail "the message names a script of the source tree"
[[ ! -e runs && ! -e $folder ]] || fail "a failed run left files behind"
((failures == 0)) || exit 1
echo "ok: $out"
