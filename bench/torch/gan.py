"""PyTorch twin of examples/gan.cpp with its defaults (workload W3): G z(100)-256-512-1024-784
LeakyReLU(0.2) tanh, D 784-1024-512-256-1 LeakyReLU(0.2), non-saturating BCE-with-logits, Adam
2e-4 betas (0.5, 0.999), batch 64, one D step per G step, pixels in [-1, 1]; one G forward per
iteration as PyTorch's examples/dcgan (D on fake.detach(), then G through the updated D on the same
fake). One JSON line per
epoch with the training seconds (monitors excluded on both sides) and D's mean outputs."""
import argparse
import json

import torch
import torch.nn.functional as F

from common import Timer, fashion_mnist, setup


def mlp(sizes, tanh_output):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(torch.nn.LeakyReLU(0.2))
    if tanh_output:
        layers.append(torch.nn.Tanh())
    return torch.nn.Sequential(*layers)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    setup(args.threads, args.seed)
    train, _ = fashion_mnist("train", pixel_range=(-1.0, 1.0))
    generator = mlp([100, 256, 512, 1024, 784], True)
    critic = mlp([784, 1024, 512, 256, 1], False)
    g_opt = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(critic.parameters(), lr=2e-4, betas=(0.5, 0.999))
    for epoch in range(1, args.epochs + 1):
        d_real = d_fake = 0.0
        steps = 0
        with Timer() as timer:
            for batch in torch.randperm(len(train)).split(64):
                if len(batch) < 64:
                    continue  # drop_last, as minidl's loader
                real = train[batch]
                fake = generator(torch.randn(64, 100))  # once: D learns on it, then G through it
                real_scores, fake_scores = critic(real), critic(fake.detach())
                d_loss = (F.binary_cross_entropy_with_logits(real_scores, torch.ones_like(real_scores))
                          + F.binary_cross_entropy_with_logits(fake_scores, torch.zeros_like(fake_scores)))
                d_opt.zero_grad()
                d_loss.backward()
                d_opt.step()
                scores = critic(fake)
                g_loss = F.binary_cross_entropy_with_logits(scores, torch.ones_like(scores))
                g_opt.zero_grad()
                g_loss.backward()
                g_opt.step()
                d_real += torch.sigmoid(real_scores).mean().item()
                d_fake += torch.sigmoid(fake_scores).mean().item()
                steps += 1
        print(json.dumps({"epoch": epoch, "seconds": timer.seconds, "d_real": d_real / steps,
                          "d_fake": d_fake / steps}), flush=True)


if __name__ == "__main__":
    main()
