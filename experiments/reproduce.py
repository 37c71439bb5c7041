#!/usr/bin/env python3
"""Runs a table of the paper's experiments and writes its results page.

    EAFORMER_DATA=../shared/data experiments/reproduce.py uea --seeds 3
    EAFORMER_DATA=../shared/data experiments/reproduce.py etth2_96
    EAFORMER_DATA=../shared/data experiments/reproduce.py forecast_grid --profile reduced
    EAFORMER_DATA=../shared/data experiments/reproduce.py taylor
    experiments/reproduce.py uea --report-only        # rewrite the page from finished runs
    experiments/reproduce.py smoke --seeds 2 --runs-dir /tmp/r --results-dir /tmp/r  # seconds
    EAFORMER_DATA=../shared/data experiments/reproduce.py forecast_grid --profile reduced --estimate 20

Every run is `build/eaformer train <config> --set seed=<s> --run-dir runs/<table>/...`
(EAFORMER_BIN names another binary):
a finished run (final.json) is skipped, an interrupted one resumes from its checkpoint,
so the same command continues a table across sessions. The committed <table>_runs.csv is the
durable record: a run it lists counts as finished even where runs/ is gone (a fresh clone),
so the page is rebuilt from it and the run is not trained again (delete its row to redo it). A cell whose resolved config and
seed equal a finished run of another table (Taylor t=6 is the EA-6 cell of its table) links
to that run instead of training it again. `--estimate STEPS` times STEPS training steps and
one evaluation of every cell not yet finished and writes <table>_estimate.csv, which the page
quotes as the table's cost. Data sets whose files are not in
the data directory are listed as such. Writes experiments/results/<table>.md (mean ± std
over seeds, next to the published SA anchors where they exist) and <table>_runs.csv (one
row per run).
"""
import argparse
import csv
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ["sa", "la", "aft_simple", "ea2", "ea6"]
UEA = ["EthanolConcentration", "FaceDetection", "Handwriting", "Heartbeat", "JapaneseVowels",
       "PEMS-SF", "SelfRegulationSCP1", "SelfRegulationSCP2", "SpokenArabicDigits",
       "UWaveGestureLibrary"]
# Vanilla Transformer (SA), TSL setting, TimesNet paper (ICLR 2023), accuracy in %.
SA_ANCHORS = {"EthanolConcentration": 32.7, "FaceDetection": 67.3, "Handwriting": 32.0,
              "Heartbeat": 76.1, "JapaneseVowels": 98.7, "PEMS-SF": 82.1, "SelfRegulationSCP1": 92.2,
              "SelfRegulationSCP2": 53.9, "SpokenArabicDigits": 98.4, "UWaveGestureLibrary": 85.6}
DATA_FILES = {"ETTh2": "ETT-small/ETTh2.csv", "ETTh1": "ETT-small/ETTh1.csv",
              "traffic": "traffic/traffic.csv", "traffic20": "traffic/traffic20.csv"}
PROFILES = {"full": [], "reduced": ["model.d_model=128", "model.d_ff=256"]}
# Where runs and results pages go; --runs-dir / --results-dir move them (the runner's test).
RUNS = ROOT / "runs"
RESULTS = ROOT / "experiments" / "results"


def table_runs(table):
    """(row label, column label, config path, extra --set overrides) for every cell."""
    cells = []
    if table == "uea":
        for ds in UEA:
            for k in KINDS:
                cells.append((ds, k, f"configs/uea/{ds}_{k}.yaml", []))
    elif table == "etth2_96":
        for k in KINDS:
            cells.append(("ETTh2-96", k, f"configs/forecast/ETTh2_96_{k}.yaml", []))
    elif table in ("forecast_grid", "traffic"):
        sets = ["ETTh2", "ETTh1", "traffic20"] if table == "forecast_grid" else ["traffic"]
        for d in sets:
            for p in (96, 192, 336, 720):
                for k in KINDS:
                    cells.append((f"{d}-{p}", k, f"configs/forecast/{d}_{p}_{k}.yaml", []))
    elif table == "smoke":  # seconds long, on generated data: exercises the runner itself
        for k, sets in (("sa", ["model.attention.kind=sa"]),
                        ("ea2", ["model.attention.kind=ea", "model.attention.order=2"])):
            cells.append(("synthetic", k, "configs/synthetic_ea6.yaml", sets + ["train.epochs=2"]))
    elif table == "taylor":
        for row, cfg in (("JapaneseVowels", "configs/uea/JapaneseVowels_ea6.yaml"),
                         ("UWaveGestureLibrary", "configs/uea/UWaveGestureLibrary_ea6.yaml"),
                         ("ETTh2-96", "configs/forecast/ETTh2_96_ea6.yaml")):
            for t in (2, 4, 6, 8, 10):
                cells.append((row, f"t={t}", cfg, [f"model.attention.order={t}"]))
    else:
        sys.exit(f"unknown table '{table}' (uea, etth2_96, forecast_grid, traffic, taylor, smoke)")
    return cells


def data_present(config, data_dir):
    text = (ROOT / config).read_text()
    dataset = next(l.split(":", 1)[1].strip() for l in text.splitlines() if l.strip().startswith("dataset:"))
    if dataset == "synthetic":
        return True
    if dataset.endswith(".csv"):
        return (data_dir / dataset).exists()
    return (data_dir / "UEA" / dataset / f"{dataset}_TRAIN.ts").exists()


def run_dir(table, profile, row, col, seed):
    name = table if profile == "full" else f"{table}_{profile}"
    return RUNS / name / f"{row}_{col}" / f"seed_{seed}"


def metrics_of(d):
    final = json.loads((d / "final.json").read_text())
    with open(d / "metrics.csv") as f:
        epoch_seconds = [float(r["seconds"]) for r in csv.DictReader(f)]
    final["wall_seconds"] = sum(epoch_seconds)
    # Every epoch does the same work and other load on the shared machine only adds time,
    # so a run's fastest epoch is its cost; the mean (seconds_per_epoch) is kept too.
    final["fastest_epoch_seconds"] = min(epoch_seconds, default=0.0)
    return final


def recorded_runs(name):
    """(row, col, seed) -> metrics of every run listed in the committed <name>_runs.csv."""
    path = RESULTS / f"{name}_runs.csv"
    if not path.exists():
        return {}
    recorded = {}
    with open(path) as f:
        for r in csv.DictReader(f):
            metrics = {}
            for k, v in r.items():
                if k in ("row", "col", "seed", "config") or v == "":
                    continue
                for parse in (int, float, str):  # as the run wrote it, so the CSV round-trips
                    try:
                        metrics[k] = parse(v)
                        break
                    except ValueError:
                        pass
            recorded[(r["row"], r["col"], int(r["seed"]))] = (r["config"], metrics)
    return recorded


def table_name(args):
    return args.table if args.profile == "full" else f"{args.table}_{args.profile}"


def fmt(values, scale=1.0, digits=1):
    if not values:
        return "–"
    m = statistics.mean(values) * scale
    if len(values) == 1:
        return f"{m:.{digits}f}"
    return f"{m:.{digits}f} ± {statistics.stdev(values) * scale:.{digits}f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("table")
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--profile", choices=list(PROFILES), default="full")
    ap.add_argument("--report-only", action="store_true")
    ap.add_argument("--estimate", type=int, metavar="STEPS", default=0,
                    help="time STEPS steps of every unfinished cell instead of training it")
    ap.add_argument("--runs-dir", type=Path, help="where run directories go (default runs/)")
    ap.add_argument("--results-dir", type=Path,
                    help="where pages and CSVs go (default experiments/results/)")
    args = ap.parse_args()
    global RUNS, RESULTS
    RUNS = (args.runs_dir or RUNS).resolve()
    RESULTS = (args.results_dir or RESULTS).resolve()
    data_dir = Path(os.environ.get("EAFORMER_DATA", ROOT / "data")).resolve()
    cells = table_runs(args.table)
    seeds = [2021 + i for i in range(args.seeds)]
    started = time.time()
    if args.estimate:
        return estimate(args, cells, data_dir)
    recorded = recorded_runs(table_name(args))
    for row, col, cfg, sets in cells:
        if not data_present(cfg, data_dir):
            continue
        for s in seeds:
            d = run_dir(args.table, args.profile, row, col, s)
            if (d / "final.json").exists() or (row, col, s) in recorded or args.report_only:
                continue
            cmd = train_command(cfg, s, sets + PROFILES[args.profile], d)
            twin = finished_twin(cmd, d)
            if twin:
                d.parent.mkdir(parents=True, exist_ok=True)
                if d.exists():
                    shutil.rmtree(d)
                d.symlink_to(os.path.relpath(twin, d.parent))
                print(f"== {d}: same config and seed as {twin}, linked", flush=True)
                continue
            print("==", " ".join(cmd), flush=True)
            d.mkdir(parents=True, exist_ok=True)
            with open(d / "stdout.txt", "a") as out:
                if subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT).returncode != 0:
                    print(f"   failed: see {d / 'stdout.txt'}", flush=True)
                    continue
            # Page and CSV after every run: a table that outlives the session is committed as far as it got.
            report(args, cells, seeds, data_dir, time.time() - started)
    report(args, cells, seeds, data_dir, time.time() - started)


def train_command(cfg, seed, sets, d):
    binary = os.environ.get("EAFORMER_BIN", str(ROOT / "build" / "eaformer"))
    cmd = [binary, "train", str(ROOT / cfg), "--set", f"seed={seed}",
           "--set", "output.progress=none", "--run-dir", str(d)]
    for o in sets:
        cmd += ["--set", o]
    return cmd


def finished_twin(cmd, d):
    """A finished run under runs/ trained from exactly the config `cmd` resolves to."""
    resolved = subprocess.run(cmd + ["--print-config"], capture_output=True, text=True)
    if resolved.returncode != 0:
        return None
    for other in sorted(RUNS.glob("**/config.yaml")):
        run = other.parent
        if run.is_symlink() or run.resolve() == d.resolve() or not (run / "final.json").exists():
            continue
        if other.read_text() == resolved.stdout:
            return run
    return None


def estimate(args, cells, data_dir):
    """Times a few steps of every unfinished cell; a cell's epoch is scaled up from them."""
    name = table_name(args)
    rows = []
    for row, col, cfg, sets in cells:
        if not data_present(cfg, data_dir):
            continue
        d = RUNS / "_estimate" / name / f"{row}_{col}"
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        cmd = train_command(cfg, 2021, sets + PROFILES[args.profile] +
                            ["train.epochs=1", f"train.max_steps={args.estimate}"], d)
        with open(d / "stdout.txt", "w") as out:
            if subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT).returncode != 0:
                print(f"   failed: see {d / 'stdout.txt'}", flush=True)
                continue
        m = json.loads((d / "final.json").read_text())
        full = subprocess.run(train_command(cfg, 2021, sets + PROFILES[args.profile], d) + ["--print-config"],
                              capture_output=True, text=True, check=True).stdout
        epochs = int(re.search(r"^train:\n(?:  .*\n)*?  epochs: (\d+)", full, re.M).group(1))
        epoch_s = m["train_seconds_per_step"] * m["train_batches_per_epoch"] + m["eval_seconds_per_epoch"]
        rows.append({"row": row, "col": col, "seconds_per_step": round(m["train_seconds_per_step"], 4),
                     "steps_per_epoch": int(m["train_batches_per_epoch"]),
                     "eval_seconds": round(m["eval_seconds_per_epoch"], 1),
                     "epoch_seconds": round(epoch_s, 1), "max_epochs": epochs,
                     "max_hours": round(epoch_s * epochs / 3600, 3)})
        print(f"{row} {col}: {epoch_s:.0f} s/epoch, at most {epoch_s * epochs / 3600:.2f} h", flush=True)
    out = RESULTS / f"{name}_estimate.csv"
    with open(out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["row"])
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {out}; at most {sum(r['max_hours'] for r in rows):.1f} h for all cells")


def estimate_lines(name):
    """The cost estimated before the runs, as the page quotes it."""
    path = RESULTS / f"{name}_estimate.csv"
    if not path.exists():
        return []
    with open(path) as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return []
    total = sum(float(r["max_hours"]) for r in rows)
    typical = statistics.median(float(r["epoch_seconds"]) for r in rows)
    return ["", f"Cost estimated before the runs (`--estimate`: a few timed steps and one evaluation "
            f"per cell, scaled to a whole epoch; {path.name}): median {typical:.0f} s per epoch, "
            f"at most {total:.1f} h for the {len(rows)} cells if none stops early."]


def report(args, cells, seeds, data_dir, elapsed):
    name = table_name(args)
    recorded = recorded_runs(name)
    rows, cols = [], []
    for row, col, _, _ in cells:
        if row not in rows:
            rows.append(row)
        if col not in cols:
            cols.append(col)
    results, raw = {}, []
    total_wall = 0.0
    for row, col, cfg, sets in cells:
        present = data_present(cfg, data_dir)
        runs = []
        for s in seeds:
            d = run_dir(args.table, args.profile, row, col, s)
            if (d / "final.json").exists():
                m = metrics_of(d)
            elif (row, col, s) in recorded:
                cfg_then, m = recorded[(row, col, s)]
                if cfg_then != cfg:
                    sys.exit(f"{RESULTS / (name + '_runs.csv')}: {row} {col} seed {s} was trained from "
                             f"{cfg_then}, the table now uses {cfg}; delete that row to retrain it")
            else:
                continue
            runs.append(m)
            total_wall += m["wall_seconds"]
            raw.append({"row": row, "col": col, "seed": s, "config": cfg, **m})
        results[(row, col)] = (present, runs)
    out = RESULTS
    out.mkdir(parents=True, exist_ok=True)
    if raw:
        keys = sorted({k for r in raw for k in r})
        with open(out / f"{name}_runs.csv", "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=keys)
            w.writeheader()
            w.writerows(raw)
    lines = [f"# Results: {name}", "",
             "Command (from the repository root, after `scripts/build.sh`; it skips finished runs and "
             "resumes interrupted ones):", "",
             f"    EAFORMER_DATA=../shared/data experiments/reproduce.py {args.table} --seeds {len(seeds)}"
             + ("" if args.profile == "full" else f" --profile {args.profile}"), "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores ({cpu_name()}), shared with other load. "
             f"Training wall time of the finished runs: {total_wall / 3600:.2f} h. Profile: **{args.profile}**"
             + ("" if args.profile == "full" else f" ({', '.join(PROFILES[args.profile])}; everything else TSL's)")
             + f". Seeds: {', '.join(map(str, seeds))}.", ""]
    has_anchor = args.table == "uea"
    header = "| | " + " | ".join(cols) + (" | published SA |" if has_anchor else " |")
    lines += [header, "|" + "---|" * (len(cols) + 1 + has_anchor)]
    for row in rows:
        cells_txt = []
        for col in cols:
            present, runs = results.get((row, col), (False, []))
            if not present:
                cells_txt.append("no data here")
            elif not runs:
                cells_txt.append("not run yet")
            elif "test_accuracy" in runs[0]:
                acc = fmt([r["test_accuracy"] for r in runs], 100.0, 1)
                cells_txt.append(acc + ("" if len(runs) == len(seeds) else f" ({len(runs)}/{len(seeds)} seeds)"))
            else:
                mse = fmt([r["test_mse"] for r in runs], 1.0, 3)
                mae = fmt([r["test_mae"] for r in runs], 1.0, 3)
                cells_txt.append(f"{mse} / {mae}")
        anchor = f" | {SA_ANCHORS[row]}" if has_anchor and row in SA_ANCHORS else (" | –" if has_anchor else "")
        lines.append(f"| {row} | " + " | ".join(cells_txt) + anchor + " |")
    lines += ["", "Cells: test accuracy in % for classification rows, test MSE / MAE on the scaled "
              "data for forecasting rows (mean ± std over seeds)",
              "", "Seconds per epoch (a run's fastest epoch: every epoch does the same work, and other "
              "load on the shared machine only adds time; mean over seeds):", "",
              "| | " + " | ".join(cols) + " |", "|" + "---|" * (len(cols) + 1)]
    for row in rows:
        vals = []
        for col in cols:
            _, runs = results.get((row, col), (False, []))
            vals.append(fmt([r["fastest_epoch_seconds"] for r in runs], 1.0, 2) if runs else "–")
        lines.append(f"| {row} | " + " | ".join(vals) + " |")
    if args.table == "uea":
        lines += ["", "Early stopping uses the TEST split, as TSL does (it has no validation split for "
                  "UEA); `--set data.validation=holdout` is the clean alternative."]
    lines += estimate_lines(name)
    notes = ROOT / "experiments" / "notes" / f"{name}.md"
    if notes.exists():  # the reading of the numbers, written by hand, kept across regenerations
        lines += ["", notes.read_text().rstrip()]
    (out / f"{name}.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {out / (name + '.md')}")


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    main()
