#!/usr/bin/env bash
# The README's pictures: trains two short LeNet-5 runs on MNIST that differ in their learning rate
# (3 epochs on 10,000 training images each, well under a minute on 2 cores), writes their
# comparison page, and has headless Chromium take screenshots of it and of the first run's report:
#   docs/images/compare.png   build/tools/ember compare runs/screenshots/lr-0.01 runs/screenshots/lr-0.05
#   docs/images/report.png    runs/screenshots/lr-0.01/report/index.html
# Installs what is missing (scripts/setup.sh chromium), builds `ember`, fetches MNIST.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh chromium
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target ember_cli
scripts/fetch_data.sh data >/dev/null
runs=runs/screenshots
for lr in 0.01 0.05; do
  ./build/tools/ember train --model lenet5 --data mnist --data-dir data/mnist --train-limit 10000 --epochs 3 \
    --batch 64 --optim sgd --lr "$lr" --momentum 0.9 --seed 1 --progress none --out "$runs/lr-$lr" --overwrite
done
./build/tools/ember compare "$runs/lr-0.01" "$runs/lr-0.05" -o "$runs/compare.html"

mkdir -p docs/images
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# screenshot PAGE PNG: the top 1200 x 1600 pixels of the page.
screenshot() {
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile" \
    --screenshot="$2" --window-size=1200,1600 "file://$PWD/$1" 2>/dev/null
}
screenshot "$runs/compare.html" docs/images/compare.png
screenshot "$runs/lr-0.01/report/index.html" docs/images/report.png
ls -l docs/images/compare.png docs/images/report.png
