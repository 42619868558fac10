#!/usr/bin/env bash
# Sets everything up and runs ember's main job. Today that is the spiral example (a 2-layer
# network trained with autograd and SGD); LeNet-5 on MNIST takes its place when the
# convolution, module and data layers land.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target spiral
./build/examples/spiral
