#!/usr/bin/python3
"""The cost study: training memory and throughput against L, per-token generation
latency, and the PyTorch reference side by side (issue 7).

    scripts/build.sh && scripts/install_deps.sh --python
    experiments/cost_study.py --threads 2            # about 8 minutes on 2 cores
    experiments/cost_study.py --report-only          # redraw page and plots from the CSV

Model: the TSL classifier, d_model 128, d_ff 256, 3 layers, H=8, B=4, 3 channels,
4 classes, dropout 0.1 (SA: also on its probabilities), Adam. Every (kind, L) runs in a
fresh process, eaformer's then PyTorch's, one after the other, so each ratio comes from
measurements taken minutes apart on the same machine. A configuration whose estimated
working set exceeds 80% of the free memory is not started ("does not fit"), and a kind
stops growing L once one step takes longer than --max-step-seconds. Before timing,
every kind's forward output and gradients are checked against PyTorch (float64) on a
shared random input passed through an HDF5 file.

Writes experiments/results/cost.md, cost_runs.csv, cost_latency.csv and
cost_memory.png, cost_throughput.png, cost_latency.png.
"""
import argparse
import csv
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reproduce import cpu_name  # experiments/reproduce.py, the same machine line

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "experiments" / "results"
KINDS = ["sa", "la", "aft_simple", "ea2", "ea6"]
LENGTHS = [256, 512, 1024, 2048, 4096, 8192]
B, D, D_FF, LAYERS, HEADS = 4, 128, 256, 3, 8


def binary():
    return os.environ.get("EAFORMER_BIN", str(ROOT / "build" / "eaformer"))


def mem_available():
    for line in open("/proc/meminfo"):
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def estimated_bytes(framework, kind, L):
    """Working set of one training step, to avoid starting what cannot fit."""
    linear = 200e6 + 4.0 * B * L * (D * 60 + D_FF * 12) * LAYERS
    if kind != "sa":
        return linear + (4.0 * B * L * D * 8 * LAYERS if kind.startswith("ea") else 0)
    scores = 4.0 * B * HEADS * L * L
    # eaformer keeps P per layer plus one workspace; PyTorch keeps scores, their scaled
    # copy, softmax output and dropout output (and a byte mask) per layer.
    return linear + (1.25 * (LAYERS + 1) * scores if framework == "eaformer" else 4.25 * LAYERS * scores)


def torch_env(threads):
    """PyTorch's intra-op threads come from torch.set_num_threads; OpenBLAS reads its own."""
    return dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))


def blas_of_torch():
    """The BLAS library PyTorch's process maps (Debian's torch uses the system one)."""
    code = "import torch; torch.randn(64, 64) @ torch.randn(64, 64); print(open('/proc/self/maps').read())"
    maps = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    libs = sorted({l.split()[-1].rsplit("/", 2)[-2] + "/" + l.split()[-1].rsplit("/", 1)[-1]
                   for l in maps.splitlines() if "libblas" in l or "openblas" in l})
    return ", ".join(libs) or "unknown"


def run_result(cmd, env=None):
    """Runs one measurement; returns the numbers of its RESULT line or None."""
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    for line in p.stdout.splitlines():
        if line.startswith("RESULT "):
            return [float(x) for x in line.split()[1:]]
    sys.stderr.write(f"   failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-2000:]}\n")
    return None


def check_against_torch(threads):
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in KINDS:
            path = f"{tmp}/{kind}.h5"
            subprocess.run([binary(), "bench", "model", "--kind", kind, "--length", "64", "--batch", "2",
                            "--threads", str(threads), "--export", path], check=True, capture_output=True)
            p = subprocess.run([sys.executable, str(ROOT / "scripts" / "torch_reference.py"), "check", path],
                               capture_output=True, text=True)
            line = next((l for l in p.stdout.splitlines() if l.startswith("CHECK ")), None)
            if p.returncode != 0 or line is None:
                sys.exit(f"cost_study: eaformer and PyTorch disagree for {kind}:\n{p.stdout}{p.stderr}")
            _, _, logits, loss, grads = line.split()
            rows.append({"kind": kind, "logits": float(logits), "loss": float(loss), "grads": float(grads)})
            print(f"check {kind}: logits {logits}, loss {loss}, gradients {grads} (relative)", flush=True)
    return rows


def training_sweep(args):
    rows = []
    for kind in args.kinds:
        stopped = {"eaformer": "", "pytorch": ""}
        for L in args.lengths:
            for fw in ("eaformer", "pytorch"):
                row = {"kind": kind, "L": L, "framework": fw, "note": ""}
                need = estimated_bytes(fw, kind, L)
                if stopped[fw]:
                    row["note"] = stopped[fw]
                elif need > 0.8 * mem_available():
                    row["note"] = f"does not fit: needs ~{need / 2**30:.0f} GiB"
                    stopped[fw] = "not run: a shorter length did not fit"
                else:
                    common = ["--kind", kind, "--length", str(L), "--batch", str(B), "--d-model", str(D),
                              "--d-ff", str(D_FF), "--layers", str(LAYERS), "--heads", str(HEADS),
                              "--steps", str(args.steps), "--threads", str(args.threads)]
                    cmd = ([binary(), "bench", "model"] if fw == "eaformer" else
                           [sys.executable, str(ROOT / "scripts" / "torch_reference.py"), "bench"]) + common
                    r = run_result(cmd, torch_env(args.threads) if fw == "pytorch" else None)
                    if r is None:
                        row["note"] = "failed"
                        stopped[fw] = "not run: a shorter length failed"
                    else:
                        row.update(best_s=r[0], median_s=r[1], samples_per_s=r[2],
                                   arena_bytes=int(r[3]) if fw == "eaformer" else "", rss_bytes=int(r[4]))
                        if r[1] > args.max_step_seconds:
                            stopped[fw] = f"not run: one step took > {args.max_step_seconds:.0f} s at a shorter L"
                print(f"{fw:8s} {kind:10s} L={L:<5d} " + (f"{row['samples_per_s']:9.2f} samples/s  RSS "
                      f"{row['rss_bytes'] / 2**20:8.1f} MiB" if "samples_per_s" in row else row["note"]), flush=True)
                rows.append(row)
    return rows


def latency_sweep(args):
    rows = []
    for kind in args.kinds:
        p = subprocess.run([binary(), "bench", "generate", "--kind", kind, "--batch", "1", "--d-model", str(D),
                            "--d-ff", str(D_FF), "--layers", str(LAYERS), "--heads", str(HEADS),
                            "--positions", str(args.positions), "--threads", str(args.threads)],
                           capture_output=True, text=True, check=True)
        for line in p.stdout.splitlines():
            f = line.split()
            if f and f[0] == "LATENCY":
                rows.append({"kind": kind, "position": int(f[1]), "us": float(f[2])})
            elif f and f[0] == "RESULT":
                rows.append({"kind": kind, "position": "first256", "us": float(f[1])})
                rows.append({"kind": kind, "position": "last256", "us": float(f[2])})
                rows.append({"kind": kind, "position": "state_bytes", "us": float(f[4])})
        print(f"latency {kind}: " + ", ".join(f"{r['position']}: {r['us']:.1f}" for r in rows
                                               if r["kind"] == kind and r["position"] in ("first256", "last256")),
              flush=True)
    return rows


def write_csv(path, rows):
    keys = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)


def read_csv(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def num(x):
    return float(x) if x not in ("", None) else None


def exponent(points):
    pts = [(L, y) for L, y in points if y]
    if len(pts) < 2:
        return float("nan")
    xs, ys = [math.log(L) for L, _ in pts], [math.log(y) for _, y in pts]
    n, sx, sy = len(pts), sum(xs), sum(ys)
    sxx, sxy = sum(x * x for x in xs), sum(x * y for x, y in zip(xs, ys))
    return (n * sxy - sx * sy) / (n * sxx - sx * sx)


def report(meta):
    runs = read_csv(RESULTS / "cost_runs.csv")
    lat = read_csv(RESULTS / "cost_latency.csv")
    checks = read_csv(RESULTS / "cost_check.csv")
    kinds = list(dict.fromkeys(r["kind"] for r in runs))
    lengths = sorted({int(r["L"]) for r in runs})
    cell = {(r["kind"], int(r["L"]), r["framework"]): r for r in runs}

    def get(kind, L, fw, key):
        r = cell.get((kind, L, fw))
        return num(r.get(key)) if r and r.get(key) not in (None, "") else None

    def note(kind, L, fw):
        r = cell.get((kind, L, fw))
        return r["note"] if r and r["note"] else "–"

    mib = lambda b: f"{b / 2**20:.0f}"
    lines = ["# Cost study: training memory and throughput, generation latency, PyTorch side by side", "",
             "Command (from the repository root, after `scripts/build.sh` and "
             "`scripts/install_deps.sh --python`):", "",
             f"    experiments/cost_study.py --threads {meta['threads']}", "",
             f"Parts measured, in order: {meta.get('parts', 'check latency training')} "
             "(`--parts` remeasures some and keeps the others' CSVs).", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores ({cpu_name()}), shared with other load; "
             f"{meta['threads']} threads for both frameworks; PyTorch {meta['torch']} (Debian's "
             f"python3-torch, CPU, BLAS: {meta.get('blas', 'unknown')}). Wall time of the study: {meta['wall_min']:.0f} min. Run on {meta['date']}.", "",
             f"Model: the TSL classifier (d_model {D}, d_ff {D_FF}, {LAYERS} layers, H={HEADS}, B={B}, "
             "3 channels, 4 classes, dropout 0.1), one Adam training step = forward, cross-entropy, "
             f"backward, update; median of {meta['steps']} timed steps after 2 warm-up steps, each "
             "(kind, L, framework) in a fresh process. Memory: peak RSS of that process, and for "
             "eaformer also its arena's peak (activations, gradients, workspaces of one step; "
             "parameters and Adam state are outside it).", "",
             "## Same numbers as PyTorch", "",
             "eaformer's float32 logits, loss and all gradients against the PyTorch model in float64 "
             "on one shared random input (L=64, B=2, dropout off) written to HDF5 by "
             "`eaformer bench model --export` and read by `scripts/torch_reference.py check`; largest "
             "difference relative to the largest magnitude (gradients: worst parameter tensor):", "",
             "| kind | logits | loss | gradients |", "|---|---|---|---|"]
    for c in checks:
        lines.append(f"| {c['kind']} | {float(c['logits']):.1e} | {float(c['loss']):.1e} | {float(c['grads']):.1e} |")

    lines += ["", "## Training throughput (samples/s) and eaformer / PyTorch ratio", "",
              "| kind | " + " | ".join(f"L={L}" for L in lengths) + " |", "|---|" + "---|" * len(lengths)]
    for k in kinds:
        cells = []
        for L in lengths:
            e, p = get(k, L, "eaformer", "samples_per_s"), get(k, L, "pytorch", "samples_per_s")
            if e is None:
                cells.append(f"eaformer {note(k, L, 'eaformer')}")
            elif p is None:
                cells.append(f"{e:.2f} vs – ({note(k, L, 'pytorch')})")
            else:
                cells.append(f"{e:.2f} vs {p:.2f}: **{e / p:.1f}×**")
        lines.append(f"| {k} | " + " | ".join(cells) + " |")

    lines += ["", "## Peak memory (MiB): eaformer arena / eaformer RSS / PyTorch RSS", "",
              "| kind | " + " | ".join(f"L={L}" for L in lengths) + " |", "|---|" + "---|" * len(lengths)]
    for k in kinds:
        cells = []
        for L in lengths:
            a, r, p = (get(k, L, "eaformer", "arena_bytes"), get(k, L, "eaformer", "rss_bytes"),
                       get(k, L, "pytorch", "rss_bytes"))
            cells.append(" / ".join(mib(x) if x else "–" for x in (a, r, p)))
        lines.append(f"| {k} | " + " | ".join(cells) + " |")
    skipped = sorted({f"{r['framework']} {r['kind']} L={r['L']}: {r['note']}" for r in runs if r["note"]})
    if skipped:
        lines += ["", "Not measured:", ""] + [f"* {s}" for s in skipped]

    lines += ["", "## Fitted growth exponents p (cost ∝ L^p, least squares over L ≥ 1024)", "",
              "| kind | eaformer time | eaformer arena | eaformer RSS | PyTorch time | PyTorch RSS |",
              "|---|---|---|---|---|---|"]
    for k in kinds:
        def fit(fw, key, invert=False):
            pts = []
            for L in lengths:
                v = get(k, L, fw, key)
                if L >= 1024 and v:
                    pts.append((L, 1 / v if invert else v))
            return f"{exponent(pts):.2f}" if len(pts) >= 2 else "–"
        lines.append(f"| {k} | {fit('eaformer', 'samples_per_s', True)} | {fit('eaformer', 'arena_bytes')} | "
                     f"{fit('eaformer', 'rss_bytes')} | {fit('pytorch', 'samples_per_s', True)} | "
                     f"{fit('pytorch', 'rss_bytes')} |")

    positions = sorted({int(r["position"]) for r in lat if r["position"].isdigit()})
    lk = list(dict.fromkeys(r["kind"] for r in lat))
    lv = {(r["kind"], r["position"]): float(r["us"]) for r in lat}
    lines += ["", "## Per-token generation latency (µs), causal model, B=1", "",
              "The causal model (`src/models/causal_model.h`): Linear token embedding + sinusoidal "
              "position, the same 3 encoder layers with causal attention, final norm and a Linear "
              "head; each step feeds its output back. EA, LA and AFT-simple carry their fixed-size "
              "recurrent state, SA a KV cache. Latency at position p: median of the 64 steps ending "
              "at p; first/last: medians of the first and the last 256 positions.", "",
              "| kind | " + " | ".join(str(p) for p in positions) + " | first 256 | last 256 | last / first | state at the end |",
              "|---|" + "---|" * (len(positions) + 4)]
    for k in lk:
        vals = [f"{lv.get((k, str(p)), float('nan')):.0f}" for p in positions]
        first, last = lv.get((k, "first256")), lv.get((k, "last256"))
        state = lv.get((k, "state_bytes"), 0)
        lines.append(f"| {k} | " + " | ".join(vals) + f" | {first:.0f} | {last:.0f} | {last / first:.3f} | "
                     f"{state / 1024:.0f} KiB |")

    lines += ["", "## Targets", ""]
    ea6, sa = get("ea6", 4096, "eaformer", "arena_bytes"), get("sa", 4096, "eaformer", "arena_bytes")
    ea6r, sar = get("ea6", 4096, "eaformer", "rss_bytes"), get("sa", 4096, "eaformer", "rss_bytes")
    if ea6 and sa:
        lines.append(f"* EA-6 peak memory at L=4096 ≤ 1/8 of SA's: arena 1/{sa / ea6:.0f}, RSS 1/{sar / ea6r:.0f} — "
                     + ("**met**" if sa / ea6 >= 8 and sar / ea6r >= 8 else "**not met**") + ".")
    for k in ("ea2", "ea6"):
        if (k, "first256") in lv:
            ratio = lv[(k, "last256")] / lv[(k, "first256")]
            lines.append(f"* {k} per-token latency flat (≤ +10% from the first to the last 256 of "
                         f"{max(positions)} positions): {100 * (ratio - 1):+.1f}% — "
                         + ("**met**" if ratio <= 1.10 else "**not met**") + ".")
    ratios = [(get(k, L, "eaformer", "samples_per_s") / get(k, L, "pytorch", "samples_per_s"), k, L)
              for k in kinds for L in lengths
              if L >= 512 and get(k, L, "eaformer", "samples_per_s") and get(k, L, "pytorch", "samples_per_s")]
    if ratios:
        worst = min(ratios)
        lines.append(f"* eaformer training throughput ≥ 3× PyTorch's for every kind at L ≥ 512: smallest "
                     f"ratio measured {worst[0]:.1f}× ({worst[1]}, L={worst[2]}) over {len(ratios)} pairs — "
                     + ("**met where both ran**" if worst[0] >= 3 else "**not met**") + "."
                     + "".join(f" Below 3×: {k} at L={L} ({r:.1f}×)." for r, k, L in sorted(ratios) if r < 3))
    notes = ROOT / "experiments" / "notes" / "cost.md"
    if notes.exists():
        lines += ["", notes.read_text().rstrip()]
    (RESULTS / "cost.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS / 'cost.md'}")
    plots(runs, lat, kinds, lengths)


def plots(runs, lat, kinds, lengths):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    for name, key, ylabel in (("cost_memory.png", "rss_bytes", "peak RSS (MiB)"),
                              ("cost_throughput.png", "samples_per_s", "training samples/s")):
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for i, k in enumerate(kinds):
            for fw, style in (("eaformer", "-o"), ("pytorch", "--x")):
                pts = [(int(r["L"]), float(r[key])) for r in runs
                       if r["kind"] == k and r["framework"] == fw and r.get(key) not in ("", None)]
                if pts:
                    scale = 2**20 if key == "rss_bytes" else 1
                    ax.plot([p[0] for p in pts], [p[1] / scale for p in pts], style, color=f"C{i}",
                            label=f"{k} ({fw})")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("sequence length L")
        ax.set_ylabel(ylabel)
        ax.set_title(f"TSL classifier, B={B}, d_model {D}, {LAYERS} layers")
        ax.legend(fontsize=7, ncol=2)
        ax.grid(True, which="both", alpha=0.3)
        fig.tight_layout()
        fig.savefig(RESULTS / name, dpi=120)
        plt.close(fig)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for i, k in enumerate(dict.fromkeys(r["kind"] for r in lat)):
        pts = [(int(r["position"]), float(r["us"])) for r in lat if r["kind"] == k and r["position"].isdigit()]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], "-o", color=f"C{i}", label=k)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("position")
    ax.set_ylabel("latency per token (µs)")
    ax.set_title("causal generation, B=1: recurrent state (EA, LA, AFT) vs KV cache (SA)")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(RESULTS / "cost_latency.png", dpi=120)
    plt.close(fig)


def what_ran(args):
    kinds = "" if set(args.kinds) == set(KINDS) else f" ({', '.join(args.kinds)})"
    return " ".join(args.parts) + kinds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--kinds", nargs="+", default=KINDS)
    ap.add_argument("--lengths", type=int, nargs="+", default=LENGTHS)
    ap.add_argument("--positions", type=int, default=16384)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--max-step-seconds", type=float, default=60)
    ap.add_argument("--report-only", action="store_true")
    ap.add_argument("--parts", nargs="+", choices=["check", "latency", "training"],
                    default=["check", "latency", "training"],
                    help="measure only these parts; the others' CSVs are kept")
    args = ap.parse_args()
    import torch
    meta_path = RESULTS / "cost_meta.csv"
    if not args.report_only:
        started = time.time()
        if "check" in args.parts:
            write_csv(RESULTS / "cost_check.csv", check_against_torch(args.threads))
        if "latency" in args.parts:
            write_csv(RESULTS / "cost_latency.csv", latency_sweep(args))
        if "training" in args.parts:
            rows = training_sweep(args)
            if set(args.kinds) != set(KINDS) and (RESULTS / "cost_runs.csv").exists():
                # a subset of kinds remeasured: keep the other kinds' rows
                kept = [r for r in read_csv(RESULTS / "cost_runs.csv") if r["kind"] not in args.kinds]
                rows = sorted(kept + rows, key=lambda r: (KINDS.index(r["kind"]) if r["kind"] in KINDS
                                                           else len(KINDS), int(r["L"])))
            write_csv(RESULTS / "cost_runs.csv", rows)
        partial = len(args.parts) < 3 or set(args.kinds) != set(KINDS)
        previous = read_csv(meta_path)[0] if meta_path.exists() and partial else {}
        parts_min = float(previous.get("wall_min", 0)) + (time.time() - started) / 60
        write_csv(meta_path, [{"threads": args.threads, "steps": args.steps, "torch": torch.__version__,
                               "blas": blas_of_torch(), "wall_min": parts_min,
                               "date": time.strftime("%Y-%m-%d"),
                               "parts": what_ran(args) if not previous else
                               previous.get("parts", "all") + f"; then {what_ran(args)}"}])
    meta = read_csv(meta_path)[0]
    meta["wall_min"] = float(meta["wall_min"])
    report(meta)


if __name__ == "__main__":
    main()
