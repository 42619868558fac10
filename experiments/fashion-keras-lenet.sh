#!/usr/bin/env bash
# A Keras LeNet recipe on Fashion-MNIST (sigmoid, SGD lr 0.9, batch 32, 5 epochs), trained twice:
# with PyTorch's default initialization and with Keras's (--init xavier: Glorot uniform weights,
# zero biases), which is what the Keras figure was trained with (recipes keras-lenet-pytorch-init
# and keras-lenet-xavier). Prints both test accuracies.
source "$(dirname "$0")/common.sh"
source "$root/experiments/recipes.sh"
for init in pytorch-init xavier; do
  train_recipe "keras-lenet-$init" "$RUNS/fashion-keras-lenet-$init-s$SEED" "$@"
done
for init in pytorch-init xavier; do
  accuracy=$(awk -F, 'END { printf "%.2f", 100 * $5 }' "$RUNS/fashion-keras-lenet-$init-s$SEED/metrics.csv")
  echo "Keras LeNet on Fashion-MNIST, $init: test accuracy $accuracy%"
done
