#!/usr/bin/env bash
# The data-parallel throughput table of docs/distributed.md: the VAE and the classifier at
# 1 rank x 2 threads, 2 ranks x 1 thread and 1 rank x 1 thread, minidl (bench_data_parallel under
# mpirun) and PyTorch DDP with gloo (bench/torch/ddp.py), global batch 128. Each line is the
# median of 5 timed runs of 100 steps; run the script several times on a quiet machine.
#
#   bench/data_parallel.sh build
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_WAIT_POLICY=PASSIVE
# No core binding (other processes share the cores) and a waiting rank yields its core.
mpi=(mpirun --bind-to none --mca mpi_yield_when_idle 1)
bench=$build/bench/bench_data_parallel
for model in vae classifier; do
  "$bench" --model "$model" --threads 2
  "${mpi[@]}" -np 2 "$bench" --model "$model" --threads 1
  "$bench" --model "$model" --threads 1
  /usr/bin/python3 "$here/torch/ddp.py" --model "$model" --ranks 1 --threads 2
  /usr/bin/python3 "$here/torch/ddp.py" --model "$model" --ranks 2 --threads 1
  /usr/bin/python3 "$here/torch/ddp.py" --model "$model" --ranks 1 --threads 1
done
