#!/usr/bin/env bash
# MobileNet-style depthwise-separable net (SUITE's mobilenet_cifar) on CIFAR-10: batch 64, SGD lr
# 0.05 momentum 0.9, weight decay 5e-4, per-channel normalization, random crops and flips, cosine schedule.
source "$(dirname "$0")/../common.sh"
need_cifar10
"$EMBER" train --model mobilenet --data cifar10 --data-dir "$DATA/cifar10" --epochs "${EPOCHS:-30}" \
  --batch 64 --optim sgd --lr 0.05 --momentum 0.9 --weight-decay 5e-4 --normalize --crop-padding 4 --flip \
  --scheduler cosine --seed "$SEED" --out "$RUNS/cifar10-mobilenet-s$SEED" --overwrite "$@"
