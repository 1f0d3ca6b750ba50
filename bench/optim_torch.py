#!/usr/bin/python3
"""torch.optim.Adam / SGD step time on the W3 GAN's parameter shapes (bench/bench_optim.cpp).

  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/optim_torch.py
"""
import time

import torch

layers = [(100, 256), (256, 512), (512, 1024), (1024, 784),
          (784, 1024), (1024, 512), (512, 256), (256, 1)]


def parameters():
    torch.manual_seed(0)
    params = []
    for i, o in layers:
        for shape in [(o, i), (o,)]:
            p = torch.nn.Parameter(torch.randn(shape) * 0.05)
            p.grad = torch.randn(shape) * 1e-3
            params.append(p)
    return params


def time_step(make, threads, steps=300):
    torch.set_num_threads(threads)
    params = parameters()
    opt = make(params)
    opt.step()
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(steps):
            opt.step()
        best = min(best, (time.perf_counter() - start) / steps)
    return best


n = sum(p.numel() for p in parameters())
for threads in (1, 2):
    for name, make in [
        ("Adam (default, foreach=None)", lambda ps: torch.optim.Adam(ps, lr=2e-4, betas=(0.5, 0.999))),
        ("Adam foreach=True", lambda ps: torch.optim.Adam(ps, lr=2e-4, betas=(0.5, 0.999), foreach=True)),
        ("SGD momentum 0.9", lambda ps: torch.optim.SGD(ps, lr=1e-3, momentum=0.9)),
    ]:
        t = time_step(make, threads)
        print(f"threads {threads}  {name:30s} {t * 1e6:8.0f} us/step  {n / t * 1e-6:7.0f} Mparams/s")
