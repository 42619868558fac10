#!/usr/bin/env bash
# The layers of docs/ARCHITECTURE.md, checked on the includes (ctest: arch.layers). A file of
# ember/<layer>/ may include its own layer and the layers below it, never one above or beside it:
#   core < kernels < autograd < ops < nn < optim, models, data (siblings) < train < onnx, distributed
# and only the kernel layer includes the vector and BLAS libraries (Eigen, OpenBLAS, intrinsics).
#   tests/arch/check_layers.sh <source root>
set -euo pipefail
root=${1:-$(dirname "$0")/../..}
cd "$root"

declare -A rank=([core]=0 [kernels]=1 [autograd]=2 [ops]=3 [nn]=4 [optim]=5 [models]=5 [data]=5 [train]=6
                 [onnx]=7 [distributed]=7)
# Known upward includes, each with its reason. Keep this list short; removing an entry is progress.
allowed_upward=()

failures=0
for dir in ember/*/; do
  layer=$(basename "$dir")
  if [[ -z ${rank[$layer]+x} ]]; then
    echo "FAIL: ember/$layer/ is no layer of docs/ARCHITECTURE.md: add it to this check with its place" >&2
    failures=$((failures + 1))
    continue
  fi
  # grep's file:line:#include "ember/<target>/<file>" -> file line target header
  while read -r file line target header; do
    [[ $target == "$layer" ]] && continue
    if [[ -z ${rank[$target]+x} ]]; then
      echo "FAIL: $file:$line includes $header, outside every layer" >&2
      failures=$((failures + 1))
    elif ((rank[$target] >= rank[$layer])); then
      if printf '%s\n' "${allowed_upward[@]}" | grep -qxF "$file $header"; then continue; fi
      echo "FAIL: $file:$line ($layer) includes $header ($target): a layer may include only the layers below it" >&2
      failures=$((failures + 1))
    fi
  done < <(grep -rnE '^#include "ember/[a-z_]+/' "$dir" |
           sed -E 's|^([^:]+):([0-9]+):#include "(ember/([a-z_]+)/[^"]+)".*|\1 \2 \4 \3|' || true)
done

# The vector and BLAS libraries stay inside the kernel layer.
while IFS= read -r hit; do
  echo "FAIL: $hit: Eigen, OpenBLAS and intrinsics belong to ember/kernels/" >&2
  failures=$((failures + 1))
done < <(grep -rnE '^#include <(Eigen/|cblas\.h|immintrin\.h|x86intrin\.h|hwy/)' ember | grep -v '^ember/kernels/' || true)

if ((failures)); then
  echo "$failures include(s) break the layering" >&2
  exit 1
fi
echo "layers: every include of ember/ points down (${#rank[@]} layers checked)"
