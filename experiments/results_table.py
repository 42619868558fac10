#!/usr/bin/env python3
"""Writes the results table of experiments/README.md from the runs of experiments/run_all.sh.

  experiments/results_table.py RUNS/results experiments/README.md [EMBER]

Reads RESULTS/recipes.tsv (what run_all.sh ran) and each run's metrics.csv (final test accuracy,
seconds of training per epoch) and finished file (machine, commit, date); replaces the lines
between the README's two table markers. Standard library only.
"""
import csv, os, re, statistics, sys

BEGIN = "<!-- results table: written by experiments/run_all.sh, not by hand -->"
END = "<!-- end of results table -->"


def read_run(folder):
    """(test accuracy in %, minutes of training, finished fields) or None for a run not finished."""
    done = os.path.join(folder, "finished")
    metrics = os.path.join(folder, "metrics.csv")
    if not (os.path.exists(done) and os.path.exists(metrics)):
        return None
    with open(metrics, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return None
    fields = dict(line.split("=", 1) for line in open(done).read().splitlines() if "=" in line)
    minutes = sum(float(r["seconds"]) for r in rows) / 60
    return 100 * float(rows[-1]["test_accuracy"]), minutes, fields


def seed_runs(folder, framework):
    """{seed: run} of one framework in a recipe's folder."""
    runs = {}
    if os.path.isdir(folder):
        for name in os.listdir(folder):
            m = re.fullmatch(framework + r"-seed(\d+)", name)
            if m:
                run = read_run(os.path.join(folder, name))
                if run:
                    runs[int(m.group(1))] = run
    return runs


def ensemble(folder):
    path = os.path.join(folder, "ember-eval.txt")
    if not os.path.exists(path):
        return None
    m = re.search(r"majority vote ([0-9.]+)%\s+averaged probabilities ([0-9.]+)%", open(path).read())
    return (float(m.group(1)), float(m.group(2))) if m else None


def fmt_diff(mean, target):
    """mean - target in points: two decimals, three where two would round a shortfall to zero."""
    if mean is None or target is None:
        return "-"
    diff = mean - target
    return f"{diff:+.3f}" if 0 < abs(diff) < 0.005 else f"{diff:+.2f}"


def fmt_minutes(values):
    return f"{statistics.mean(values):.1f}" if values else "-"


def main():
    results, readme = sys.argv[1], sys.argv[2]
    recipes = [line.rstrip("\n").split("\t") for line in open(os.path.join(results, "recipes.tsv")) if line.strip()]
    lines = ["| recipe | published | ember, seeds 1 / 2 / 3 | ember mean | vs published | PyTorch 1.13, seed 1 "
             "| minutes per run: ember | PyTorch |",
             "|---|---|---|---|---|---|---|---|"]
    machines, commits, dates = set(), set(), set()
    shortfalls = []
    for name, published, source, what, flags in recipes:
        folder = os.path.join(results, name)
        target = float(published) if published else None
        shown_target = f"{published}% ({source})" if published else "-"
        if flags.startswith("ensemble-of "):
            members = seed_runs(os.path.join(results, flags.split()[1]), "ember")
            e = ensemble(folder)
            done = os.path.join(folder, "finished")
            if e and os.path.exists(done):
                fields = dict(l.split("=", 1) for l in open(done).read().splitlines() if "=" in l)
                machines.add(fields.get("cpu", "?")); commits.add(fields.get("commit", "?")); dates.add(fields.get("date", "?"))
            alone = [members[s][0] for s in sorted(members) if s <= 5]
            cell = (f"seeds 1-5 alone: {min(alone):.2f}-{max(alone):.2f}" if alone else "-")
            mean = f"**{e[0]:.2f}%** vote, {e[1]:.2f}% mean probabilities" if e else "not run"
            diff = fmt_diff(e[0] if e else None, target)
            if e and target and e[0] < target:
                shortfalls.append(name)
            lines.append(f"| {what} | {shown_target} | {cell} | {mean} | {diff} | - | "
                         f"{fmt_minutes([members[s][1] for s in members if s <= 5])} x 5 | - |")
            continue
        ember = seed_runs(folder, "ember")
        torch = seed_runs(folder, "torch")
        for run in list(ember.values()) + list(torch.values()):
            machines.add(run[2].get("cpu", "?")); commits.add(run[2].get("commit", "?")); dates.add(run[2].get("date", "?"))
        first3 = [ember[s][0] for s in (1, 2, 3) if s in ember]
        seeds = " / ".join(f"{ember[s][0]:.2f}" if s in ember else "-" for s in (1, 2, 3))
        mean = statistics.mean(first3) if first3 else None
        diff = fmt_diff(mean, target)
        if mean is not None and target and mean < target:
            shortfalls.append(name)
        shown_mean = f"**{mean:.2f}%**" if mean is not None else "not run"
        shown_torch = f"{torch[1][0]:.2f}%" if 1 in torch else "-"
        lines.append(f"| {what} | {shown_target} | {seeds} | {shown_mean} | {diff} | {shown_torch} | "
                     f"{fmt_minutes([r[1] for r in ember.values()])} | {fmt_minutes([r[1] for r in torch.values()])} |")
    lines.append("")
    lines.append(f"Measured on {'; '.join(sorted(machines)) or '-'}; ember commit {', '.join(sorted(commits)) or '-'}; "
                 f"{', '.join(sorted(dates)) or '-'}. Minutes are training only (the test passes excluded), "
                 "mean over the runs shown; both frameworks use every core. "
                 + (f"Below the published figure: {', '.join(shortfalls)}." if shortfalls else
                    "Every mean is at or above its published figure."))

    text = open(readme).read()
    if BEGIN not in text or END not in text:
        sys.exit(f"results_table: {readme} has no table markers ({BEGIN} ... {END})")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = head + BEGIN + "\n" + "\n".join(lines) + "\n" + END + tail
    tmp = readme + ".tmp"
    with open(tmp, "w") as f:
        f.write(new)
    os.replace(tmp, readme)
    print(f"results_table: wrote {len(recipes)} rows to {readme}")


if __name__ == "__main__":
    main()
