#!/usr/bin/env bash
# The live progress line in a real terminal (ctest: cli.progress_pty).
#   tests/cli/run_progress_pty_tests.sh <path to ember> <tests/fixtures>
# Trains LeNet-5 for 3 short epochs on the committed MNIST subset inside tmux at 60, 80 and 160
# columns, then reads the screen (wrapped rows joined back, so a wrapped line shows as one longer
# line): one summary line per epoch, none wider than the width - 1, and no bar or "evaluating"
# line left behind (a line that wrapped used to leave one row per redraw). The run's other lines
# (the header, the final accuracy and paths) are counted too: nothing else is on the screen.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 <ember binary> <fixtures dir>" >&2
  exit 2
fi
EMBER=$(realpath "$1")
MNIST=$(realpath "$2/mnist-small")
if ! command -v tmux >/dev/null; then
  echo "SKIPPED cli.progress_pty: no tmux (scripts/setup.sh tmux installs it)"
  exit 77
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ember_pty_test.XXXXXX")
SOCKET=ember_progress_$$  # a tmux server of our own, never the user's
trap 'tmux -L "$SOCKET" kill-server 2>/dev/null || true; rm -rf "$TMP"' EXIT

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

EPOCHS=3
for width in 60 80 160; do
  dir=$TMP/w$width
  mkdir "$dir"
  # batch 5: 200 steps an epoch, so the line is redrawn many times; the test set's 100 batches
  # are drawn as "evaluating".
  command="cd '$dir' && '$EMBER' train --model lenet5 --data mnist --data-dir '$MNIST' --train-limit 1000 \
--test-limit 500 --batch 5 --test-batch 5 --epochs $EPOCHS --lr 0.05 --threads 1 --progress auto --out r; \
echo \$? >'$dir/rc'"
  tmux -L "$SOCKET" -f /dev/null new-session -d -s "w$width" -x "$width" -y 50 "$command; sleep 600"
  for _ in $(seq 1200); do
    [[ -s $dir/rc ]] && break
    sleep 0.1
  done
  screen=$(tmux -L "$SOCKET" capture-pane -p -J -t "w$width")
  tmux -L "$SOCKET" kill-session -t "w$width"
  screen=$(sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' <<<"$screen")  # trailing blank rows
  printf '%s\n' "$screen" >"$dir/screen.txt"
  show="the screen at $width columns:"$'\n'"$screen"
  if [[ ! -s $dir/rc || $(cat "$dir/rc") != 0 ]]; then
    fail "ember train at $width columns did not finish with exit code 0; $show"
    continue
  fi
  epochs=$(grep -c '^epoch [0-9]*/[0-9]*  ' <<<"$screen" || true)
  [[ $epochs -eq $EPOCHS ]] || fail "$width columns: $epochs epoch lines, expected $EPOCHS; $show"
  for e in $(seq $EPOCHS); do
    grep -q "^epoch $e/$EPOCHS  .*test loss [0-9.]* acc [0-9.]*%" <<<"$screen" ||
      fail "$width columns: no summary line for epoch $e; $show"
  done
  while IFS= read -r line; do
    ((${#line} <= width - 1)) || fail "$width columns: a ${#line}-character epoch line: '$line'"
  done < <(grep '^epoch ' <<<"$screen")
  grep -qE '\[[#.]+\]|evaluating|ETA|/step' <<<"$screen" && fail "$width columns: a progress line was left behind; $show"
  # The header, the epochs, the final accuracy, report and checkpoints: nothing else.
  lines=$(wc -l <<<"$screen")
  [[ $lines -eq $((EPOCHS + 4)) ]] || fail "$width columns: $lines lines on the screen, expected $((EPOCHS + 4)); $show"
  [[ $(head -n 1 <<<"$screen") == "lenet5 on MNIST: 1000 train / 500 test images"* ]] ||
    fail "$width columns: the first line is not the header; $show"
  [[ $(tail -n 3 <<<"$screen" | head -n 1) == "test accuracy "* ]] || fail "$width columns: no final accuracy line; $show"
  if ((width >= 160)); then  # wide enough for every line: nothing wrapped
    while IFS= read -r line; do
      ((${#line} <= width)) || fail "$width columns: a ${#line}-character line: '$line'"
    done <<<"$screen"
    grep -q '  top-5 [0-9.]*%  lr 0.05  [0-9.]* s  [0-9]* img/s$' <<<"$screen" ||
      fail "$width columns: the summary lacks top-5, lr, seconds or images/s; $show"
  fi
  echo "--- $width columns"
  printf '%s\n' "$screen"
done

if [[ $failures -ne 0 ]]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all progress checks passed"
