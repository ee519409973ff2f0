"""End-to-end reproduce: cold (no reports, no parquet cache), warm (nothing changed), and the naive baseline.

Run: .venv/bin/python benchmarks/reproduce_e2e.py [--runs 3]

Each run calls the two commands `make reproduce` calls (`compendium fetch`, `compendium run`) as fresh
processes, with the reports and the parquet cache redirected to benchmarks/work/ so the user's reports/ and
data/processed/ are untouched. The raw data must already be in data/raw (`make data`).

* cold: a fresh processed directory and output directory each run; notebooks in parallel (``--jobs`` =
  cores), longest first, HTML exported as each notebook finishes;
* warm: the same commands again over the cold run's output, nothing changed;
* naive baseline: sequential (``--jobs 1``), no cache of any kind (``--no-cache``, ``COMPENDIUM_NO_CACHE``).
  Without a cache a rerun is a cold run, so it is the baseline of both goals.

The slowest steps are profiled from the cold run's manifests (the runner keeps every cell's duration there,
out of the executed notebooks so that they are the same bytes every run).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import WORK, print_rows, row, stats  # noqa: E402

GOAL_COLD = "End-to-end reproduce, cold"
GOAL_WARM = "Warm rerun (nothing changed)"


def _compendium(*args: str, env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "analysis.pipeline.cli", *args], env=env, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"compendium {' '.join(args)} failed:\n{done.stderr[-4000:]}")


def _reproduce(out: Path, processed: Path, *extra: str, naive: bool = False) -> float:
    """Wall time of `compendium fetch` + `compendium run --out <out>` (what `make reproduce` runs)."""
    env = {**os.environ, "COMPENDIUM_PROCESSED_DIR": str(processed)}
    if naive:
        env["COMPENDIUM_NO_CACHE"] = "1"
    start = time.perf_counter()
    _compendium("fetch", env=env)
    _compendium("run", "--out", str(out), "--quiet", *extra, env=env)
    return time.perf_counter() - start


def _fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def slowest_steps(out: Path, n: int = 10) -> list[dict[str, Any]]:
    """The n slowest notebook cells of a run, named by notebook and the markdown heading above them."""
    steps = []
    for executed in sorted(out.glob("*/notebooks/*.ipynb")):
        nb = json.loads(executed.read_text())
        manifest = json.loads((executed.parent.parent / "manifest.json").read_text())
        durations = manifest["notebooks"].get(executed.stem, {}).get("cell_seconds", [])
        heading = "set-up"
        for i, cell in enumerate(nb["cells"]):
            source = "".join(cell["source"])
            if cell["cell_type"] == "markdown":
                first = next((ln for ln in source.splitlines() if ln.startswith("#")), None)
                if first:  # the notebook's title (level 1) is followed by its set-up cells, not a step
                    heading = "set-up: imports, findings log" if first.startswith("# ") else first.lstrip("# ").strip()
                continue
            seconds = durations[i] if i < len(durations) else 0.0  # the manifest keeps each cell's time
            first_line = next((ln.strip() for ln in source.splitlines() if ln.strip() and not ln.startswith("#")), "")
            steps.append({"notebook": executed.stem, "step": heading, "call": first_line[:90], "seconds": seconds})
    return sorted(steps, key=lambda s: -s["seconds"])[:n]


def notebook_seconds(out: Path) -> dict[str, float]:
    """Each notebook's execution time in the run (from the manifests)."""
    seconds = {}
    for manifest in sorted(out.glob("*/manifest.json")):
        for name, entry in json.loads(manifest.read_text())["notebooks"].items():
            seconds[name] = entry["seconds"]
    return seconds


def _same_findings(a: Path, b: Path) -> bool:
    files = sorted(p.relative_to(a) for p in a.glob("*/findings.json"))
    return bool(files) and all((a / f).read_bytes() == (b / f).read_bytes() for f in files)


def measure(runs: int = 3) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(result rows, profile of the slowest steps) for goals 1 and 2."""
    work = WORK / "e2e"
    cold_times, warm_times, naive_times = [], [], []  # wall seconds of each run
    for i in range(runs):
        processed, out = _fresh(work / f"processed-{i}"), work / f"reports-{i}"
        shutil.rmtree(out, ignore_errors=True)
        cold_times.append(_reproduce(out, processed))
    last_cold = work / f"reports-{runs - 1}"
    for _ in range(max(runs, 5)):
        warm_times.append(_reproduce(last_cold, work / f"processed-{runs - 1}"))
    for i in range(runs):
        processed, out = _fresh(work / f"naive-processed-{i}"), work / f"naive-reports-{i}"
        shutil.rmtree(out, ignore_errors=True)
        naive_times.append(_reproduce(out, processed, "--jobs", "1", "--no-cache", naive=True))
    deterministic = all(_same_findings(last_cold, p) for p in [*work.glob("reports-*"), *work.glob("naive-reports-*")])
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    n_runs = sum(len(json.loads(m.read_text())["notebooks"]) for m in last_cold.glob("*/manifest.json"))
    n_html = len(list(last_cold.glob("*/policy/*.html"))) + len(list(last_cold.glob("*/review/*.html")))
    rows = [
        row(GOAL_COLD, "optimised", f"`compendium fetch` + `compendium run` (--jobs {cores}), no reports, no parquet "
            f"cache: {n_runs} notebook runs, {n_html} HTML reports, the dashboard", stats(cold_times)),
        row(GOAL_COLD, "baseline", "the same, sequential (--jobs 1), no cache of any kind", stats(naive_times)),
        row(GOAL_WARM, "optimised", "`compendium fetch` + `compendium run` again, nothing changed", stats(warm_times)),
        row(GOAL_WARM, "baseline", "without a cache a rerun is a cold sequential run (goal 1's baseline runs)",
            stats(naive_times)),
    ]
    profile = {
        "last_cold_wall_s": cold_times[-1],
        "slowest_steps": slowest_steps(last_cold),
        "notebook_seconds": notebook_seconds(last_cold),
        "naive_notebook_seconds": notebook_seconds(work / f"naive-reports-{runs - 1}"),
        "findings_identical_across_runs": deterministic,
    }
    return rows, profile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows, profile = measure(args.runs)
    print_rows(rows)
    print(json.dumps(profile, indent=1))


if __name__ == "__main__":
    main()
