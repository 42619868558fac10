#!/usr/bin/env bash
# LeNet-5 (modern) on MNIST: batch 64, SGD lr 0.01 momentum 0.9, 3 epochs (the demo; recipe lenet5-mnist).
source "$(dirname "$0")/common.sh"
source "$root/experiments/recipes.sh"
train_recipe lenet5-mnist "$RUNS/mnist-lenet5-s$SEED" "$@"
