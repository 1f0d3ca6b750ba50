#!/usr/bin/env python3
"""Per-op autograd overhead, minidl vs PyTorch eager, side by side in one run.

Usage: bench/compare_autograd.py [build_dir] [runs]
Runs build/bench/bench_autograd and bench/autograd_overhead_torch.py (with Debian's python3-torch)
`runs` times each, alternating, and prints the medians and their ratio. Also prints the MLP step's
BLAS share from bench_autograd."""
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run_minidl(build_dir):
    out = subprocess.run(
        [os.path.join(build_dir, "bench", "bench_autograd"), "--benchmark_format=json"],
        check=True, capture_output=True, text=True).stdout
    results = {}
    for b in json.loads(out)["benchmarks"]:
        if b["name"].startswith("BM_OpChainForwardBackward/"):
            results[int(b["name"].split("/")[1])] = b["us_per_op"]
        elif b["name"].startswith("BM_MlpTrainingStep"):
            results["mlp"] = (b["real_time"], b["blas_share_percent"], b["blas_ms_per_step"])
    return results


def run_torch(threads):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OMP_WAIT_POLICY="PASSIVE")
    out = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "autograd_overhead_torch.py"),
                          str(threads)], check=True, capture_output=True, text=True, env=env).stdout
    return {json.loads(line)["n"]: json.loads(line)["us_per_op"] for line in out.splitlines()}


def main():
    build_dir = sys.argv[1] if len(sys.argv) > 1 else "build"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    minidl_runs, torch_runs = [], []
    for _ in range(runs):
        minidl_runs.append(run_minidl(build_dir))
        torch_runs.append(run_torch(2))
    print(f"per-op overhead, forward + backward, median of {runs} runs (microseconds per op)")
    print(f"{'elements':>8} {'minidl':>8} {'pytorch':>8} {'minidl/pytorch':>15}")
    for n in (1, 64):
        m = statistics.median(r[n] for r in minidl_runs)
        t = statistics.median(r[n] for r in torch_runs)
        print(f"{n:>8} {m:8.2f} {t:8.2f} {m / t:15.2f}")
    step = statistics.median(r["mlp"][0] for r in minidl_runs)
    share = statistics.median(r["mlp"][1] for r in minidl_runs)
    blas = statistics.median(r["mlp"][2] for r in minidl_runs)
    print(f"MLP 784-256-256-10 step, batch 128: {step:.2f} ms, of which BLAS {blas:.2f} ms "
          f"({share:.0f}%)")


if __name__ == "__main__":
    main()
