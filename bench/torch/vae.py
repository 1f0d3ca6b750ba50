"""PyTorch twin of examples/vae.cpp (workload W2 of docs/benchmarks.md): the same MLP VAE,
loss, optimizer and evaluation. Prints one JSON line per epoch:
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
    args = parser.parse_args()
    setup(args.threads, args.seed)
    train, _ = fashion_mnist("train")
    test, _ = fashion_mnist("test")
    model = VAE()
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
