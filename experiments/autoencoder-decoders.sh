#!/usr/bin/env bash
# Transposed convolution vs resize-convolution (nearest upsample x2 + 3x3 conv) in the conv
# autoencoder's decoder: trains both on MNIST with the same seed, batches and steps (Adam 2e-3,
# batch 64, STEPS=200 by default, about 10 s on 2 cores) and writes
# experiments/autoencoder-decoders.png: input | transposed | resize | both errors x4.
# Needs build/examples/autoencoder_decoders (cmake --build build --target autoencoder_decoders).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
program=${PROGRAM:-$root/build/examples/autoencoder_decoders}
DATA=${DATA:-$root/data}
if [[ ! -x "$program" ]]; then
  echo "experiments: $program not found; build it: cmake --build build --target autoencoder_decoders" >&2
  exit 1
fi
if [[ ! -d "$DATA/mnist" ]]; then
  echo "experiments: $DATA/mnist is missing; fetching it with scripts/fetch_data.sh" >&2
  "$root/scripts/fetch_data.sh" "$DATA"
fi
"$program" "$DATA/mnist" "${STEPS:-200}" "${OUT:-$root/experiments/autoencoder-decoders.png}"
