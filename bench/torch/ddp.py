"""PyTorch twin of bench/bench_data_parallel.cpp: the VAE or the classifier trained with
DistributedDataParallel over the gloo backend, on random images of Fashion-MNIST's shape, the
global batch split over the ranks. Prints images/s over the job (median of the runs); DDP does
not expose its allreduce wait separately, so there is no wait share here.

    python3 bench/torch/ddp.py --model vae --ranks 2 --threads 1 --batch 128
"""
import argparse
import os
import statistics
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F

from vae import VAE, terms


def make_model(name):
    if name == "vae":
        return VAE()
    return torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                               torch.nn.Linear(256, 256), torch.nn.ReLU(),
                               torch.nn.Linear(256, 10))


def worker(rank, args, results):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(args.port)
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)  # as minidl's programs
    dist.init_process_group("gloo", rank=rank, world_size=args.ranks)
    torch.manual_seed(1)
    model = make_model(args.model)
    ddp = torch.nn.parallel.DistributedDataParallel(model)
    optimizer = torch.optim.Adam(ddp.parameters(), lr=1e-3)
    local = args.batch // args.ranks
    generator = torch.Generator().manual_seed(1 + rank)
    x = torch.rand(local, 784, generator=generator)
    y = torch.randint(0, 10, (local,), generator=generator)

    def step():
        if args.model == "vae":
            reconstruction, kl = terms(ddp, x)
            loss = (reconstruction + kl) * args.ranks  # the sum over the global batch, as minidl
        else:
            loss = F.cross_entropy(ddp(x), y)
        optimizer.zero_grad()
        loss.backward()  # DDP's allreduce overlaps this and is waited on at its end
        optimizer.step()

    for _ in range(10):
        step()
    rates = []
    for _ in range(args.repeats):
        dist.barrier()
        start = time.perf_counter()
        for _ in range(args.steps):
            step()
        dist.barrier()
        rates.append(args.batch * args.steps / (time.perf_counter() - start))
    if rank == 0:
        results.put(statistics.median(rates))
    dist.destroy_process_group()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=["vae", "classifier"], default="vae")
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--port", type=int, default=29517)
    args = parser.parse_args()
    context = mp.get_context("spawn")
    results = context.Queue()
    mp.spawn(worker, args=(args, results), nprocs=args.ranks, join=True)
    print(f"torch-ddp-gloo {args.model} ranks {args.ranks} threads {args.threads} batch "
          f"{args.batch}: {results.get():.0f} images/s (median of {args.repeats} runs of "
          f"{args.steps} steps)")


if __name__ == "__main__":
    main()
