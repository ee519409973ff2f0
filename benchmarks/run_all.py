"""`make bench`: run every benchmark, each against its naive baseline, and write benchmarks/results.md.

Run: .venv/bin/python benchmarks/run_all.py [--runs 3] [--only e2e months ...]

Goals (issue "From a fresh clone to the first report in a minute", which raised the first set): end-to-end
cold reproduce at most 15 s on 2 cores; a warm rerun under 2 s; a national-size KS4 file parsed and validated
under 1 s; months of progress on 6M pupils at most 1 s and 1 GB and at least 3x plain pandas; families for
every primary school in England under 2 s. The scale points (months over a Parquet dataset of ten cohorts,
one cohort in memory at a time, by pyarrow and by DuckDB) have no goal: they are the measured points of
benchmarks/README.md's scale story. Every figure is the median of several runs; results.md also records the
machine, the commit, the slowest steps and whether each goal is met.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import families_national  # noqa: E402
import ks4_national  # noqa: E402
import months_6m  # noqa: E402
import months_out_of_core  # noqa: E402
import report_sizes  # noqa: E402
import reproduce_e2e  # noqa: E402
import workflow  # noqa: E402
from _common import machine, print_rows  # noqa: E402

HERE = Path(__file__).resolve().parent

#: goal → (target text, seconds (at most), MiB (at most) or None, the variant the target applies to,
#: the least baseline / optimised ratio or None)
TARGETS = {
    reproduce_e2e.GOAL_COLD: ("at most 15 s on 2 cores", 15.0, None, "optimised", None),
    reproduce_e2e.GOAL_WARM: ("under 2 s", 2.0, None, "optimised", None),
    ks4_national.GOAL: ("parse + validate under 1 s", 1.0, None, "optimised", None),
    months_6m.GOAL: ("at most 1 s and 1 GB while it runs, at least 3x plain pandas", 1.0, 1024, "optimised", 3.0),
    families_national.GOAL: ("under 2 s", 2.0, None, "optimised", None),
    workflow.GOAL_CLONE: ("at most 60 s, environment included (warm package cache)", 60.0, None, "optimised", None),
    workflow.GOAL_TESTS: ("at most 90 s on 2 cores", 90.0, None, "optimised", None),
}


def _fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def verdict(goal: str, rows: list[dict[str, Any]]) -> tuple[str, bool]:
    _, seconds, mib, variant, ratio = TARGETS[goal]
    main = next(r for r in rows if r["goal"] == goal and r["variant"] == variant)
    problems = []
    if main["median_s"] > seconds:
        problems.append(f"{_fmt_s(main['median_s'])} against {seconds:g} s")
    if mib is not None and main.get("peak_mib", 0) > mib:
        problems.append(f"{main['peak_mib']:,.0f} MiB against {mib:,} MiB")
    baseline = next((r for r in rows if r["goal"] == goal and r["variant"] == "baseline"), None)
    if ratio is not None and baseline and baseline["median_s"] / main["median_s"] < ratio:
        problems.append(f"{baseline['median_s'] / main['median_s']:.1f}x against {ratio:g}x")
    return ("met" if not problems else "NOT met: " + "; ".join(problems)), not problems


def summary_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = ["| goal | target | optimised (median) | naive baseline (median) | baseline / optimised | result |",
             "|---|---|---:|---:|---:|---|"]
    for goal, (target, *_rest) in TARGETS.items():
        if not any(r["goal"] == goal for r in rows):
            continue
        fast = next(r for r in rows if r["goal"] == goal and r["variant"] == "optimised")
        slow = next((r for r in rows if r["goal"] == goal and r["variant"] == "baseline"), None)
        memory = f"; {fast['peak_mib']:,.0f} MiB" if fast.get("peak_mib") else ""
        if slow is None:  # a whole command with no slower way to run it (the suite itself)
            base, ratio = "–", "–"
        else:
            base = _fmt_s(slow["median_s"]) + (f"; {slow['peak_mib']:,.0f} MiB" if slow.get("peak_mib") else "")
            ratio = f"{slow['median_s'] / fast['median_s']:.1f}x"
        lines.append(f"| {goal} | {target} | {_fmt_s(fast['median_s'])}{memory} | {base} | {ratio} "
                     f"| {verdict(goal, rows)[0]} |")
    return lines


def detail_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = ["| goal | variant | what was timed | median | min | max | runs | peak memory | note |",
             "|---|---|---|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        peak = f"{r['peak_mib']:,.0f} MiB" if r.get("peak_mib") else ""
        lines.append(f"| {r['goal']} | {r['variant']} | {r['what']} | {_fmt_s(r['median_s'])} | {_fmt_s(r['min_s'])} "
                     f"| {_fmt_s(r['max_s'])} | {r['runs']} | {peak} | {r.get('note', '')} |")
    return lines


def profile_section(profile: dict[str, Any]) -> list[str]:
    total = sum(profile["notebook_seconds"].values())
    lines = ["## Where the cold run spends its time", "",
             "Each notebook's execution time (kernel start, imports and every cell; its two HTML exports follow while "
             "the other core runs the next notebook), in the last optimised cold run and the last naive run:", "",
             "| notebook | cold, parallel (s) | naive, sequential (s) |", "|---|---:|---:|"]
    for name, seconds in sorted(profile["notebook_seconds"].items(), key=lambda kv: -kv[1]):
        lines.append(f"| {name} | {seconds:.1f} | {profile['naive_notebook_seconds'].get(name, float('nan')):.1f} |")
    lines += ["", f"In that cold run {total:.1f} s of notebook execution fitted into {profile['last_cold_wall_s']:.1f} s "
              "of wall time on two cores; the rest is the start-up of the two commands (about 2 s: papermill, "
              "nbconvert), the HTML exports and the index."]
    lines += ["", "The slowest steps (papermill's per-cell durations in the last cold run; two notebooks share two "
              "cores, so each is slower than alone):", "",
              "| notebook | step (its markdown heading) | call | seconds |", "|---|---|---|---:|"]
    for step in profile["slowest_steps"]:
        call = step["call"].replace("|", "\\|")
        lines.append(f"| {step['notebook']} | {step['step']} | `{call}` | {step['seconds']:.2f} |")
    same = "identical" if profile["findings_identical_across_runs"] else "NOT identical"
    lines += ["", f"Findings files of every cold and naive run: {same} (same inputs, same outputs)."]
    return lines


def sizes_section(sizes: dict[str, int]) -> list[str]:
    policy = {p: b for p, b in sizes.items() if "/policy/" in p}
    lines = ["## Report sizes", "", f"The fresh clone's reports (policy goal: each under {report_sizes.GOAL // 1000} KB "
             "with its charts inlined):", "", "| page | KB | policy goal |", "|---|---:|---|"]
    for page, size in sizes.items():
        goal = ("met" if size < report_sizes.GOAL else "NOT met") if page in policy else ""
        lines.append(f"| `{page}` | {size / 1000:.0f} | {goal} |")
    under = sum(b < report_sizes.GOAL for b in policy.values())
    lines += ["", f"Policy reports: {len(policy)}, largest {max(policy.values(), default=0) / 1000:.0f} KB, "
              f"{under} of {len(policy)} under the goal."]
    return lines


def _kept_note(rows: list[dict[str, Any]], commit: str) -> str:
    """Which figures this run kept from an earlier one (``--only``), and the commit each was measured at."""
    kept: dict[str, list[str]] = {}
    for r in rows:
        if r.get("commit", commit) != commit and r["goal"] not in kept.get(r["commit"], []):
            kept.setdefault(r["commit"], []).append(r["goal"])
    return "".join(f" Kept from commit {c} (not measured this time): {', '.join(goals)}." for c, goals in kept.items())


def write_results(rows: list[dict[str, Any]], profile: dict[str, Any] | None, info: dict[str, Any],
                  seconds: float, path: Path, sizes: dict[str, int] | None = None) -> Path:
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (benchmarks/run_all.py); do not edit by hand: rerun it. Every figure is the median "
        "of several runs on one machine; the naive baseline ran in the same session.",
        "",
        f"Machine: {info['cores']} cores usable ({info['cpu']}), {info['memory_gib']} GiB memory, {info['os']}, "
        f"Python {info['python']}. Commit {info['commit']}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC. "
        f"`make bench` took {seconds / 60:.1f} min." + _kept_note(rows, info['commit']),
        "",
        *summary_table(rows),
        "",
        "## Every measurement",
        "",
        *detail_table(rows),
        "",
    ]
    if profile:
        lines += [*profile_section(profile), ""]
    if sizes:
        lines += [*sizes_section(sizes), ""]
    tmp = path.with_suffix(".md.part")
    tmp.write_text("\n".join(lines))
    tmp.replace(path)
    return path


def scale_points(runs: int) -> list[dict[str, Any]]:
    """Months of progress out of core: ten cohorts of 600,000 pupils (6M rows; pyarrow, checked equal to one
    in-core call, and DuckDB), then ten of 6M (60M rows, as ten NPD-sized cohorts of every key stage; one run)."""
    rows = []
    for per_year, reader, n_runs, verify in [(600_000, "pyarrow", runs, True), (600_000, "duckdb", runs, False),
                                             (6_000_000, "pyarrow", 1, False)]:
        rows += months_out_of_core.measure(n_runs, per_year, 10, reader, verify)
    for per_year in (600_000, 6_000_000):
        shutil.rmtree(months_out_of_core.dataset_dir(per_year, 10), ignore_errors=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (the faster variants run at least 5)")
    parser.add_argument("--only", nargs="+", choices=["e2e", "ks4", "months", "scale", "families", "workflow"],
                        help="measure only these; the other figures are kept from the last results.json")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    args = parser.parse_args()
    chosen = args.only or ["e2e", "ks4", "months", "scale", "families", "workflow"]
    started = time.perf_counter()
    info = machine()
    rows: list[dict[str, Any]] = []
    profile = None
    # Memory first, in fresh child processes, then the timings; the end-to-end runs last (they load the machine).
    steps = {"months": lambda: months_6m.measure(args.runs), "families": lambda: families_national.measure(args.runs),
             "ks4": lambda: ks4_national.measure(max(args.runs, 5)), "e2e": lambda: reproduce_e2e.measure(args.runs),
             "scale": lambda: scale_points(args.runs), "workflow": workflow.measure}
    sizes = None
    for name in ["months", "scale", "families", "ks4", "e2e", "workflow"]:
        if name not in chosen:
            continue
        print(f"benchmark: {name} ...", flush=True)
        result = steps[name]()
        if name == "e2e":
            result, profile = result
        if name == "workflow":
            result, sizes = result
        print_rows(result)
        rows += [{**r, "commit": info["commit"]} for r in result]
    if args.only and (kept := args.out.with_suffix(".json")).exists():  # the figures not measured this time
        last = json.loads(kept.read_text())
        measured = {r["goal"] for r in rows}
        rows = [r for r in last["rows"] if r["goal"] not in measured] + rows
        profile = profile if "e2e" in chosen else last.get("profile")
        sizes = sizes if "workflow" in chosen else last.get("sizes")
        # a kept figure keeps the commit it was measured at (older results recorded it only for the whole run)
        base = last["machine"]["commit"].split(" ")[0]
        for r in rows:
            r.setdefault("commit", base)
    order = list(TARGETS)
    rows.sort(key=lambda r: order.index(r["goal"]) if r["goal"] in order else 99)
    seconds = time.perf_counter() - started
    out = write_results(rows, profile, info, seconds, args.out, sizes)
    (args.out.with_suffix(".json")).write_text(json.dumps({"machine": info, "rows": rows, "profile": profile,
                                                           "sizes": sizes}, indent=1) + "\n")
    met = [verdict(goal, rows) for goal in TARGETS if any(r["goal"] == goal for r in rows)]
    print(f"\nwrote {out} in {seconds / 60:.1f} min: {sum(ok for _, ok in met)} of {len(met)} goals met")


if __name__ == "__main__":
    main()
