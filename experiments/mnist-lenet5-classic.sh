#!/usr/bin/env bash
# The classic LeNet-5 of LeCun et al. 1998 (tanh, average pooling, C5 a 5x5 conv to 120 maps) on
# MNIST zero-padded from 28x28 to the 32x32 it takes (--pad 2), as the paper did (recipe lenet5-classic).
source "$(dirname "$0")/common.sh"
source "$root/experiments/recipes.sh"
train_recipe lenet5-classic "$RUNS/mnist-lenet5-classic-s$SEED" "$@"
