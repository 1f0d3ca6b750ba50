"""PyTorch twin of examples/classifier.cpp (workload W1): MLP 784-256-256-10, ReLU,
cross-entropy, Adam 1e-3, batch 128. One JSON line per epoch: epoch, seconds, test_accuracy."""
import argparse
import json

import torch
import torch.nn.functional as F

from common import Timer, fashion_mnist, setup


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    setup(args.threads, args.seed)
    train_x, train_y = fashion_mnist("train")
    test_x, test_y = fashion_mnist("test")
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, args.epochs + 1):
        with Timer() as timer:
            for batch in torch.randperm(len(train_x)).split(128):
                loss = F.cross_entropy(model(train_x[batch]), train_y[batch])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        with torch.no_grad():
            accuracy = (model(test_x).argmax(1) == test_y).float().mean().item()
        print(json.dumps({"epoch": epoch, "seconds": timer.seconds, "test_accuracy": accuracy}),
              flush=True)


if __name__ == "__main__":
    main()
