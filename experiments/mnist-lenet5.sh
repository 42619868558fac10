#!/usr/bin/env bash
# LeNet-5 (modern) on MNIST: the SUITE recipe. Pixels scaled to [0,1], batch 64, SGD lr 0.01
# momentum 0.9, 3 epochs. PyTorch 1.13 with the same recipe: experiments/reference/torch_train.py.
source "$(dirname "$0")/common.sh"
need_data mnist
"$EMBER" train --model lenet5 --data mnist --data-dir "$DATA/mnist" --epochs "${EPOCHS:-3}" --batch 64 \
  --optim sgd --lr 0.01 --momentum 0.9 --seed "$SEED" --out "$RUNS/mnist-lenet5-s$SEED" --overwrite "$@"
