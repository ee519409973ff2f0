"""The new user's path, timed whole: a fresh clone to its first complete `make reproduce`, then `make test`.

Run: .venv/bin/python benchmarks/workflow.py [--no-baseline]

In a fresh `git clone` of this repository (committed files only) under benchmarks/work/, with the data mirror
(``$COMPENDIUM_DATA_MIRROR``, else ``../shared/data`` beside the project, as CI uses):

* optimised: `make reproduce` from nothing: creates .venv and syncs requirements.lock with uv (the package
  cache as this machine has it: warm after the first install, as on a user's second project), fetches and
  checks the data, runs every notebook; then `make test` in the same clone, and the every-LA-every-year sweep
  (`tests/data/test_sweep.py`) alone;
* baseline: the same clone set up the plain-pip way the Makefile falls back on where uv is missing (`python -m
  venv`, `pip install --require-hashes -r requirements.lock`, pip's own cache warm), then the same
  `make reproduce`.

One run each (minutes, not seconds): the figures are wall-clock times of whole commands on this machine. The
fresh clone's report sizes (``report_sizes.py``) are returned beside the timings.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import WORK, print_rows, row, stats  # noqa: E402

import report_sizes  # noqa: E402

from analysis import paths  # noqa: E402

ROOT = paths.PROJECT_ROOT
GOAL_CLONE = "Fresh clone to the first complete reproduce"
GOAL_TESTS = "`make test` (the whole suite)"
GOAL_SWEEP = "Every LA, every year, through the library"


def mirror() -> str:
    found = os.environ.get(paths.MIRROR_ENV) or str(ROOT.parent / "shared" / "data")
    if not Path(found).is_dir():
        raise SystemExit(f"no data mirror at {found}: set COMPENDIUM_DATA_MIRROR")
    return found


def clone(name: str) -> Path:
    target = WORK / name
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True)
    return target


def timed_command(argv: list[str], cwd: Path, label: str) -> float:
    """Wall seconds of one command in ``cwd`` (its output kept in benchmarks/work/<label>.log)."""
    env = {**os.environ, paths.MIRROR_ENV: mirror()}
    env.pop("VIRTUAL_ENV", None)
    log = WORK / f"{label}.log"
    start = time.perf_counter()
    with log.open("w") as out:
        done = subprocess.run(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} in {cwd} exited {done.returncode}: see {log}")
    return seconds


def measure(baseline: bool = True) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    project = clone("fresh_clone")
    reproduce = timed_command(["make", "reproduce"], project, "fresh_clone_reproduce")
    rows = [row(GOAL_CLONE, "optimised", "`git clone`, then `make reproduce`: .venv created and requirements.lock "
                "synced by uv (package cache warm), data fetched from the mirror and checked, every notebook run",
                stats([reproduce]))]
    sizes = report_sizes.sizes(project / "reports")
    tests = timed_command(["make", "test"], project, "fresh_clone_test")
    rows.append(row(GOAL_TESTS, "optimised", "`make test` in the fresh clone (after its reproduce): unit, data, "
                    "bad-input, notebook and browser tiers, `-n 2`", stats([tests])))
    sweep = timed_command([str(project / ".venv/bin/python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/data/test_sweep.py"], project, "sweep")
    rows.append(row(GOAL_SWEEP, "optimised", "`tests/data/test_sweep.py` alone: notebooks 01 and 02's calculations "
                    "and the intervals for every LA in the LAIT data and every year 2016-2025, pytest start-up "
                    "included", stats([sweep])))
    if baseline:
        plain = clone("fresh_clone_pip")
        python = shutil.which("python3") or sys.executable
        pip = [str(plain / ".venv/bin/python"), "-m", "pip", "install", "--quiet"]
        setup = timed_command([python, "-m", "venv", ".venv"], plain, "pip_venv")
        setup += timed_command([*pip, "--require-hashes", "-r", "requirements.lock"], plain, "pip_install")
        setup += timed_command([*pip, "--no-deps", "-e", "."], plain, "pip_install_package")
        (plain / ".venv" / ".installed").touch()
        run = timed_command(["make", "reproduce"], plain, "pip_reproduce")
        rows.append(row(GOAL_CLONE, "baseline", "the same with plain pip (the Makefile's fallback where uv is "
                        f"missing; pip's cache warm): set-up {setup:.0f} s, then `make reproduce`",
                        stats([setup + run])))
        shutil.rmtree(plain, ignore_errors=True)
    shutil.rmtree(project, ignore_errors=True)
    return rows, sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    rows, sizes = measure(not args.no_baseline)
    print_rows(rows)
    for page, size in sizes.items():
        print(f"    {page}: {size / 1000:.0f} KB")


if __name__ == "__main__":
    main()
