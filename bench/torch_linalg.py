#!/usr/bin/env python3
"""PyTorch side of the linalg rows of ../shared/SUITE.md, timed like bench_linalg.

Run through bench/compare.sh, which sets up PyTorch's fastest configuration here: 2 threads,
OpenBLAS's OpenMP build on LD_LIBRARY_PATH, and glibc malloc kept from unmapping big buffers.
Prints one JSON object: {row id: median milliseconds}.
"""
import json
import statistics
import sys
import time

import torch

WARMUP, MIN_ITERS, MIN_SECONDS = 3, 20, 2.0


def timed(step):
    for _ in range(WARMUP):
        step()
    samples = []
    start = time.perf_counter()
    while len(samples) < MIN_ITERS or time.perf_counter() - start < MIN_SECONDS:
        t0 = time.perf_counter()
        step()
        samples.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(samples)


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    results = {}

    # linear: 128 x 1024 -> 1024, forward + grad wrt input + grad wrt weight and bias.
    x = torch.randn(128, 1024, requires_grad=True)
    w = torch.randn(1024, 1024, requires_grad=True)
    b = torch.randn(1024, requires_grad=True)
    g = torch.randn(128, 1024)

    def linear_train():
        x.grad = w.grad = b.grad = None
        torch.nn.functional.linear(x, w, b).backward(g)

    results["linear"] = timed(linear_train)

    with torch.no_grad():
        results["linear_forward"] = timed(lambda: torch.nn.functional.linear(x, w, b))
        a, c = torch.randn(128, 1024), torch.randn(1024, 1024)
        results["matmul_128x1024x1024"] = timed(lambda: a @ c)
        s1, s2 = torch.randn(512, 512), torch.randn(512, 512)
        results["matmul_512"] = timed(lambda: s1 @ s2)

    with open("/proc/self/maps") as maps:
        blas = sorted({line.split()[-1] for line in maps if "blas" in line.split()[-1]})
    print(json.dumps({"rows": results, "threads": torch.get_num_threads(), "blas": blas}))


if __name__ == "__main__":
    main()
