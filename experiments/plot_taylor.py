#!/usr/bin/python3
"""Plots the Taylor-order sweep: test accuracy (or MSE) and seconds per epoch against t.

    experiments/plot_taylor.py      # reads results/taylor_runs.csv, writes results/taylor.png
Needs Debian's python3-matplotlib (scripts/install_deps.sh --python).
"""
import csv
import statistics
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def main():
    rows = list(csv.DictReader(open(RESULTS / "taylor_runs.csv")))
    by = defaultdict(lambda: defaultdict(list))
    for r in rows:
        t = int(r["col"].split("=")[1])
        metric = float(r["test_accuracy"]) * 100 if r.get("test_accuracy") else float(r["test_mse"])
        by[r["row"]][t].append((metric, float(r["fastest_epoch_seconds"])))
    fig, axes = plt.subplots(2, len(by), figsize=(4 * len(by), 6), squeeze=False)
    for i, (name, points) in enumerate(sorted(by.items())):
        ts = sorted(points)
        metric = [statistics.mean(m for m, _ in points[t]) for t in ts]
        secs = [statistics.mean(s for _, s in points[t]) for t in ts]
        is_acc = any(r["row"] == name and r.get("test_accuracy") for r in rows)
        axes[0][i].plot(ts, metric, "o-")
        axes[0][i].set_title(name)
        axes[0][i].set_ylabel("test accuracy (%)" if is_acc else "test MSE")
        axes[1][i].plot(ts, secs, "s-", color="tab:orange")
        axes[1][i].set_ylabel("seconds / epoch (fastest)")
        axes[1][i].set_ylim(bottom=0)  # a zoomed axis would turn a few % into a slope
        axes[1][i].set_xlabel("Taylor order t")
        for ax in (axes[0][i], axes[1][i]):
            ax.set_xticks(ts)
            ax.grid(alpha=0.3)
    fig.suptitle("EA: Taylor order sweep (TSL settings, seed 2021)")
    fig.tight_layout()
    fig.savefig(RESULTS / "taylor.png", dpi=110)
    print(f"wrote {RESULTS / 'taylor.png'}")


if __name__ == "__main__":
    main()
