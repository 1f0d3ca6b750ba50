#!/usr/bin/env bash
# minidl's two set-up commands (README "Set up"; docs/setup.md): each installs what is missing,
# builds in build/ and runs one job.
#
#   ./minidl.sh run [vae options]   train the VAE on Fashion-MNIST; samples and metrics in runs/vae
#   ./minidl.sh test                the whole test suite through ctest
#   ./minidl.sh build               just configure and build everything
#
# With CI=true in the environment the build treats compiler warnings as errors (MINIDL_WERROR).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

usage() {
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

configure() {
  local options=(-DCMAKE_BUILD_TYPE=Release)
  if [[ "${CI:-}" == "true" ]]; then
    options+=(-DMINIDL_WERROR=ON)
  fi
  cmake -S . -B build "${options[@]}"
}

build() {
  cmake --build build -j "$(nproc)" "$@"
}

command="${1:-}"
[[ -n "$command" ]] || usage
shift
case "$command" in
  run)
    scripts/install-deps.sh
    configure
    build --target vae
    echo "Training the VAE; samples, curves and metrics go to runs/vae" >&2
    exec build/examples/vae "$@"
    ;;
  test)
    scripts/install-deps.sh
    configure
    build --target minidl_tests
    ctest --test-dir build --output-on-failure -j2
    ;;
  build)
    scripts/install-deps.sh
    configure
    build
    ;;
  *)
    usage
    ;;
esac
