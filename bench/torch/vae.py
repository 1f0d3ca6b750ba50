"""PyTorch twin of examples/vae.cpp (workload W2 of docs/benchmarks.md): the same MLP VAE, or
with --arch conv the same convolutional VAE, loss, optimizer and evaluation. Prints one JSON line
per epoch:
{"epoch", "seconds", "train_nelbo", "test_nelbo", "test_reconstruction", "test_kl"}."""
import argparse
import json

import torch
import torch.nn.functional as F

from common import Timer, fashion_mnist, setup


class VAE(torch.nn.Module):
    def __init__(self, pixels=784, hidden=400, latent=20):
        super().__init__()
        self.encoder_hidden = torch.nn.Linear(pixels, hidden)
        self.encoder_mu = torch.nn.Linear(hidden, latent)
        self.encoder_logvar = torch.nn.Linear(hidden, latent)
        self.decoder_hidden = torch.nn.Linear(latent, hidden)
        self.decoder_output = torch.nn.Linear(hidden, pixels)

    def forward(self, x):
        h = F.relu(self.encoder_hidden(x))
        mu, logvar = self.encoder_mu(h), self.encoder_logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return self.decoder_output(F.relu(self.decoder_hidden(z))), mu, logvar


class ConvVAE(torch.nn.Module):
    """vae --arch conv: 1x28x28 -> 32x14x14 -> 64x7x7 -> latent, and the mirror back."""

    def __init__(self, latent=20):
        super().__init__()
        features = 64 * 7 * 7
        self.encoder_conv1 = torch.nn.Conv2d(1, 32, 4, 2, 1)
        self.encoder_conv2 = torch.nn.Conv2d(32, 64, 4, 2, 1)
        self.encoder_mu = torch.nn.Linear(features, latent)
        self.encoder_logvar = torch.nn.Linear(features, latent)
        self.decoder_hidden = torch.nn.Linear(latent, features)
        self.decoder_conv1 = torch.nn.ConvTranspose2d(64, 32, 4, 2, 1)
        self.decoder_conv2 = torch.nn.ConvTranspose2d(32, 1, 4, 2, 1)

    def forward(self, x):
        h = F.relu(self.encoder_conv2(F.relu(self.encoder_conv1(x.view(-1, 1, 28, 28)))))
        h = h.flatten(1)
        mu, logvar = self.encoder_mu(h), self.encoder_logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        h = F.relu(self.decoder_hidden(z)).view(-1, 64, 7, 7)
        return self.decoder_conv2(F.relu(self.decoder_conv1(h))).flatten(1), mu, logvar


def terms(model, x):
    logits, mu, logvar = model(x)
    reconstruction = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    kl = 0.5 * torch.sum(torch.exp(logvar) + mu * mu - 1.0 - logvar)
    return reconstruction, kl


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--arch", choices=["mlp", "conv"], default="mlp")
    args = parser.parse_args()
    setup(args.threads, args.seed)
    train, _ = fashion_mnist("train")
    test, _ = fashion_mnist("test")
    model = ConvVAE() if args.arch == "conv" else VAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, args.epochs + 1):
        total = 0.0
        with Timer() as timer:
            for batch in torch.randperm(len(train)).split(128):
                x = train[batch]
                reconstruction, kl = terms(model, x)
                loss = reconstruction + kl
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item()
        with torch.no_grad():
            rec = kl = 0.0
            for x in test.split(1000):
                r, k = terms(model, x)
                rec += r.item()
                kl += k.item()
        n = len(test)
        print(json.dumps({"epoch": epoch, "seconds": timer.seconds,
                          "train_nelbo": total / len(train), "test_nelbo": (rec + kl) / n,
                          "test_reconstruction": rec / n, "test_kl": kl / n}), flush=True)


if __name__ == "__main__":
    main()
