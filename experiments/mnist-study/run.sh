#!/usr/bin/env bash
# The classic MNIST convolutional-network study, step by step, each step one ember run of its
# recipe in experiments/recipes.sh (what differs from the original, and why: experiments/README.md):
#   1-one-conv     conv 20 (5x5) + maxpool, FC 100, sigmoid
#   2-two-conv     + conv 40 (5x5) + maxpool
#   3-relu-l2      ReLU instead of sigmoid, L2 weight decay
#   4-expanded     + training data expanded by random 1-pixel shifts (--translate 1)
#   5-dropout      + two FC layers of 1000 with dropout 0.5
#   6-ensemble     five networks like 5 (seeds 1..5) voting (ember eval with 5 checkpoints)
# Run one step with  experiments/mnist-study/run.sh 3-relu-l2  or all of them with no argument;
# SEED=n for another seed, EPOCHS=n to try a step quickly.
source "$(dirname "$0")/../common.sh"
source "$root/experiments/recipes.sh"
out="$RUNS/mnist-study"
steps=(1-one-conv 2-two-conv 3-relu-l2 4-expanded 5-dropout 6-ensemble)

step() {
  case "$1" in
    1-one-conv) train_recipe study-1 "$out/$1" ;;
    2-two-conv) train_recipe study-2 "$out/$1" ;;
    3-relu-l2) train_recipe study-3 "$out/$1" ;;
    4-expanded) train_recipe study-4 "$out/$1" ;;
    5-dropout) train_recipe study-5 "$out/$1" ;;
    6-ensemble)
      local s checkpoints=()
      for s in 1 2 3 4 5; do
        if [[ ! -f "$out/6-ensemble/seed$s/checkpoints/last.safetensors" ]]; then
          SEED=$s train_recipe study-5 "$out/6-ensemble/seed$s"
        fi
        checkpoints+=(--checkpoint "$out/6-ensemble/seed$s/checkpoints/last.safetensors")
      done
      "$EMBER" eval "${checkpoints[@]}" --data-dir "$DATA/mnist" ;;
    *)
      echo "unknown step '$1' (steps: ${steps[*]})" >&2
      exit 1 ;;
  esac
}

if (($# == 0)); then set -- "${steps[@]}"; fi
for s in "$@"; do step "$s"; done
