"""PyTorch twin of examples/gan2d.cpp (workload W4): ring8 (radius 2, std 0.02), G 16-128-128-2
ReLU, D 2-128-128-1 ReLU, non-saturating loss, Adam betas (0.5, 0.999), batch 512. Prints one
JSON line with the seconds for all steps and the mode metrics of 10,000 samples (same
definitions as minidl's metrics/mode_metrics.h)."""
import argparse
import json
import math

import torch
import torch.nn.functional as F

from common import Timer, setup


def ring8(n):
    modes = torch.randint(0, 8, (n,))
    angle = modes.float() * (2 * math.pi / 8)
    centres = torch.stack([2 * torch.cos(angle), 2 * torch.sin(angle)], 1)
    return centres + 0.02 * torch.randn(n, 2)


def mode_metrics(points):
    angle = torch.arange(8).float() * (2 * math.pi / 8)
    centres = torch.stack([2 * torch.cos(angle), 2 * torch.sin(angle)], 1)
    distance, nearest = torch.cdist(points, centres).min(1)
    hq = distance <= 3 * 0.02
    counts = torch.bincount(nearest[hq], minlength=8).float()
    covered = int((counts >= max(1.0, 0.01 * hq.sum().item())).sum())
    p = counts / counts.sum()
    kl = float((p[p > 0] * torch.log(p[p > 0] * 8)).sum())
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
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    setup(args.threads, args.seed)
    generator, critic = mlp([16, 128, 128, 2]), mlp([2, 128, 128, 1])
    g_opt = torch.optim.Adam(generator.parameters(), lr=args.lr, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(critic.parameters(), lr=args.lr, betas=(0.5, 0.999))
    with Timer() as timer:
        for _ in range(args.steps):
            real = ring8(512)
            with torch.no_grad():
                fake = generator(torch.randn(512, 16))
            real_scores, fake_scores = critic(real), critic(fake)
            d_loss = (F.binary_cross_entropy_with_logits(real_scores, torch.ones_like(real_scores))
                      + F.binary_cross_entropy_with_logits(fake_scores, torch.zeros_like(fake_scores)))
            d_opt.zero_grad()
            d_loss.backward()
            d_opt.step()
            scores = critic(generator(torch.randn(512, 16)))
            g_loss = F.binary_cross_entropy_with_logits(scores, torch.ones_like(scores))
            g_opt.zero_grad()
            g_loss.backward()
            g_opt.step()
    with torch.no_grad():
        covered, hq, kl = mode_metrics(generator(torch.randn(10000, 16)))
    print(json.dumps({"seconds": timer.seconds, "modes_covered": covered,
                      "high_quality_fraction": hq, "mode_kl": kl}), flush=True)


if __name__ == "__main__":
    main()
