#!/usr/bin/env bash
# SimpleConvNet on MNIST with the classic N(0, 0.01^2) initialization: batch 100, Adam 1e-3, 5 epochs.
source "$(dirname "$0")/common.sh"
need_data mnist
"$EMBER" train --model simplecnn --normal-init --data mnist --data-dir "$DATA/mnist" --epochs "${EPOCHS:-5}" \
  --batch 100 --optim adam --lr 0.001 --seed "$SEED" --out "$RUNS/mnist-simplecnn-s$SEED" --overwrite "$@"
