"""PyTorch twin of examples/classifier.cpp (workload W1): MLP 784-256-256-10, ReLU,
cross-entropy, Adam 1e-3, batch 128; with --arch conv the LeNet-style network of
`classifier --arch conv`. One JSON line per epoch: epoch, seconds, test_accuracy."""
import argparse
import json

import torch
import torch.nn.functional as F

from common import Timer, fashion_mnist, setup


def mlp_classifier():
    return torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                               torch.nn.Linear(256, 256), torch.nn.ReLU(),
                               torch.nn.Linear(256, 10))


def conv_classifier(hidden=128):
    """classifier --arch conv: two 3x3 convolutions with max pooling, then two linear layers."""
    return torch.nn.Sequential(torch.nn.Unflatten(1, (1, 28, 28)),
                               torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.ReLU(),
                               torch.nn.MaxPool2d(2),
                               torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(),
                               torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                               torch.nn.Linear(64 * 7 * 7, hidden), torch.nn.ReLU(),
                               torch.nn.Linear(hidden, 10))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--arch", choices=["mlp", "conv"], default="mlp")
    args = parser.parse_args()
    setup(args.threads, args.seed)
    train_x, train_y = fashion_mnist("train")
    test_x, test_y = fashion_mnist("test")
    model = conv_classifier() if args.arch == "conv" else mlp_classifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, args.epochs + 1):
        with Timer() as timer:
            for batch in torch.randperm(len(train_x)).split(128):
                loss = F.cross_entropy(model(train_x[batch]), train_y[batch])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        with torch.no_grad():  # in batches, as minidl evaluates
            correct = sum((model(test_x[b]).argmax(1) == test_y[b]).sum().item()
                          for b in torch.arange(len(test_x)).split(1000))
            accuracy = correct / len(test_x)
        print(json.dumps({"epoch": epoch, "seconds": timer.seconds, "test_accuracy": accuracy}),
              flush=True)


if __name__ == "__main__":
    main()
