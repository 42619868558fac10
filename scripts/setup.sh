#!/usr/bin/env bash
# Installs what ember needs to build and test, from Debian's packages. Idempotent: when every
# package is already there it asks apt nothing and returns in a fraction of a second.
# Extra packages a script needs can be named as arguments (scripts/fuzz.sh: clang ...).
set -euo pipefail

# The build: compiler, CMake, the libraries ember links and the test/benchmark frameworks.
packages=(cmake g++ make pkg-config libeigen3-dev libtbb-dev libfmt-dev doctest-dev libbenchmark-dev zlib1g-dev
          libopenblas-pthread-dev nlohmann-json3-dev libcli11-dev libstb-dev
# ONNX export (ember_onnx) and its tests: the C++ side runs every exported file in OpenCV's DNN
# module; the Python side checks them with onnx.checker and runs `ember export`'s file in cv2.
          libonnx-dev libprotobuf-dev libopencv-dnn-dev python3-onnx python3-opencv python3-numpy
# Data-parallel training (ember_distributed) and its mpirun tests.
          libopenmpi-dev openmpi-bin
          "$@")
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "setup: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
