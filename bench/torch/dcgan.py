"""PyTorch twin of examples/dcgan.cpp with its defaults (workload W5): the InfoGAN paper's MNIST
networks without the Q head, PyTorch's default initialisation, non-saturating BCE-with-logits,
Adam 2e-4 betas (0.5, 0.999), batch 64, one D step per G step, pixels in [-1, 1]. Step for step
as minidl and PyTorch's examples/dcgan: D sees real and fake in separate passes (batch statistics
kept apart), fake = G(z) is computed once per iteration, D is updated on fake.detach() and G
through the updated D on the same fake, with D's parameters frozen during G's step. One JSON line per epoch with the training seconds, the seconds per step and D's mean
outputs; --steps stops an epoch early, for speed measurements on a few dozen steps. --samples
writes G's samples (evaluation mode, pixels in [0, 1]) to a .npy file at the end, so that
`minidl-info score` judges them with the same monitors as minidl's own samples.npy.

Run: /usr/bin/python3 bench/torch/dcgan.py --threads 2 --steps 40
     /usr/bin/python3 bench/torch/dcgan.py --epochs 5 --samples runs/dcgan-torch/samples.npy
"""
import argparse
import json
import os

import numpy as np

import torch
import torch.nn.functional as F

from common import Timer, fashion_mnist, setup


def generator(latent):
    return torch.nn.Sequential(
        torch.nn.Linear(latent, 1024), torch.nn.BatchNorm1d(1024), torch.nn.ReLU(),
        torch.nn.Linear(1024, 128 * 7 * 7), torch.nn.BatchNorm1d(128 * 7 * 7), torch.nn.ReLU(),
        torch.nn.Unflatten(1, (128, 7, 7)),
        torch.nn.ConvTranspose2d(128, 64, 4, 2, 1), torch.nn.BatchNorm2d(64), torch.nn.ReLU(),
        torch.nn.ConvTranspose2d(64, 1, 4, 2, 1), torch.nn.Tanh(),
        torch.nn.Flatten())


def critic():
    return torch.nn.Sequential(
        torch.nn.Unflatten(1, (1, 28, 28)),
        torch.nn.Conv2d(1, 64, 4, 2, 1), torch.nn.LeakyReLU(0.1),
        torch.nn.Conv2d(64, 128, 4, 2, 1), torch.nn.BatchNorm2d(128), torch.nn.LeakyReLU(0.1),
        torch.nn.Flatten(),
        torch.nn.Linear(128 * 7 * 7, 1024), torch.nn.BatchNorm1d(1024), torch.nn.LeakyReLU(0.1),
        torch.nn.Linear(1024, 1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--steps", type=int, default=0, help="steps per epoch (0: all batches)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--samples", default="", help=".npy file for 10,000 samples at the end")
    args = parser.parse_args()
    setup(args.threads, args.seed)
    latent, batch_size = 100, 64
    train, _ = fashion_mnist("train", pixel_range=(-1.0, 1.0))
    g, d = generator(latent), critic()
    g_opt = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    for epoch in range(1, args.epochs + 1):
        d_real = d_fake = 0.0
        steps = 0
        with Timer() as timer:
            for batch in torch.randperm(len(train)).split(batch_size):
                if len(batch) < batch_size:
                    continue  # drop_last, as minidl's loader
                if args.steps and steps == args.steps:
                    break
                real = train[batch]
                fake = g(torch.randn(batch_size, latent))
                real_scores, fake_scores = d(real), d(fake.detach())
                d_loss = (F.binary_cross_entropy_with_logits(real_scores, torch.ones_like(real_scores))
                          + F.binary_cross_entropy_with_logits(fake_scores, torch.zeros_like(fake_scores)))
                d_opt.zero_grad()
                d_loss.backward()
                d_opt.step()
                d.requires_grad_(False)
                scores = d(fake)
                g_loss = F.binary_cross_entropy_with_logits(scores, torch.ones_like(scores))
                g_opt.zero_grad()
                g_loss.backward()
                g_opt.step()
                d.requires_grad_(True)
                d_real += torch.sigmoid(real_scores).mean().item()
                d_fake += torch.sigmoid(fake_scores).mean().item()
                steps += 1
        print(json.dumps({"epoch": epoch, "seconds": timer.seconds, "steps": steps,
                          "seconds_per_step": timer.seconds / steps, "d_real": d_real / steps,
                          "d_fake": d_fake / steps}), flush=True)
    if args.samples:
        write_samples(g, latent, args.samples)


def write_samples(g, latent, path, n=10000):
    g.eval()  # batch normalisation with its running statistics, as minidl samples
    with torch.no_grad():
        x = torch.cat([g(torch.randn(1000, latent)) for _ in range(n // 1000)])
    images = ((x + 1) * 0.5).clamp(0, 1).numpy().astype(np.float32)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    np.save(path, images)
    print(json.dumps({"samples": path, "shape": list(images.shape)}), flush=True)


if __name__ == "__main__":
    main()
