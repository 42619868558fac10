#!/usr/bin/env python3
"""PyTorch side of the op-level rows of ../shared/SUITE.md, timed like bench_ops.

One iteration = forward + gradient w.r.t. the input + gradient w.r.t. the weights (and bias).
Run through bench/compare.sh, which sets PyTorch's fastest configuration here (2 threads,
OpenBLAS's OpenMP build, glibc malloc kept from unmapping big buffers).
Prints one JSON object: {"rows": {row id: median ms}, ...}.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

WARMUP, MIN_ITERS, MIN_SECONDS = 3, 20, 2.0

# id: (N, C, HW, K, kernel, stride, pad, dilation, groups, transposed)
CONV_ROWS = {
    "conv_lenet1": (64, 1, 28, 6, 5, 1, 2, 1, 1, False),
    "conv_3x3": (32, 64, 32, 64, 3, 1, 1, 1, 1, False),
    "conv_1x1": (32, 128, 16, 128, 1, 1, 0, 1, 1, False),
    "conv_dw": (32, 128, 32, 128, 3, 1, 1, 1, 128, False),
    "conv_dil": (32, 64, 32, 64, 3, 1, 2, 2, 1, False),
    "conv_alex1": (8, 3, 227, 96, 11, 4, 0, 1, 1, False),
    "deconv": (32, 64, 16, 32, 4, 2, 1, 1, 1, True),
}


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


def conv_step(n, c, hw, k, kernel, stride, pad, dilation, groups, transposed):
    x = torch.randn(n, c, hw, hw, requires_grad=True)
    if transposed:
        w = torch.randn(c, k // groups, kernel, kernel, requires_grad=True)
    else:
        w = torch.randn(k, c // groups, kernel, kernel, requires_grad=True)
    b = torch.randn(k, requires_grad=True)

    def forward():
        if transposed:
            return F.conv_transpose2d(x, w, b, stride=stride, padding=pad, groups=groups)
        return F.conv2d(x, w, b, stride=stride, padding=pad, dilation=dilation, groups=groups)

    grad = torch.randn(forward().shape)

    def step():
        x.grad = w.grad = b.grad = None
        forward().backward(grad)

    return step


# id: (x shape, weight shape, padding): conv1d for 3-D x, conv3d for 5-D x (bench_ops' kConvNdRows).
CONV_ND_ROWS = {
    "conv1d_k5": ((32, 64, 1024), (64, 64, 5), 2),
    "conv3d_3x3x3": ((4, 16, 16, 32, 32), (32, 16, 3, 3, 3), 1),
}


def conv_nd_step(x_shape, w_shape, pad):
    x = torch.randn(*x_shape, requires_grad=True)
    w = torch.randn(*w_shape, requires_grad=True)
    b = torch.randn(w_shape[0], requires_grad=True)
    conv = F.conv1d if len(x_shape) == 3 else F.conv3d
    grad = torch.randn(conv(x, w, b, padding=pad).shape)

    def step():
        x.grad = w.grad = b.grad = None
        conv(x, w, b, padding=pad).backward(grad)

    return step


def maxpool_step():
    x = torch.randn(64, 64, 32, 32, requires_grad=True)
    grad = torch.randn(F.max_pool2d(x, 3, 2).shape)

    def step():
        x.grad = None
        F.max_pool2d(x, 3, 2).backward(grad)

    return step


def linear_step():
    x = torch.randn(128, 1024, requires_grad=True)
    w = torch.randn(1024, 1024, requires_grad=True)
    b = torch.randn(1024, requires_grad=True)
    grad = torch.randn(128, 1024)

    def step():
        x.grad = w.grad = b.grad = None
        F.linear(x, w, b).backward(grad)

    return step


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    wanted = set(sys.argv[2].split(",")) if len(sys.argv) > 2 else None
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    steps = {row: (lambda args=args: conv_step(*args)) for row, args in CONV_ROWS.items()}
    steps.update({row: (lambda args=args: conv_nd_step(*args)) for row, args in CONV_ND_ROWS.items()})
    steps["maxpool"] = maxpool_step
    steps["linear"] = linear_step
    results = {row: timed(make()) for row, make in steps.items() if wanted is None or row in wanted}
    with open("/proc/self/maps") as maps:
        blas = sorted({line.split()[-1] for line in maps if "blas" in line.split()[-1]})
    print(json.dumps({"rows": results, "threads": torch.get_num_threads(), "blas": blas}))


if __name__ == "__main__":
    main()
