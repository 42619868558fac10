#!/usr/bin/env bash
# AlexNet-CIFAR (SUITE's alexnet_cifar) on CIFAR-10: batch 128, SGD lr 0.01 momentum 0.9, weight
# decay 5e-4, per-channel normalization, random crops (padding 4) and flips.
source "$(dirname "$0")/../common.sh"
need_cifar10
"$EMBER" train --model alexnet_cifar --data cifar10 --data-dir "$DATA/cifar10" --epochs "${EPOCHS:-30}" \
  --batch 128 --optim sgd --lr 0.01 --momentum 0.9 --weight-decay 5e-4 --normalize --crop-padding 4 --flip \
  --scheduler cosine --seed "$SEED" --out "$RUNS/cifar10-alexnet-s$SEED" --overwrite "$@"
