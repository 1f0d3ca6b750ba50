#!/usr/bin/env bash
# Installs the Debian 12 packages minidl needs, only those missing. As root it runs apt-get; as any
# other user it prints the one apt-get line to run as root and fails, changing nothing.
#
#   scripts/install-deps.sh                  # build, test and run everything
#   scripts/install-deps.sh clang libclang-rt-14-dev   # ... plus extra packages (CI's fuzz build)
set -euo pipefail

packages=(
  build-essential cmake           # g++ 12 (with OpenMP), make, CMake 3.25
  libopenblas-dev                 # cblas.h and the pthreads OpenBLAS
  libopenblas0-openmp             # the OpenMP OpenBLAS minidl links by default (docs/threads.md)
  libstb-dev zlib1g-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libbenchmark-dev   # tests and benchmarks
  libopenmpi-dev openmpi-bin      # distributed/: data-parallel training under mpirun
  gnuplot-nox                     # training curves
  dataset-fashion-mnist           # /usr/share/datasets/fashion-mnist
  "$@"
)

missing=()
for package in "${packages[@]}"; do
  # No pipeline into grep -q: under pipefail, grep leaving early can fail the writer with SIGPIPE.
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$package")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "minidl needs these Debian packages. Run this as root, then run the command again:" >&2
  echo "  apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
