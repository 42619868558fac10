#!/usr/bin/env python3
"""Runs ember's and PyTorch's versions of the same rows alternately and prints the ratios.

Usage: compare.py <ember benchmark binary> <torch script> <rounds> [row,row,...]
Rows whose ember benchmark reports a FLOP/s counter also get each side's GFLOP/s and ember's share
of the machine's FMA peak on all cores (EMBER_FMA_PEAK_GFLOPS, from bench/machine_probe).
Each round runs ember's Google Benchmark binary, then the PyTorch script; the reported time per
row is the median over rounds (each round's figure is itself a median of >= 20 iterations or
>= 2 s). Rows are matched by name: ember's benchmark names are the suite's row ids.
"""
import json
import os
import statistics
import subprocess
import sys


def run_ember(binary, rows):
    pattern = "^(" + "|".join(rows) + ")/" if rows else "."
    out = subprocess.run(
        [binary, f"--benchmark_filter={pattern}", "--benchmark_format=json", "--benchmark_min_time=2",
         "--benchmark_repetitions=1"],
        check=True, capture_output=True, text=True).stdout
    times, flops = {}, {}
    for b in json.loads(out)["benchmarks"]:
        scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b["time_unit"]]
        row = b["name"].split("/")[0]
        times[row] = b["real_time"] * scale
        # The counter is a rate in FLOP/s (the console prints it scaled, e.g. "36G/s"; the JSON
        # holds the plain number). FLOPs per iteration = rate x time.
        if "FLOP/s" in b:
            flops[row] = b["FLOP/s"] * times[row] * 1e-3
    return times, flops


def main():
    binary, script, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rows = sys.argv[4].split(",") if len(sys.argv) > 4 and sys.argv[4] else []
    peak = float(os.environ.get("EMBER_FMA_PEAK_GFLOPS", "0") or 0)
    ember, torch, flops = {}, {}, {}
    blas = "?"
    for _ in range(rounds):
        times, row_flops = run_ember(binary, rows)
        flops.update(row_flops)
        for row, ms in times.items():
            ember.setdefault(row, []).append(ms)
        args = [sys.executable, script, "2"] + ([",".join(rows)] if rows else [])
        result = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
        blas = ", ".join(result["blas"]) or "none"
        for row, ms in result["rows"].items():
            torch.setdefault(row, []).append(ms)
    print(f"# {rounds} alternating rounds, median; torch threads 2, BLAS loaded: {blas}")
    for row in torch:
        if row not in ember:
            print(f"{row} ember_ms=missing torch_ms={statistics.median(torch[row]):.3f}")
            continue
        e, t = statistics.median(ember[row]), statistics.median(torch[row])
        rates = ""
        if row in flops:
            e_gflops, t_gflops = flops[row] / e * 1e-6, flops[row] / t * 1e-6
            rates = f" ember_gflops={e_gflops:.1f} torch_gflops={t_gflops:.1f}"
            if peak > 0:
                rates += f" ember_pct_peak={100 * e_gflops / peak:.0f}"
        print(f"{row} ember_ms={e:.3f} torch_ms={t:.3f} speedup={t / e:.2f}{rates}")


if __name__ == "__main__":
    main()
