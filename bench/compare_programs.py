#!/usr/bin/env python3
"""minidl's programs against their PyTorch twins (bench/torch/*.py), side by side in one run.

  bench/compare_programs.py W2 --runs 3 --epochs 3      # the VAE
  bench/compare_programs.py W1 W3 W4 --threads 1,2      # classifier, GAN, 2-D GAN

For each workload of docs/benchmarks.md, each run executes, in turn, minidl's program and the
PyTorch twin at every thread count of --threads, the twin twice: as it comes and with
torch.set_flush_denormal(True) (minidl's trainers flush denormals; like for like). PyTorch runs
with OMP_WAIT_POLICY=PASSIVE. Per workload it prints the median seconds per epoch (epochs after
the first; W4: seconds per 5000 steps) over the runs, the ratios minidl / PyTorch at the same
thread count and against PyTorch's fastest setting (its best thread count and flushing choice),
peak RSS (ru_maxrss of each process) and each side's quality figure. The heading names the CPU,
OpenBLAS's core type and the commit. PyTorch comes from Debian's python3-torch
(/usr/bin/python3); it is never a build dependency. Nothing else should be running."""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile

from machine import heading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TORCH_DIR = os.path.join(ROOT, "bench", "torch")
TORCH_SETTINGS = {"as it comes": "0", "flush denormals": "1"}

WORKLOADS = {
    "W1": {"program": "classifier", "torch": "classifier.py", "unit": "s/epoch",
           "quality": ("test_accuracy", "test accuracy")},
    "W2": {"program": "vae", "torch": "vae.py", "unit": "s/epoch",
           "quality": ("test_nelbo", "test -ELBO (nats)")},
    "W3": {"program": "gan", "torch": "gan.py", "unit": "s/epoch",
           "quality": ("d_real", "D(x)")},
    "W4": {"program": "gan2d", "torch": "gan2d.py", "unit": "s/5000 steps",
           "quality": ("high_quality_fraction", "HQ fraction")},
}


def run_measured(command, env=None, cwd=None):
    """Runs command to completion; (its stdout, its peak RSS in MiB). Fails loudly on error."""
    with tempfile.TemporaryFile(mode="w+") as stdout:
        process = subprocess.Popen(command, stdout=stdout, stderr=subprocess.PIPE, env=env,
                                   cwd=cwd, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            sys.exit(f"compare_programs: {' '.join(command)} failed ({process.returncode}): "
                     f"{process.stderr.read().strip().splitlines()[-1:]}")
        stdout.seek(0)
        return stdout.read(), usage.ru_maxrss / 1024.0


def run_minidl(workload, args, threads, out):
    """(seconds, quality, peak RSS in MiB) of one run of minidl's program."""
    spec = WORKLOADS[workload]
    program = os.path.join(args.build, "examples", spec["program"])
    command = [program, "--threads", str(threads), "--out", out, "--seed", str(args.seed)]
    if workload == "W4":
        # The reference settings: constant Adam 1e-3, no R1 penalty, no packing (gan2d's own
        # defaults decay the rate, add R1 and packing, and train 20000 steps).
        command += ["--steps", "5000", "--lr", "1e-3", "--lr-schedule", "constant",
                    "--r1", "0", "--pack", "1", "--eval-every", "5000"]
    else:
        command += ["--epochs", str(args.epochs)]
    if workload == "W3":
        command += ["--classifier", args.classifier, "--monitor-samples", "1000"]
    _, rss = run_measured(command)
    with open(os.path.join(out, "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    key = spec["quality"][0]
    if workload == "W4":
        return sum(float(r["seconds"]) for r in rows), float(rows[-1][key]), rss
    seconds = [float(r["seconds"]) for r in rows]
    return statistics.median(seconds[1:] or seconds), float(rows[-1].get(key, "nan")), rss


def run_torch(workload, args, threads, flush):
    """(seconds, quality, peak RSS in MiB) of one run of the PyTorch twin."""
    spec = WORKLOADS[workload]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OMP_WAIT_POLICY="PASSIVE",
               MINIDL_TORCH_FLUSH_DENORMAL=flush)
    command = ["/usr/bin/python3", os.path.join(TORCH_DIR, spec["torch"]),
               "--threads", str(threads), "--seed", str(args.seed)]
    if workload != "W4":
        command += ["--epochs", str(args.epochs)]
    out, rss = run_measured(command, env=env, cwd=TORCH_DIR)
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    key = spec["quality"][0]
    if workload == "W4":
        return rows[0]["seconds"], rows[0][key], rss
    seconds = [r["seconds"] for r in rows]
    return statistics.median(seconds[1:] or seconds), rows[-1].get(key, float("nan")), rss


def thread_counts(text):
    try:
        counts = [int(t) for t in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected thread counts like 1,2, got {text!r}")
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"thread counts must be >= 1, got {text!r}")
    return counts


def medians(results):
    return tuple(statistics.median(r[i] for r in results) for i in range(3))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workloads", nargs="+", choices=sorted(WORKLOADS))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=thread_counts, default=[1, 2],
                        help="comma-separated thread counts (default 1,2)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--classifier", default=os.path.join(ROOT, "runs", "classifier",
                                                            "classifier.safetensors"))
    args = parser.parse_args()
    if "W3" in args.workloads and not os.path.exists(args.classifier):
        subprocess.run([os.path.join(args.build, "examples", "classifier"), "--out",
                        os.path.dirname(args.classifier)], check=True, stdout=subprocess.DEVNULL)
    print(f"{heading(args.build)}; median of {args.runs} runs "
          f"({'epochs 2-' + str(args.epochs) if args.epochs > 1 else '1 epoch'} per run)")
    print("ratio = minidl's time / PyTorch's; 'fastest' = PyTorch's best over the thread counts "
          "and both denormal settings")
    print("| workload | threads | minidl | PyTorch as it comes | PyTorch flushing | ratio | "
          "ratio flushing | ratio to fastest | peak RSS minidl / PyTorch | quality minidl / PyTorch |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for workload in args.workloads:
        spec = WORKLOADS[workload]
        minidl = {t: [] for t in args.threads}
        torch = {(t, s): [] for t in args.threads for s in TORCH_SETTINGS}
        for _ in range(args.runs):
            for threads in args.threads:
                with tempfile.TemporaryDirectory() as out:
                    minidl[threads].append(run_minidl(workload, args, threads, out))
                for setting, flush in TORCH_SETTINGS.items():
                    torch[(threads, setting)].append(run_torch(workload, args, threads, flush))
        torch_medians = {key: medians(results) for key, results in torch.items()}
        fastest = min(m[0] for m in torch_medians.values())
        for threads in args.threads:
            m, quality, rss = medians(minidl[threads])
            as_is = torch_medians[(threads, "as it comes")]
            flushing = torch_medians[(threads, "flush denormals")]
            print(f"| {workload} | {threads} | {m:.2f} {spec['unit']} | {as_is[0]:.2f} | "
                  f"{flushing[0]:.2f} | {m / as_is[0]:.2f} | {m / flushing[0]:.2f} | "
                  f"{m / fastest:.2f} | {rss:.0f} / {as_is[2]:.0f} MiB ({rss / as_is[2]:.2f}) | "
                  f"{spec['quality'][1]} {quality:.4g} / {as_is[1]:.4g} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
