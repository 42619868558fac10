#!/usr/bin/env bash
# The classic MNIST convolutional-network study, step by step, each step one ember run:
#   1-one-conv     conv 20 (5x5) + maxpool, FC 100, sigmoid
#   2-two-conv     + conv 40 (5x5) + maxpool
#   3-relu-l2      ReLU instead of sigmoid, L2 weight decay
#   4-expanded     + training data expanded by random 1-pixel shifts (--translate 1)
#   5-dropout      + two FC layers of 1000 with dropout 0.5
#   6-ensemble     five networks like 5 (seeds 1..5) voting (ember eval with 5 checkpoints)
# The study trained each for 40-60 epochs with mini-batches of 10; here batch 64, SGD with momentum,
# EPOCHS (default 10) epochs, so a step takes minutes, not hours. Run one step with
#   experiments/mnist-study/run.sh 3-relu-l2     or all of them with no argument.
source "$(dirname "$0")/../common.sh"
need_data mnist
EPOCHS=${EPOCHS:-10}
common=(--data mnist --data-dir "$DATA/mnist" --epochs "$EPOCHS" --batch 64 --optim sgd --momentum 0.9)
out="$RUNS/mnist-study"

step() {
  case "$1" in
    1-one-conv)
      "$EMBER" train --model mnist_cnn --conv-channels 20 --hidden 100 --activation sigmoid --lr 0.1 \
        "${common[@]}" --seed "$SEED" --out "$out/1-one-conv" --overwrite ;;
    2-two-conv)
      "$EMBER" train --model mnist_cnn --conv-channels 20,40 --hidden 100 --activation sigmoid --lr 0.1 \
        "${common[@]}" --seed "$SEED" --out "$out/2-two-conv" --overwrite ;;
    3-relu-l2)
      "$EMBER" train --model mnist_cnn --conv-channels 20,40 --hidden 100 --activation relu --lr 0.01 \
        --weight-decay 1e-4 "${common[@]}" --seed "$SEED" --out "$out/3-relu-l2" --overwrite ;;
    4-expanded)
      "$EMBER" train --model mnist_cnn --conv-channels 20,40 --hidden 100 --activation relu --lr 0.01 \
        --weight-decay 1e-4 --translate 1 "${common[@]}" --seed "$SEED" --out "$out/4-expanded" --overwrite ;;
    5-dropout)
      "$EMBER" train --model mnist_cnn --conv-channels 20,40 --hidden 1000,1000 --dropout 0.5 --activation relu \
        --lr 0.01 --weight-decay 1e-4 --translate 1 "${common[@]}" --seed "$SEED" --out "$out/5-dropout" --overwrite ;;
    6-ensemble)
      checkpoints=()
      for s in 1 2 3 4 5; do
        if [[ ! -f "$out/6-ensemble/seed$s/checkpoints/last.safetensors" ]]; then
          "$EMBER" train --model mnist_cnn --conv-channels 20,40 --hidden 1000,1000 --dropout 0.5 --activation relu \
            --lr 0.01 --weight-decay 1e-4 --translate 1 "${common[@]}" --seed "$s" --out "$out/6-ensemble/seed$s"
        fi
        checkpoints+=(--checkpoint "$out/6-ensemble/seed$s/checkpoints/last.safetensors")
      done
      "$EMBER" eval "${checkpoints[@]}" --data-dir "$DATA/mnist" ;;
    *)
      echo "unknown step '$1' (steps: 1-one-conv 2-two-conv 3-relu-l2 4-expanded 5-dropout 6-ensemble)" >&2
      exit 1 ;;
  esac
}

if (($# == 0)); then
  for s in 1-one-conv 2-two-conv 3-relu-l2 4-expanded 5-dropout 6-ensemble; do step "$s"; done
else
  for s in "$@"; do step "$s"; done
fi
