#!/usr/bin/env bash
# LeNet-5 (modern) on Fashion-MNIST: the same recipe as MNIST, 5 epochs.
source "$(dirname "$0")/common.sh"
need_data fashion-mnist
"$EMBER" train --model lenet5 --data fashion-mnist --data-dir "$DATA/fashion-mnist" --epochs "${EPOCHS:-5}" \
  --batch 64 --optim sgd --lr 0.01 --momentum 0.9 --seed "$SEED" --out "$RUNS/fashion-lenet5-s$SEED" --overwrite "$@"
