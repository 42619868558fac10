# Shared by the experiment recipes: where the ember binary and the data are, overridable.
#   EMBER=path/to/ember  DATA=data  EPOCHS=n  SEED=n  RUNS=runs
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EMBER=${EMBER:-$root/build/tools/ember}
DATA=${DATA:-$root/data}
RUNS=${RUNS:-$root/runs}
SEED=${SEED:-1}
if [[ ! -x "$EMBER" ]]; then
  echo "experiments: $EMBER not found; build first: scripts/demo.sh, or cmake -S . -B build && cmake --build build -j" >&2
  exit 1
fi
need_data() {  # need_data mnist|fashion-mnist
  if [[ ! -d "$DATA/$1" ]]; then
    echo "experiments: $DATA/$1 is missing; fetching it with scripts/fetch_data.sh" >&2
    "$root/scripts/fetch_data.sh" "$DATA"
  fi
}
need_cifar10() {
  if [[ ! -f "$DATA/cifar10/test_batch.bin" && ! -f "$DATA/cifar10/cifar-10-batches-bin/test_batch.bin" ]]; then
    echo "experiments: CIFAR-10 is not in $DATA/cifar10. It cannot be downloaded on this machine: copy the" >&2
    echo "'CIFAR-10 binary version' (cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html," >&2
    echo "extracted: data_batch_1.bin .. data_batch_5.bin, test_batch.bin) into $DATA/cifar10/" >&2
    exit 1
  fi
}
