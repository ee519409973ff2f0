"""Runs are safe: an interrupted run stops cleanly, two runs at once leave consistent reports, a failed run
changes nothing, and two clean runs give byte-identical reports (apart from the stated timestamp and timing
fields)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis import paths

pytestmark = pytest.mark.usefixtures("raw_data_present")
NOTEBOOK = "01_la_vs_national_p8"


def _cli(*args: str, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "analysis.pipeline.cli", *args], cwd=paths.PROJECT_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _without_timings(manifest: bytes) -> dict:
    data = json.loads(manifest)
    data.pop("generated_utc")
    for entry in data["notebooks"].values():
        entry.pop("seconds")
        entry.pop("cell_seconds")
    return data


def _kernels_running(out: Path, timeout: float = 60) -> None:
    """Wait until the run has a build folder with a kernel's log in it (a notebook is executing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(build.glob(".*.kernel.log") for build in out.glob(".build-*")):
            time.sleep(0.5)  # into its first cells
            return
        time.sleep(0.1)
    raise AssertionError(f"no kernel started in {out} within {timeout} s")


def test_ctrl_c_stops_every_kernel_and_leaves_the_last_reports(full_run, tmp_path):
    out = tmp_path / "reports"
    shutil.copytree(full_run, out)  # the last good reports
    before = _files(out)
    run = _cli("run", "--out", str(out), "--quiet", "--no-cache")
    _kernels_running(out)
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130 and "interrupted; previous reports untouched" in err, err[-2000:]
    assert _files(out) == before and not list(out.glob(".build-*"))


def test_two_runs_at_once_wait_for_each_other(tmp_path):
    out = tmp_path / "reports"
    first = _cli("run", "--only", NOTEBOOK, "--out", str(out), "--quiet", "--no-cache")
    time.sleep(1)
    second = _cli("run", "--only", NOTEBOOK, "--la", "320", "--out", str(out), "--quiet", "--no-cache")
    assert first.wait(timeout=300) == 0
    _, err = second.communicate(timeout=300)
    assert second.returncode == 0 and "waiting for it to finish" in err
    assert {p.name for p in out.iterdir() if p.is_dir()} == {"2017", "2017--la-320"}  # both sets, nothing left over
    for name in ("2017", "2017--la-320"):
        assert json.loads((out / name / "manifest.json").read_text())["report_set"]["name"] == name


def _notebook_files(files: dict[str, bytes], name: str) -> dict[str, bytes]:
    return {f: b for f, b in files.items() if f.split("/")[-1].startswith(name) or f.startswith(f"tables/{name}/")}


def test_a_clean_run_gives_the_same_bytes_as_the_shared_reproduce(full_run, tmp_path):
    """A fresh command-line run of one notebook, no cache, against the session's reproduce run (in-process, two
    jobs, every notebook): the notebook's every file is the same bytes, and every file is mode 0644."""
    assert _cli("run", "--only", NOTEBOOK, "--out", str(tmp_path), "--quiet", "--no-cache").wait(300) == 0
    fresh, shared = _files(tmp_path / "2017"), _files(full_run / "2017")
    mine = _notebook_files(fresh, NOTEBOOK)
    assert len(mine) >= 5 and mine == _notebook_files(shared, NOTEBOOK)
    ran, reference = _without_timings(fresh["manifest.json"]), _without_timings(shared["manifest.json"])
    assert ran["notebooks"][NOTEBOOK] == reference["notebooks"][NOTEBOOK]
    modes = {oct(os.stat(p).st_mode & 0o777) for p in tmp_path.rglob("*") if p.is_file()}
    assert modes == {"0o644"}
