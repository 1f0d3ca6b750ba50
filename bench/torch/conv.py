#!/usr/bin/python3
"""PyTorch's twin of bench/bench_conv.cpp: conv2d and conv_transpose2d forward, and forward +
backward, on the same cases, in GFLOP/s counted the same way (2 M N K for the forward GEMM, three
such GEMMs for forward + backward), so the two programs' figures compare directly.

Run: /usr/bin/python3 bench/torch/conv.py --threads 1   (and --threads 2)
"""
import argparse
import time

import torch
import torch.nn.functional as F

# name, batch, in_channels, out_channels, input size, kernel, stride, padding, transposed
CASES = [
    ("w5_conv_1to64_28to14", 64, 1, 64, 28, 4, 2, 1, False),
    ("w5_conv_64to128_14to7", 64, 64, 128, 14, 4, 2, 1, False),
    ("w5_convT_128to64_7to14", 64, 128, 64, 7, 4, 2, 1, True),
    ("w5_convT_64to1_14to28", 64, 64, 1, 14, 4, 2, 1, True),
    ("3x3_1to32_28", 64, 1, 32, 28, 3, 1, 1, False),
    ("3x3_32to32_28", 64, 32, 32, 28, 3, 1, 1, False),
    ("3x3_64to64_14", 64, 64, 64, 14, 3, 1, 1, False),
    ("3x3_128to128_7", 64, 128, 128, 7, 3, 1, 1, False),
]


def forward_gemm_flops(batch, cin, cout, size, kernel, stride, padding, transposed):
    taps = kernel * kernel
    if transposed:
        m, k, n = batch * size * size, cin, cout * taps
    else:
        out = (size + 2 * padding - kernel) // stride + 1
        m, k, n = batch * out * out, cin * taps, cout
    return 2.0 * m * k * n


def median_seconds(fn, repetitions, min_time):
    fn()  # warm-up: allocations and oneDNN primitive creation
    times = []
    for _ in range(repetitions):
        iterations, start = 0, time.perf_counter()
        while True:
            fn()
            iterations += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
        times.append(elapsed / iterations)
    times.sort()
    return times[len(times) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--min-time", type=float, default=0.5, help="seconds per repetition")
    parser.add_argument("--filter", default="", help="run only cases whose name contains this")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    print(f"torch {torch.__version__}, {args.threads} thread(s); median of {args.repetitions}")
    print(f"{'case':34s} {'ms':>9s} {'GFLOP/s':>9s}")
    for name, batch, cin, cout, size, kernel, stride, padding, transposed in CASES:
        if args.filter not in name:
            continue
        x = torch.randn(batch, cin, size, size)
        shape = (cin, cout, kernel, kernel) if transposed else (cout, cin, kernel, kernel)
        w = torch.randn(*shape) * 0.05
        b = torch.zeros(cout)
        op = F.conv_transpose2d if transposed else F.conv2d

        def forward():
            with torch.no_grad():
                op(x, w, b, stride=stride, padding=padding)

        xg, wg, bg = (t.clone().requires_grad_(True) for t in (x, w, b))

        def forward_backward():
            xg.grad = wg.grad = bg.grad = None
            out = op(xg, wg, bg, stride=stride, padding=padding)
            out.backward(torch.ones_like(out))

        flops = forward_gemm_flops(batch, cin, cout, size, kernel, stride, padding, transposed)
        for suffix, fn, gemms in (("_fwd", forward, 1), ("_fwd_bwd", forward_backward, 3)):
            seconds = median_seconds(fn, args.repetitions, args.min_time)
            print(f"{name + suffix:34s} {seconds * 1e3:9.3f} {gemms * flops / seconds * 1e-9:9.2f}")


if __name__ == "__main__":
    main()
