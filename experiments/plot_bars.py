#!/usr/bin/python3
"""Plots a table as grouped bars: one group per row (data set), one bar per attention kind,
mean over seeds with the seeds' standard deviation as error bars; the published SA anchor
is marked where it exists.

    experiments/plot_bars.py uea        # results/uea_runs.csv → results/uea.png
    experiments/plot_bars.py etth2_96   # test MSE for forecasting tables
Needs Debian's python3-matplotlib (scripts/install_deps.sh --python).
"""
import argparse
import csv
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reproduce import KINDS, SA_ANCHORS  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("table")
    args = ap.parse_args()
    rows = list(csv.DictReader(open(RESULTS / f"{args.table}_runs.csv")))
    accuracy = bool(rows[0].get("test_accuracy"))
    values = defaultdict(lambda: defaultdict(list))  # row → kind → per-seed values
    for r in rows:
        values[r["row"]][r["col"]].append(100 * float(r["test_accuracy"]) if accuracy else float(r["test_mse"]))
    groups = list(dict.fromkeys(r["row"] for r in rows))
    width = 0.8 / len(KINDS)
    offset = {kind: (i - (len(KINDS) - 1) / 2) * width for i, kind in enumerate(KINDS)}
    fig, (ax, diff) = plt.subplots(2, 1, figsize=(max(5.5, 2.4 * len(groups)), 6.2), sharex=True,
                                   gridspec_kw={"height_ratios": [3, 2]})
    for i, kind in enumerate(KINDS):
        xs, means, errs, deltas = [], [], [], []
        for g, group in enumerate(groups):
            v = values[group].get(kind)
            if v:
                xs.append(g + offset[kind])
                means.append(statistics.mean(v))
                errs.append(statistics.stdev(v) if len(v) > 1 else 0.0)
                sa = values[group].get("sa")
                deltas.append(statistics.mean(v) - statistics.mean(sa) if sa else float("nan"))
        if not xs:
            continue
        ax.bar(xs, means, width, yerr=errs, capsize=2, color=f"C{i}", label=kind)
        diff.bar(xs, deltas, width, color=f"C{i}")
    anchors = [(g, SA_ANCHORS[group]) for g, group in enumerate(groups) if group in SA_ANCHORS]
    if anchors:
        ax.scatter([g + offset["sa"] for g, _ in anchors], [a for _, a in anchors], marker="_", s=300,
                   color="black", zorder=3, label="published SA")
    diff.set_xticks(range(len(groups)))
    diff.set_xticklabels(groups)
    metric = "test accuracy (%)" if accuracy else "test MSE (scaled data, lower is better)"
    ax.set_ylabel(metric)
    diff.set_ylabel("kind − our SA" + (" (points)" if accuracy else ""))
    diff.axhline(0, color="black", linewidth=0.8)
    if accuracy:  # bars from zero hide differences of a point; start near the smallest
        low = min(min(v) for kinds in values.values() for v in kinds.values())
        ax.set_ylim(max(0, low - 10), 100)
    for a in (ax, diff):
        a.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    seeds = len({r["seed"] for r in rows})
    ax.set_title(f"{args.table}: mean over {seeds} seed{'s' if seeds > 1 else ''}"
                 + (", error bars = std over seeds" if seeds > 1 else ""))
    fig.tight_layout()
    fig.savefig(RESULTS / f"{args.table}.png", dpi=110)
    print(f"wrote {RESULTS / (args.table + '.png')}")


if __name__ == "__main__":
    main()
