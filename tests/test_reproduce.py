#!/usr/bin/env python3
"""ctest: the table runner (experiments/reproduce.py) on its seconds-long `smoke` table.

    tests/test_reproduce.py build/eaformer

Checks that it trains every cell for every seed, writes the runs CSV and a page whose
mean ± std agree with the runs, skips finished runs when run again, finishes an
interrupted run from its checkpoint with the same result, rebuilds the page from the
committed CSV alone when runs/ is gone (a fresh clone) without training again, and that
--estimate writes the cost table the page quotes. Everything goes to a temporary directory.
"""
import csv
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "experiments" / "reproduce.py"


def check(cond, what):
    if not cond:
        sys.exit(f"FAILED: {what}")


def main():
    binary = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = dict(os.environ, EAFORMER_BIN=binary, OMP_NUM_THREADS="1")

        def run(*extra):
            cmd = [sys.executable, str(RUNNER), "smoke", "--seeds", "2", "--runs-dir", str(tmp / "runs"),
                   "--results-dir", str(tmp / "results"), *extra]
            r = subprocess.run(cmd, env=env, capture_output=True, text=True)
            check(r.returncode == 0, f"{' '.join(cmd)} exited {r.returncode}:\n{r.stdout}{r.stderr}")
            return r.stdout

        first = run()
        finals = sorted((tmp / "runs" / "smoke").glob("*/seed_*/final.json"))
        check(len(finals) == 4, f"4 finished runs (2 kinds x 2 seeds), found {len(finals)}")
        check(first.count("== ") == 4, "one training command per run")

        rows = list(csv.DictReader(open(tmp / "results" / "smoke_runs.csv")))
        check(sorted((r["col"], r["seed"]) for r in rows) ==
              [("ea2", "2021"), ("ea2", "2022"), ("sa", "2021"), ("sa", "2022")], "one CSV row per run")
        page = (tmp / "results" / "smoke.md").read_text()
        row = next(l for l in page.splitlines() if l.startswith("| synthetic |"))
        for kind, cell in zip(("sa", "ea2"), row.strip("| ").split(" | ")[1:]):
            acc = [100 * float(r["test_accuracy"]) for r in rows if r["col"] == kind]
            want = f"{statistics.mean(acc):.1f} ± {statistics.stdev(acc):.1f}"
            check(cell == want, f"page cell for {kind} is '{cell}', runs say '{want}'")

        # Run again: nothing to train, the finished runs are untouched.
        stamps = [f.stat().st_mtime_ns for f in finals]
        again = run()
        check("== " not in again, f"a second run trains nothing, but printed:\n{again}")
        check(stamps == [f.stat().st_mtime_ns for f in finals], "finished runs untouched")

        # An interrupted run (no final.json, so not in the CSV either) is finished from its
        # checkpoint, with the same result.
        victim = finals[0]
        before = json.loads(victim.read_text())
        victim.unlink()
        kind, seed = victim.parent.parent.name.split("_")[-1], victim.parent.name.split("_")[-1]
        runs_csv = tmp / "results" / "smoke_runs.csv"
        lines = runs_csv.read_text().splitlines(keepends=True)
        kept = [l for l in lines if not (l.startswith(f"{kind},") and f",{seed}," in l)]
        check(len(kept) == len(lines) - 1, f"the CSV has one row for {kind} seed {seed}")
        runs_csv.write_text("".join(kept))
        resumed = run()
        check(resumed.count("== ") == 1, "only the interrupted run is started again")
        after = json.loads(victim.read_text())
        check(after["test_accuracy"] == before["test_accuracy"], "resumed run gives the same result")

        # A fresh clone has the committed CSV but no runs/: nothing trains again and the page
        # is rebuilt from the CSV, number for number.
        results = tmp / "results"
        page_before, csv_before = (results / "smoke.md").read_text(), (results / "smoke_runs.csv").read_text()
        shutil.rmtree(tmp / "runs")
        fresh = run()
        check("== " not in fresh, f"runs recorded in the CSV are not trained again, but printed:\n{fresh}")
        check((results / "smoke.md").read_text() == page_before, "page rebuilt from the CSV alone is unchanged")
        check((results / "smoke_runs.csv").read_text() == csv_before, "CSV rewritten from itself is unchanged")
        # A recorded run whose config the table no longer uses is an error, not a silent mix.
        (results / "smoke_runs.csv").write_text(csv_before.replace("configs/synthetic_ea6.yaml", "configs/other.yaml", 1))
        stale = subprocess.run([sys.executable, str(RUNNER), "smoke", "--seeds", "2", "--report-only",
                                "--runs-dir", str(tmp / "runs"), "--results-dir", str(results)],
                               env=env, capture_output=True, text=True)
        check(stale.returncode != 0 and "configs/other.yaml" in stale.stderr and "smoke_runs.csv" in stale.stderr,
              f"a stale CSV row is reported with its file and config, got:\n{stale.stderr}")
        (results / "smoke_runs.csv").write_text(csv_before)

        # --estimate times every cell and the page quotes the estimate.
        run("--estimate", "3")
        est = list(csv.DictReader(open(tmp / "results" / "smoke_estimate.csv")))
        check([r["col"] for r in est] == ["sa", "ea2"], "one estimate row per cell")
        check(all(float(r["seconds_per_step"]) > 0 and int(r["max_epochs"]) == 2 for r in est),
              "estimate rows hold a step time and the cell's epoch count")
        run("--report-only")
        check(re.search(r"Cost estimated before the runs .* for the 2 cells",
                        (tmp / "results" / "smoke.md").read_text()), "page quotes the estimate")
    print("reproduce.py runner: all checks passed")


if __name__ == "__main__":
    main()
