#!/usr/bin/env python3
"""minidl's programs against their PyTorch twins (bench/torch/*.py), side by side in one run.

  bench/compare_programs.py W2 --runs 3 --epochs 3      # the VAE
  bench/compare_programs.py W1 W3 W4                    # classifier, GAN, 2-D GAN

For each workload of docs/benchmarks.md it runs minidl's program and the PyTorch twin in
turn, `--runs` times each, both with `--threads` threads (PyTorch with OMP_WAIT_POLICY=PASSIVE,
its fastest 2-thread setting), and prints the median seconds per epoch (epochs after the first;
W4: seconds per 5000 steps), their ratio minidl / PyTorch, and each side's quality figure.
PyTorch comes from Debian's python3-torch (/usr/bin/python3); it is never a build dependency."""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TORCH_DIR = os.path.join(ROOT, "bench", "torch")

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


def run_minidl(workload, args, out):
    spec = WORKLOADS[workload]
    program = os.path.join(args.build, "examples", spec["program"])
    command = [program, "--threads", str(args.threads), "--out", out, "--seed", str(args.seed)]
    if workload == "W4":
        # The reference settings: constant Adam 1e-3, no R1 penalty, no packing (gan2d's own
        # defaults decay the rate, add R1 and packing, and train 20000 steps).
        command += ["--steps", "5000", "--lr", "1e-3", "--lr-schedule", "constant",
                    "--r1", "0", "--pack", "1", "--eval-every", "5000"]
    else:
        command += ["--epochs", str(args.epochs)]
    if workload == "W3":
        command += ["--classifier", args.classifier, "--monitor-samples", "1000"]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(os.path.join(out, "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    key = spec["quality"][0]
    if workload == "W4":
        return sum(float(r["seconds"]) for r in rows), float(rows[-1][key])
    seconds = [float(r["seconds"]) for r in rows]
    return statistics.median(seconds[1:] or seconds), float(rows[-1].get(key, "nan"))


def run_torch(workload, args):
    spec = WORKLOADS[workload]
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), OMP_WAIT_POLICY="PASSIVE",
               MINIDL_TORCH_FLUSH_DENORMAL="1" if args.torch_flush_denormal else "0")
    command = ["/usr/bin/python3", os.path.join(TORCH_DIR, spec["torch"]),
               "--threads", str(args.threads), "--seed", str(args.seed)]
    if workload != "W4":
        command += ["--epochs", str(args.epochs)]
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env,
                         cwd=TORCH_DIR).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    key = spec["quality"][0]
    if workload == "W4":
        return rows[0]["seconds"], rows[0][key]
    seconds = [r["seconds"] for r in rows]
    return statistics.median(seconds[1:] or seconds), rows[-1].get(key, float("nan"))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workloads", nargs="+", choices=sorted(WORKLOADS))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--torch-flush-denormal", action="store_true",
                        help="run PyTorch with torch.set_flush_denormal(True), as minidl's "
                             "trainers flush denormals (default: PyTorch's own default, off)")
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--classifier", default=os.path.join(ROOT, "runs", "classifier",
                                                            "classifier.safetensors"))
    args = parser.parse_args()
    if "W3" in args.workloads and not os.path.exists(args.classifier):
        subprocess.run([os.path.join(args.build, "examples", "classifier"), "--out",
                        os.path.dirname(args.classifier)], check=True, stdout=subprocess.DEVNULL)
    print(f"{args.threads} threads, median of {args.runs} runs "
          f"({'epochs 2-' + str(args.epochs) if args.epochs > 1 else '1 epoch'} per run), "
          f"PyTorch {'with' if args.torch_flush_denormal else 'without'} denormal flushing")
    print(f"{'':4} {'unit':>13} {'minidl':>8} {'pytorch':>8} {'ratio':>6}   quality (minidl / pytorch)")
    for workload in args.workloads:
        minidl, torch = [], []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as out:
                minidl.append(run_minidl(workload, args, out))
            torch.append(run_torch(workload, args))
        m = statistics.median(r[0] for r in minidl)
        t = statistics.median(r[0] for r in torch)
        qm = statistics.median(r[1] for r in minidl)
        qt = statistics.median(r[1] for r in torch)
        spec = WORKLOADS[workload]
        print(f"{workload:4} {spec['unit']:>13} {m:8.2f} {t:8.2f} {m / t:6.2f}   "
              f"{spec['quality'][1]} {qm:.4g} / {qt:.4g}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
