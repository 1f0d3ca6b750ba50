#!/usr/bin/python3
"""The convolution benchmarks side by side in one run: bench_conv (minidl and raw cblas_sgemm on
the same GEMM shapes) and bench/torch/conv.py (PyTorch CPU), at 1 and 2 threads, then one table
per thread count with the ratios the docs quote, headed by the CPU model and OpenBLAS's core type.

Run: /usr/bin/python3 bench/compare_conv.py [--build build] [--repetitions 5]
(Debian's python3-torch; each thread count takes a few minutes; nothing else should be running.)
"""
import argparse
import os
import subprocess
import sys
from pathlib import Path

from machine import heading

ROOT = Path(__file__).resolve().parent.parent


def run_minidl(build, threads, repetitions):
    """{(implementation, case): median GFLOP/s} from the side-by-side table bench_conv prints."""
    out = subprocess.run(
        [str(Path(build) / "bench/bench_conv"), f"--threads={threads}",
         f"--benchmark_repetitions={repetitions}", "--benchmark_enable_random_interleaving=true",
         "--benchmark_color=false"],
        check=True, capture_output=True, text=True,
        env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}).stdout
    table = out[out.index("Median GFLOP/s over the repetitions"):].splitlines()
    implementations = table[1].split()[1:]
    result = {}
    for line in table[2:]:
        fields = line.split()
        if len(fields) != len(implementations) + 1:
            break
        for implementation, value in zip(implementations, fields[1:]):
            if value != "-":  # "-": this implementation does not run this case
                result[(implementation, fields[0])] = float(value)
    return result


def run_torch(threads, repetitions):
    """{case: GFLOP/s} from bench/torch/conv.py (already a median)."""
    out = subprocess.run(
        ["/usr/bin/python3", str(ROOT / "bench/torch/conv.py"), "--threads", str(threads),
         "--repetitions", str(repetitions)],
        check=True, capture_output=True, text=True,
        env={**os.environ, "OMP_NUM_THREADS": str(threads), "OMP_WAIT_POLICY": "PASSIVE"}).stdout
    result = {}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[0].endswith(("_fwd", "_fwd_bwd")):
            result[fields[0]] = float(fields[2])
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=str(ROOT / "build"))
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
    minidl, torch = {}, {}
    for threads in (1, 2):
        minidl[threads] = run_minidl(args.build, threads, args.repetitions)
        torch[threads] = run_torch(threads, args.repetitions)
    print(f"{heading(args.build)}; medians of {args.repetitions}")
    cases = [case for (impl, case) in minidl[1] if impl == "minidl"]
    for threads in (1, 2):
        print(f"\n{threads} thread(s): GFLOP/s; 'of sgemm' = minidl / cblas_sgemm on the same GEMMs; "
              f"'time vs torch' = minidl's time / PyTorch's (same threads, and PyTorch's faster of 1 "
              f"and 2 threads)")
        print(f"| case | minidl | cblas_sgemm | of sgemm | PyTorch | time vs torch | vs torch fastest |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for case in cases:
            ours = minidl[threads][("minidl", case)]
            blas = minidl[threads][("cblas", case)]
            theirs = torch[threads].get(case, float("nan"))
            fastest = max(torch[1].get(case, float("nan")), torch[2].get(case, float("nan")))
            print(f"| {case} | {ours:.1f} | {blas:.1f} | {ours / blas:.2f} | {theirs:.1f} | "
                  f"{theirs / ours:.2f} | {fastest / ours:.2f} |")
        one_channel = [case for (impl, case) in minidl[threads] if impl == "im2col"]
        if one_channel:
            print(f"\n{threads} thread(s), one input channel: conv2d's direct kernel against the "
                  f"im2col + GEMM path, GFLOP/s")
            print("| case | direct (conv2d) | im2col + GEMM | direct / im2col |")
            print("| --- | --- | --- | --- |")
            for case in one_channel:
                ours, gemm_path = minidl[threads][("minidl", case)], minidl[threads][("im2col", case)]
                print(f"| {case} | {ours:.1f} | {gemm_path:.1f} | {ours / gemm_path:.2f} |")


if __name__ == "__main__":
    sys.exit(main())
