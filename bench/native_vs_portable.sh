#!/usr/bin/env bash
# The portable build (EMBER_NATIVE=OFF, the default: kernel variants picked at run time) against
# a -march=native build of the same tree, on this machine.
#   bench/native_vs_portable.sh [rounds]
# Builds build-native/ and build/ (bench_ops, bench_train), runs both alternately `rounds` times
# (default 2), and prints per row the median time of each and portable/native speed (1.00 = as
# fast; above 1 = the portable build is faster). OPENBLAS_CORETYPE is unset, as on users' machines.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
scripts/setup.sh
export EMBER_NUM_THREADS=2 MALLOC_MMAP_THRESHOLD_=17179869184 MALLOC_TRIM_THRESHOLD_=17179869184
for dir in build build-native; do
  native=OFF
  [[ $dir == build-native ]] && native=ON
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DEMBER_NATIVE=$native >/dev/null
  cmake --build "$dir" -j "$(nproc)" --target bench_ops bench_train machine_probe >/dev/null
done
echo "# $(build/bench/machine_probe)"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for ((r = 0; r < rounds; ++r)); do
  for dir in build build-native; do
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$dir/bench/bench_ops" --benchmark_min_time=0.3 2>/dev/null |
      awk '$1 ~ /\/real_time$/ {sub(/\/real_time$/, "", $1); print $1, ($3 == "us" ? $2 / 1000 : $2)}' >>"$out/$dir.ops"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$dir/bench/bench_train" lenet5 simplecnn alexnet_cifar mobilenet_cifar 2>/dev/null |
      awk '$2 ~ /^ips=/ {split($3, ms, "="); print $1, ms[2]}' >>"$out/$dir.train"
  done
done
python3 - "$out" <<'PY'
import statistics, sys, collections
out = sys.argv[1]
def load(name):
    rows = collections.OrderedDict()
    for line in open(f"{out}/{name}"):
        row, ms = line.split()
        rows.setdefault(row, []).append(float(ms))
    return rows
print(f"{'row':<20} {'portable ms':>12} {'native ms':>10} {'portable/native speed':>22}")
for kind in ("ops", "train"):
    portable, native = load(f"build.{kind}"), load(f"build-native.{kind}")
    for row, times in portable.items():
        p, n = statistics.median(times), statistics.median(native[row])
        print(f"{row:<20} {p:>12.3f} {n:>10.3f} {n / p:>22.2f}")
PY
