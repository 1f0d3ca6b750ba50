"""PyTorch twin of bench_autograd's per-op chain: the same 100 ops (mul, add, tanh, sub repeated)
plus a sum, forward and backward, on 1- and 64-element float32 tensors. Prints microseconds per op
as JSON lines so compare_autograd.py can put them beside minidl's figures."""
import json
import sys
import time

import torch


def chain_us_per_op(n, repeats):
    x = torch.full((n,), 0.5, requires_grad=True)
    best = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeats):
            y = x
            for _ in range(0, 100, 4):
                y = y * 0.9
                y = y + x
                y = torch.tanh(y)
                y = y - 0.1
            y.sum().backward()
            x.grad = None
        best.append((time.perf_counter() - start) / repeats / 101 * 1e6)
    best.sort()
    return best[len(best) // 2]


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    torch.set_num_threads(threads)
    for n in (1, 64):
        print(json.dumps({"n": n, "us_per_op": chain_us_per_op(n, 300)}))


if __name__ == "__main__":
    main()
