#!/usr/bin/env bash
# Runs every recipe of the results table (experiments/recipes.sh) and rewrites that table in
# experiments/README.md from what the runs wrote, so the table is never typed by hand.
#   experiments/run_all.sh                     everything: about 90 minutes on a 2-core machine
#   experiments/run_all.sh study-3 lenet5-classic   only these recipes; the table keeps the others' runs
#   experiments/run_all.sh --table             only rewrite the table from the runs already there
# ember runs each recipe with seeds SEEDS (default "1 2 3"; empty: none), PyTorch 1.13 (experiments/reference/
# torch_train.py) with TORCH_SEEDS (default "1"; empty: no PyTorch column). The study's ensemble is
# step 5's seeds 1-5 voting. KEEP=1 keeps runs that finished and runs only the missing ones. Runs
# go to RUNS/results/<recipe>/{ember,torch}-seed<N>/; TABLE names another file to write the table
# into (the tests' copy). Neither framework gets OPENBLAS_CORETYPE:
# users do not set it.
source "$(dirname "$0")/common.sh"
source "$root/experiments/recipes.sh"
SEEDS=${SEEDS-1 2 3}
TORCH_SEEDS=${TORCH_SEEDS-1}
KEEP=${KEEP:-0}
results=$RUNS/results
openblas_omp=/usr/lib/x86_64-linux-gnu/openblas-openmp
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE

table_only=0
selected=()
for a in "$@"; do
  if [[ $a == --table ]]; then
    table_only=1
  elif [[ -n ${RECIPE_FLAGS[$a]+set} ]]; then
    selected+=("$a")
  else
    echo "run_all: unknown recipe '$a' (recipes: ${RECIPES[*]}; or --table)" >&2
    exit 1
  fi
done
((${#selected[@]})) || selected=("${RECIPES[@]}")

mkdir -p "$results"
# What the table says of itself: the recipes, and the machine and code that ran them.
for name in "${RECIPES[@]}"; do
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "${RECIPE_PUBLISHED[$name]}" "${RECIPE_SOURCE[$name]}" \
    "${RECIPE_WHAT[$name]}" "${RECIPE_FLAGS[$name]}"
done >"$results/recipes.tsv"

finished() { [[ $KEEP == 1 && -f $1/finished ]]; }
# Marks a run done, with the machine and the code that made it (the table names both).
mark_finished() {
  local cpu family model commit
  cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
  family=$(sed -n 's/^cpu family[[:space:]]*: //p' /proc/cpuinfo | head -1)
  model=$(sed -n 's/^model[[:space:]]*: //p' /proc/cpuinfo | head -1)
  commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
  printf 'cpu=%s (family %s, model %s), %s cores\ncommit=%s\ndate=%s\n' "$cpu" "$family" "$model" "$(nproc)" \
    "$commit" "$(date -u +%Y-%m-%d)" >"$1/finished"
}

run_ember() {  # run_ember RECIPE SEED
  local out="$results/$1/ember-seed$2"
  finished "$out" && return 0
  echo "== $1, ember, seed $2"
  SEED=$2 train_recipe "$1" "$out" --progress lines
  mark_finished "$out"
}

run_torch() {  # run_torch RECIPE SEED
  local out="$results/$1/torch-seed$2"
  finished "$out" && return 0
  recipe_args "$1"
  echo "== $1, PyTorch, seed $2"
  mkdir -p "$out"
  # OpenBLAS built for OpenMP: one thread pool with PyTorch's instead of two (its fastest here).
  LD_LIBRARY_PATH=$openblas_omp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} \
    OMP_NUM_THREADS=$(nproc) /usr/bin/python3 "$root/experiments/reference/torch_train.py" "${RECIPE_ARGS[@]}" \
    --data-dir "$DATA/$(dataset_of "${RECIPE_ARGS[@]}")" --seed "$2" --out "$out"
  mark_finished "$out"
}

run_ensemble() {  # run_ensemble RECIPE: the members' recipe is its flags' second word
  local members=${RECIPE_FLAGS[$1]#ensemble-of } s checkpoints=()
  for s in 1 2 3 4 5; do
    run_ember "$members" "$s"
    checkpoints+=(--checkpoint "$results/$members/ember-seed$s/checkpoints/last.safetensors")
  done
  mkdir -p "$results/$1"
  echo "== $1: ember eval of $members seeds 1-5"
  "$EMBER" eval "${checkpoints[@]}" --data-dir "$DATA/mnist" | tee "$results/$1/ember-eval.txt.tmp"
  mv "$results/$1/ember-eval.txt.tmp" "$results/$1/ember-eval.txt"
  mark_finished "$results/$1"
}

if ((!table_only)); then
  # PyTorch and the BLAS that makes it fastest here, installed when missing.
  if [[ -n $TORCH_SEEDS ]] && ! { /usr/bin/python3 -c 'import torch' 2>/dev/null && [[ -d $openblas_omp ]]; }; then
    "$root/scripts/setup.sh" python3-torch libopenblas0-openmp
  fi
  for name in "${selected[@]}"; do
    if [[ ${RECIPE_FLAGS[$name]} == ensemble-of* ]]; then
      run_ensemble "$name"
      continue
    fi
    for s in $SEEDS; do run_ember "$name" "$s"; done
    for s in $TORCH_SEEDS; do run_torch "$name" "$s"; done
  done
fi

"$root/experiments/results_table.py" "$results" "${TABLE:-$root/experiments/README.md}"
