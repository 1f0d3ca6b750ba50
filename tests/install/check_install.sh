#!/usr/bin/env bash
# Installs minidl into a temporary prefix and builds tests/install/outside against it both ways
# (find_package on the installed tree, add_subdirectory on the source tree), then runs its
# programs from both builds: a linear regression step, and an op and a module of the program's
# own, checked with gradcheck and gradgradcheck. Everything is built in a temporary directory that
# is removed afterwards.
#
#   tests/install/check_install.sh [build-dir]
#
# With a build directory (an existing configured build, e.g. build/), its library is built if
# needed and installed from there; without one, the library is configured and built afresh.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jobs="$(nproc)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

step() { printf '\n--- %s\n' "$*"; }

if [[ $# -ge 1 ]]; then
  build="$(cd "$1" && pwd)"
else
  build="$work/minidl-build"
  step "configure minidl (library only)"
  cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DMINIDL_BUILD_TESTS=OFF \
    -DMINIDL_BUILD_BENCH=OFF -DMINIDL_BUILD_EXAMPLES=OFF
fi
step "build and install minidl into $work/prefix"
cmake --build "$build" -j "$jobs" --target minidl
cmake --install "$build" --prefix "$work/prefix"
test -f "$work/prefix/include/minidl/tensor/tensor.h"
test -f "$work/prefix/lib/cmake/minidl/minidlConfig.cmake"
"$repo/tests/programs/no_libc_symbols.sh" "$work/prefix/lib/libminidl.a"

step "outside project: find_package(minidl) against the installed tree"
cmake -S "$repo/tests/install/outside" -B "$work/installed" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix"
cmake --build "$work/installed" -j "$jobs"
"$work/installed/app"
"$work/installed/custom_op"

step "outside project: add_subdirectory of the source tree"
cmake -S "$repo/tests/install/outside" -B "$work/subdirectory" -DCMAKE_BUILD_TYPE=Release \
  -DMINIDL_SOURCE="$repo"
cmake --build "$work/subdirectory" -j "$jobs"
"$work/subdirectory/app"
"$work/subdirectory/custom_op"

step "install check passed"
