"""PyTorch twin of examples/gan2d.cpp. With its defaults it is workload W4: ring8 (radius 2, std
0.02), G 16-128-128-2 ReLU, D 2-128-128-1 ReLU, non-saturating loss, Adam 1e-3 betas (0.5, 0.999),
batch 512, 5000 steps. The flags reproduce gan2d's own defaults as an independent check of them:

  /usr/bin/python3 gan2d.py --steps 20000 --lr-schedule cosine --r1 0.1 --pack 2 [--data grid25]

Prints one JSON line with the seconds for all steps and the mode metrics of 10,000 samples (same
definitions as minidl's metrics/mode_metrics.h: HQ within 3 std of the nearest centre, a mode
covered when it gets at least 1% of the HQ samples)."""
import argparse
import json
import math

import torch
import torch.nn.functional as F

from common import Timer, setup


def centres_and_std(data):
    if data == "ring8":
        angle = torch.arange(8).float() * (2 * math.pi / 8)
        return torch.stack([2 * torch.cos(angle), 2 * torch.sin(angle)], 1), 0.02
    axis = torch.arange(-4.0, 5.0, 2.0)
    return torch.cartesian_prod(axis, axis), 0.05


def sample(centres, std, n):
    modes = torch.randint(0, len(centres), (n,))
    return centres[modes] + std * torch.randn(n, 2)


def mode_metrics(points, centres, std):
    distance, nearest = torch.cdist(points, centres).min(1)
    hq = distance <= 3 * std
    counts = torch.bincount(nearest[hq], minlength=len(centres)).float()
    covered = int((counts >= max(1.0, 0.01 * hq.sum().item())).sum())
    if counts.sum() == 0:  # no HQ point: no histogram to compare (minidl reports NaN too)
        return covered, 0.0, float("nan")
    p = counts / counts.sum()
    kl = float((p[p > 0] * torch.log(p[p > 0] * len(centres))).sum())
    return covered, hq.float().mean().item(), kl


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", choices=["ring8", "grid25"], default="ring8")
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--lr-schedule", choices=["constant", "cosine"], default="constant")
    parser.add_argument("--r1", type=float, default=0.0, help="R1 gamma (0: off)")
    parser.add_argument("--pack", type=int, default=1, help="points per critic input")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if 512 % args.pack != 0:
        parser.error(f"--pack {args.pack} does not divide the batch of 512")
    setup(args.threads, args.seed)
    centres, std = centres_and_std(args.data)
    generator, critic = mlp([16, 128, 128, 2]), mlp([2 * args.pack, 128, 128, 1])
    g_opt = torch.optim.Adam(generator.parameters(), lr=args.lr, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(critic.parameters(), lr=args.lr, betas=(0.5, 0.999))
    schedules = []
    if args.lr_schedule == "cosine":
        schedules = [torch.optim.lr_scheduler.CosineAnnealingLR(o, args.steps) for o in (g_opt, d_opt)]

    def packed(x):
        return x.reshape(x.shape[0] // args.pack, -1)

    with Timer() as timer:
        for _ in range(args.steps):
            real = packed(sample(centres, std, 512)).requires_grad_(args.r1 > 0)
            fake = packed(generator(torch.randn(512, 16)))  # once: D on its values, G through it
            real_scores, fake_scores = critic(real), critic(fake.detach())
            d_loss = (F.binary_cross_entropy_with_logits(real_scores, torch.ones_like(real_scores))
                      + F.binary_cross_entropy_with_logits(fake_scores, torch.zeros_like(fake_scores)))
            if args.r1 > 0:
                (gradient,) = torch.autograd.grad(real_scores.sum(), real, create_graph=True)
                d_loss = d_loss + 0.5 * args.r1 * gradient.pow(2).sum(1).mean()
            d_opt.zero_grad()
            d_loss.backward()
            d_opt.step()
            scores = critic(fake)
            g_loss = F.binary_cross_entropy_with_logits(scores, torch.ones_like(scores))
            g_opt.zero_grad()
            g_loss.backward()
            g_opt.step()
            for s in schedules:
                s.step()
    with torch.no_grad():
        covered, hq, kl = mode_metrics(generator(torch.randn(10000, 16)), centres, std)
    print(json.dumps({"seconds": timer.seconds, "modes_covered": covered,
                      "high_quality_fraction": hq, "mode_kl": kl}), flush=True)


if __name__ == "__main__":
    main()
