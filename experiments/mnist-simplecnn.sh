#!/usr/bin/env bash
# The book's SimpleConvNet on MNIST: N(0, 0.01^2) initialization, batch 100, Adam 1e-3, 20 epochs
# (recipe simplecnn-book).
source "$(dirname "$0")/common.sh"
source "$root/experiments/recipes.sh"
train_recipe simplecnn-book "$RUNS/mnist-simplecnn-s$SEED" "$@"
