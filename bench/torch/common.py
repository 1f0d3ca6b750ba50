"""Shared pieces of the PyTorch twins of minidl's programs: Fashion-MNIST from Debian's
dataset-fashion-mnist files, thread settings, and timing. Only the benchmarks use PyTorch."""
import gzip
import os
import time

import numpy as np
import torch

DATA_DIR = os.environ.get("MINIDL_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def fashion_mnist(split, pixel_range=(0.0, 1.0)):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(DATA_DIR, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(DATA_DIR, f"{prefix}-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255.0)
    lo, hi = pixel_range
    x = x * (hi - lo) + lo
    return x, torch.from_numpy(labels.astype(np.int64))


def setup(threads, seed):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    # minidl's trainers flush denormals (tensor/threading.h); PyTorch does not by default. For a
    # like-for-like run, compare_programs.py --torch-flush-denormal sets this variable.
    if os.environ.get("MINIDL_TORCH_FLUSH_DENORMAL") == "1":
        torch.set_flush_denormal(True)


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *args):
        self.seconds = time.perf_counter() - self.start
