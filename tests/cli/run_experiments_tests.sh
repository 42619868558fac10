#!/usr/bin/env bash
# experiments/run_all.sh end to end, at one epoch on the committed MNIST subset (ctest:
# cli.experiments): every recipe of experiments/recipes.sh runs (ember seed 1; PyTorch seed 1 when
# python3-torch is installed), the study's ensemble votes, and the table is written into a copy of
# experiments/README.md with one row per recipe and the figures the runs wrote; --table rewrites
# it from the runs alone; an unknown recipe is refused. About a minute.
#   tests/cli/run_experiments_tests.sh <path to ember> <source dir>
set -euo pipefail
EMBER=$(realpath "$1")
SOURCE=$(realpath "$2")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ember_experiments_test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

mkdir -p "$TMP/data"
ln -s "$SOURCE/tests/fixtures/mnist-small" "$TMP/data/mnist"
ln -s "$SOURCE/tests/fixtures/mnist-small" "$TMP/data/fashion-mnist"  # the same files stand in for it
cp "$SOURCE/experiments/README.md" "$TMP/README.md"
torch_seeds=""
# The PyTorch column where PyTorch and its OpenMP OpenBLAS are installed (run_all.sh would
# install them otherwise, which a test must not).
if /usr/bin/python3 -c 'import torch' >/dev/null 2>&1 && [[ -d /usr/lib/x86_64-linux-gnu/openblas-openmp ]]; then
  torch_seeds=1
fi
export EMBER DATA=$TMP/data RUNS=$TMP/runs EPOCHS=1 SEEDS=1 TORCH_SEEDS=$torch_seeds TABLE=$TMP/README.md
rc=0
"$SOURCE/experiments/run_all.sh" >"$TMP/run_all.out" 2>&1 || rc=$?
[[ $rc -eq 0 ]] || fail "run_all.sh: exit code $rc; output:"$'\n'"$(tail -40 "$TMP/run_all.out")"

source "$SOURCE/experiments/recipes.sh"
table=$(awk '/^<!-- results table/,/^<!-- end of results table/' "$TMP/README.md")
rows=$(grep -c '^| ' <<<"$table" || true)
[[ $rows -eq $((${#RECIPES[@]} + 1)) ]] || fail "the table has $rows rows, expected a header and ${#RECIPES[@]} recipes:"$'\n'"$table"
for name in "${RECIPES[@]}"; do
  grep -qF "| ${RECIPE_WHAT[$name]} |" <<<"$table" || fail "the table has no row for $name (${RECIPE_WHAT[$name]})"
done
# Each trained row shows the accuracy its run wrote, as a percentage.
accuracy=$(awk -F, 'END { printf "%.2f", 100 * $5 }' "$RUNS/results/lenet5-mnist/ember-seed1/metrics.csv")
grep -F "| ${RECIPE_WHAT[lenet5-mnist]} |" <<<"$table" | grep -qF "| $accuracy / - / - | **$accuracy%** |" ||
  fail "the lenet5-mnist row does not show its run's $accuracy%:"$'\n'"$(grep -F "${RECIPE_WHAT[lenet5-mnist]}" <<<"$table")"
grep -q "ensemble of 5: majority vote" "$RUNS/results/study-6/ember-eval.txt" || fail "the ensemble did not vote"
grep -qF "seeds 1-5 alone:" <<<"$table" || fail "the ensemble row does not show its members"
grep -qF "Measured on $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" <<<"$table" ||
  fail "the table does not name this CPU"
for recipe in study-5 lenet5-classic; do
  [[ -s $RUNS/results/$recipe/ember-seed1/metrics.csv ]] || fail "$recipe: no ember metrics.csv"
  if [[ -n $torch_seeds ]]; then
    [[ -s $RUNS/results/$recipe/torch-seed1/metrics.csv ]] || fail "$recipe: no PyTorch metrics.csv"
  fi
done
grep -q '"pad": *2' "$RUNS/results/lenet5-classic/ember-seed1/config.json" || fail "lenet5-classic ran without --pad 2"
grep -q '"init": *"xavier"' "$RUNS/results/keras-lenet-xavier/ember-seed1/config.json" || fail "keras-lenet-xavier ran without --init xavier"

# --table alone: the same table from the runs already there.
cp "$TMP/README.md" "$TMP/before.md"
"$SOURCE/experiments/run_all.sh" --table >"$TMP/table.out" 2>&1 || fail "run_all.sh --table failed: $(cat "$TMP/table.out")"
cmp -s "$TMP/README.md" "$TMP/before.md" || fail "run_all.sh --table changed the table: $(diff "$TMP/before.md" "$TMP/README.md")"
# An unknown recipe is refused with the list.
if "$SOURCE/experiments/run_all.sh" study-9 >"$TMP/bad.out" 2>&1; then fail "run_all.sh study-9 succeeded"; fi
grep -qF "unknown recipe 'study-9' (recipes: study-1" "$TMP/bad.out" || fail "run_all.sh study-9: $(cat "$TMP/bad.out")"

if [[ $failures -ne 0 ]]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "experiments: run_all.sh ran ${#RECIPES[@]} recipes (PyTorch: ${torch_seeds:-not installed}) and wrote the table"
