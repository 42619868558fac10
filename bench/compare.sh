#!/usr/bin/env bash
# Side-by-side with PyTorch, in its fastest configuration on this machine.
#   bench/compare.sh ops [rounds] [row,row,...]   the op-level rows of ../shared/SUITE.md
# One line per row: <id> ember_ms=<x> torch_ms=<y> speedup=<y/x>
set -euo pipefail
cd "$(dirname "$0")/.."
suite=${1:-ops}
rounds=${2:-5}
rows=${3:-}
case "$suite" in
  ops) target=bench_ops; script=bench/torch_ops.py ;;
  *) echo "compare.sh: unknown suite '$suite' (known: ops)" >&2; exit 2 ;;
esac

scripts/setup.sh
# PyTorch and the BLAS that makes it fastest here: OpenBLAS built for OpenMP, so its threads and
# PyTorch's OpenMP pool are one pool instead of two fighting over 2 cores.
need=()
for p in python3-torch libopenblas0-openmp; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target "$target" >/dev/null

export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export OMP_NUM_THREADS=2 EMBER_NUM_THREADS=2
# Keep glibc from returning big buffers to the kernel between iterations (PyTorch's best case).
export MALLOC_MMAP_THRESHOLD_=17179869184 MALLOC_TRIM_THRESHOLD_=17179869184
# Check which BLAS PyTorch really loads.
/usr/bin/python3 - <<'PY'
import torch, re
maps = open("/proc/self/maps").read()
libs = sorted(set(re.findall(r"/\S*(?:blas|openblas)\S*\.so\S*", maps)))
print("# torch", torch.__version__, "loads:", ", ".join(libs) or "no BLAS found")
PY
/usr/bin/python3 bench/compare.py "build/bench/$target" "$script" "$rounds" "$rows"
