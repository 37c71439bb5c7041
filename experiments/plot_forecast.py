#!/usr/bin/python3
"""Plots a forecasting table: test MSE against pred_len, one panel per data set, one line
per attention kind.

    experiments/plot_forecast.py forecast_grid_reduced   # results/<table>_runs.csv → <table>.png
Needs Debian's python3-matplotlib (scripts/install_deps.sh --python).
"""
import argparse
import csv
import statistics
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
KINDS = ["sa", "la", "aft_simple", "ea2", "ea6"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("table")
    args = ap.parse_args()
    rows = list(csv.DictReader(open(RESULTS / f"{args.table}_runs.csv")))
    mse = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))  # data set → kind → pred → values
    for r in rows:
        data, pred = r["row"].rsplit("-", 1)
        mse[data][r["col"]][int(pred)].append(float(r["test_mse"]))
    sets = list(dict.fromkeys(r["row"].rsplit("-", 1)[0] for r in rows))
    fig, axes = plt.subplots(1, len(sets), figsize=(4.2 * len(sets), 3.8), squeeze=False)
    for ax, data in zip(axes[0], sets):
        for i, kind in enumerate(KINDS):
            points = sorted((p, statistics.mean(v)) for p, v in mse[data][kind].items())
            if points:
                ax.plot([p for p, _ in points], [m for _, m in points], "o-", color=f"C{i}", label=kind)
        ax.set_title(data)
        ax.set_xlabel("pred_len")
        ax.set_ylabel("test MSE (scaled data)")
        ax.set_xticks([96, 192, 336, 720])
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    profile = "reduced profile: d_model 128, d_ff 256" if "reduced" in args.table else "full TSL settings"
    fig.suptitle(f"{args.table}: test MSE ({profile}, seed 2021)")
    fig.tight_layout()
    fig.savefig(RESULTS / f"{args.table}.png", dpi=110)
    print(f"wrote {RESULTS / (args.table + '.png')}")


if __name__ == "__main__":
    main()
