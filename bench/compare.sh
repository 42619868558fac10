#!/usr/bin/env bash
# Side by side with PyTorch, in its fastest configuration on this machine.
#   bench/compare.sh ops [rounds] [row,row,...]     the op-level rows of ../shared/SUITE.md
#       one line per row: <id> ember_ms=<x> torch_ms=<y> speedup=<y/x> [ember_gflops=.. torch_gflops=..
#       ember_pct_peak=..] (GFLOP/s where the row counts FLOPs; % of the FMA peak on all cores)
#   bench/compare.sh train [rounds] [row,row,...]   the train-step rows + the LeNet-5 MNIST epoch
#       one line per row: <id> ember_ips=<x> torch_ips=<y> speedup=<x/y> ember_peak_mib=.. torch_peak_mib=..
# Both start with a "# machine:" line (bench/machine_probe: CPU, vector ISA, cores, FMA peak).
# PyTorch's train side is C++ (bench/torch/torch_train.cpp on Debian's libtorch-dev), built here
# into build-torch/; ember never links libtorch.
set -euo pipefail
cd "$(dirname "$0")/.."
suite=${1:-ops}
rounds=${2:-5}
rows=${3:-}
case "$suite" in
  ops) need_pkgs=(python3-torch libopenblas0-openmp) ;;
  train) need_pkgs=(libtorch-dev libopenblas0-openmp) ;;
  *) echo "compare.sh: unknown suite '$suite' (known: ops, train)" >&2; exit 2 ;;
esac

scripts/setup.sh
# PyTorch and the BLAS that makes it fastest here: OpenBLAS built for OpenMP, so its threads and
# PyTorch's OpenMP pool are one pool instead of two fighting over 2 cores.
need=()
for p in "${need_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

openblas_omp=/usr/lib/x86_64-linux-gnu/openblas-openmp
export OMP_NUM_THREADS=2 EMBER_NUM_THREADS=2
# Keep glibc from returning big buffers to the kernel between iterations (PyTorch's best case).
export MALLOC_MMAP_THRESHOLD_=17179869184 MALLOC_TRIM_THRESHOLD_=17179869184

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
# The machine every figure below belongs to: CPU, vector ISA (and AVX-512's width), cores, FMA peak.
cmake --build build -j "$(nproc)" --target machine_probe >/dev/null
build/bench/machine_probe --fields >build/bench/machine.txt
echo "# $(build/bench/machine_probe)"  # the probe prints "machine: ..."
EMBER_FMA_PEAK_GFLOPS=$(sed -n 's/^fma_peak_all_cores_gflops=//p' build/bench/machine.txt)
export EMBER_FMA_PEAK_GFLOPS
if [[ $suite == ops ]]; then
  cmake --build build -j "$(nproc)" --target bench_ops >/dev/null
  # Check which BLAS PyTorch really loads.
  LD_LIBRARY_PATH=$openblas_omp /usr/bin/python3 - <<'PY'
import torch, re
maps = open("/proc/self/maps").read()
libs = sorted(set(re.findall(r"/\S*(?:blas|openblas)\S*\.so\S*", maps)))
print("# torch", torch.__version__, "loads:", ", ".join(libs) or "no BLAS found")
PY
  LD_LIBRARY_PATH=$openblas_omp /usr/bin/python3 bench/compare.py build/bench/bench_ops bench/torch_ops.py "$rounds" "$rows"
  exit 0
fi

cmake --build build -j "$(nproc)" --target bench_train >/dev/null
cmake -S bench/torch -B build-torch -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-torch -j "$(nproc)" >/dev/null
scripts/fetch_data.sh data >/dev/null
# Which BLAS the PyTorch side really maps (ldd resolves it the way the loader will).
echo "# torch_train loads: $(LD_LIBRARY_PATH=$openblas_omp ldd build-torch/torch_train | grep -o '/\S*openblas\S*\.so\S*' | sort -u | tr '\n' ' ')"
# The library path only for PyTorch's side: ember links its own OpenBLAS statically.
cat >build-torch/run_torch_train <<SH
#!/bin/sh
LD_LIBRARY_PATH=$openblas_omp exec $PWD/build-torch/torch_train "\$@"
SH
chmod +x build-torch/run_torch_train
/usr/bin/python3 bench/compare_train.py build/bench/bench_train build-torch/run_torch_train "$rounds" data/mnist "$rows"
