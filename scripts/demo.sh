#!/usr/bin/env bash
# ember's main job, from a fresh Debian machine: installs what is missing, builds the `ember`
# command, fetches MNIST, trains LeNet-5 for 3 epochs (batch 64, SGD lr 0.01 momentum 0.9), and
# prints the test accuracy and where the report is. Extra arguments go to `ember train`
# (e.g. scripts/demo.sh --epochs 1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "== building ember (Release)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target ember_cli
echo "== fetching MNIST into data/"
scripts/fetch_data.sh data
echo "== training LeNet-5 on MNIST"
./build/tools/ember train --model lenet5 --data mnist --data-dir data/mnist --epochs 3 --batch 64 \
  --optim sgd --lr 0.01 --momentum 0.9 --seed 1 --out runs/lenet5 --overwrite "$@"
echo "Open runs/lenet5/report/index.html in a browser for the curves, filters and confusion matrix."
