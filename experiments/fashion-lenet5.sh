#!/usr/bin/env bash
# LeNet-5 (modern) on Fashion-MNIST: the MNIST recipe, 5 epochs (recipe lenet5-fashion).
source "$(dirname "$0")/common.sh"
source "$root/experiments/recipes.sh"
train_recipe lenet5-fashion "$RUNS/fashion-lenet5-s$SEED" "$@"
