#!/usr/bin/env python3
"""Runs ember's and PyTorch's versions of the same rows alternately and prints the ratios.

Usage: compare.py <ember bench binary> <torch script> <rounds>
Each round runs ember's Google Benchmark binary, then the PyTorch script; the reported time per
row is the median over rounds (each round's figure is itself a median of >= 20 iterations).
"""
import json
import statistics
import subprocess
import sys

# ember benchmark name -> suite row id (same work as the torch script's row).
ROWS = {
    "BM_linear_train/128/1024/1024/real_time": "linear",
    "BM_linear_forward/128/1024/1024/real_time": "linear_forward",
    "BM_matmul_forward/128/1024/1024/real_time": "matmul_128x1024x1024",
    "BM_matmul_forward/512/512/512/real_time": "matmul_512",
}


def run_ember(binary):
    out = subprocess.run(
        [binary, "--benchmark_filter=BM_(linear|matmul_forward)", "--benchmark_format=json",
         "--benchmark_min_time=2", "--benchmark_repetitions=1"],
        check=True, capture_output=True, text=True).stdout
    times = {}
    for b in json.loads(out)["benchmarks"]:
        if b["name"] in ROWS:
            scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0}[b["time_unit"]]
            times[ROWS[b["name"]]] = b["real_time"] * scale
    return times


def main():
    binary, script, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ember, torch = {}, {}
    blas = "?"
    for _ in range(rounds):
        for row, ms in run_ember(binary).items():
            ember.setdefault(row, []).append(ms)
        result = json.loads(subprocess.run([sys.executable, script, "2"], check=True, capture_output=True,
                                           text=True).stdout)
        blas = ", ".join(result["blas"]) or "none"
        for row, ms in result["rows"].items():
            torch.setdefault(row, []).append(ms)
    print(f"# {rounds} alternating rounds, median; torch threads 2, BLAS loaded: {blas}")
    for row in ROWS.values():
        e, t = statistics.median(ember[row]), statistics.median(torch[row])
        print(f"{row} ember_ms={e:.3f} torch_ms={t:.3f} speedup={t / e:.2f}")


if __name__ == "__main__":
    main()
