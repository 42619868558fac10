#!/usr/bin/env python3
"""Runs ember's and PyTorch's train benchmarks alternately, one row per process, and prints the
ratios, each side's GFLOP/s (from ember's count of a step's FLOPs per image: 3x the forward's) and
ember's share of the machine's FMA peak on all cores (EMBER_FMA_PEAK_GFLOPS, bench/machine_probe),
and peak resident memory.

Usage: compare_train.py <bench_train> <torch_train> <rounds> <mnist dir> [row,row,...]
Each round runs every row once in ember, then once in PyTorch (a fresh process each, so each
process's peak RSS is that row's). The reported figure is the median over rounds of each
process's own median iteration (step_timing.h); peak RSS is the largest over rounds.
"""
import os
import re
import statistics
import subprocess
import sys

ROWS = ["lenet5", "simplecnn", "alexnet_cifar", "mobilenet_cifar", "lenet5_mnist_epoch"]
LINE = re.compile(r"^(\S+) ips=([\d.]+) ms=([\d.]+) iterations=(\d+) peak_rss_kib=(\d+)"
                  r"(?: train_flop_per_item=([\d.]+))?$")


def run(binary, row, mnist):
    out = subprocess.run([binary, row, "--mnist", mnist], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        m = LINE.match(line.strip())
        if m and m.group(1) == row:
            return float(m.group(2)), float(m.group(3)), int(m.group(5)), float(m.group(6) or 0)
    raise SystemExit(f"compare_train: {binary} printed no result for {row}:\n{out}")


def main():
    ember_bin, torch_bin, rounds, mnist = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    rows = sys.argv[5].split(",") if len(sys.argv) > 5 and sys.argv[5] else ROWS
    unknown = [r for r in rows if r not in ROWS]
    if unknown:
        raise SystemExit(f"compare_train: unknown rows {unknown} (known: {', '.join(ROWS)})")
    results = {side: {row: [] for row in rows} for side in ("ember", "torch")}
    for _ in range(rounds):
        for row in rows:
            results["ember"][row].append(run(ember_bin, row, mnist))
            results["torch"][row].append(run(torch_bin, row, mnist))
    peak = float(os.environ.get("EMBER_FMA_PEAK_GFLOPS", "0") or 0)
    print(f"# {rounds} alternating rounds, median; 2 threads each; peak RSS = max over rounds")
    for row in rows:
        e_ips = statistics.median(r[0] for r in results["ember"][row])
        t_ips = statistics.median(r[0] for r in results["torch"][row])
        e_rss = max(r[2] for r in results["ember"][row]) / 1024
        t_rss = max(r[2] for r in results["torch"][row]) / 1024
        extra = ""
        if row.endswith("_epoch"):
            e_s = statistics.median(r[1] for r in results["ember"][row]) / 1e3
            t_s = statistics.median(r[1] for r in results["torch"][row]) / 1e3
            extra = f" ember_s={e_s:.2f} torch_s={t_s:.2f}"
        flop = max(r[3] for r in results["ember"][row])
        if flop > 0:
            extra += f" ember_gflops={e_ips * flop / 1e9:.1f} torch_gflops={t_ips * flop / 1e9:.1f}"
            if peak > 0:
                extra += f" ember_pct_peak={100 * e_ips * flop / 1e9 / peak:.0f}"
        print(f"{row} ember_ips={e_ips:.0f} torch_ips={t_ips:.0f} speedup={e_ips / t_ips:.2f}{extra} "
              f"ember_peak_mib={e_rss:.0f} torch_peak_mib={t_rss:.0f}")


if __name__ == "__main__":
    main()
