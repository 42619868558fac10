#!/usr/bin/env bash
# The soak run of docs/RELIABILITY.md: LeNet-5 trained for 20,000 steps on the full MNIST training
# set (fetched by scripts/fetch_data.sh), resident memory sampled every 500 steps; fails if it
# grows by more than 64 KiB after the 1,000-step warm-up. The curve goes to runs/soak/rss.csv.
#   scripts/soak.sh [steps]        (ctest runs a bounded 3,000 steps on the committed subset)
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-20000}
scripts/setup.sh
scripts/fetch_data.sh >/dev/null
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target soak_lenet
mkdir -p runs/soak
./build/tests/soak_lenet --data data/mnist --steps "$steps" --warmup 1000 --every 500 --max-growth-kib 64 \
  --csv runs/soak/rss.csv
