"""Runs are safe: an interrupted run stops cleanly, two runs at once leave consistent reports, a failed run
changes nothing, and two clean runs give byte-identical reports (apart from the stated timestamp and timing
fields)."""

from __future__ import annotations

import json
import os
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


def test_ctrl_c_stops_every_kernel_and_leaves_the_last_reports(tmp_path):
    out = tmp_path / "reports"
    assert _cli("run", "--only", NOTEBOOK, "--out", str(out), "--quiet").wait(timeout=300) == 0
    before = _files(out)
    run = _cli("run", "--out", str(out), "--quiet", "--no-cache")
    time.sleep(6)  # kernels started, notebooks running
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130 and "interrupted; previous reports untouched" in err
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


def test_two_clean_runs_give_identical_reports(tmp_path):
    for sub in ("a", "b"):
        assert _cli("run", "--only", NOTEBOOK, "--out", str(tmp_path / sub), "--quiet", "--no-cache").wait(300) == 0
    a, b = _files(tmp_path / "a" / "2017"), _files(tmp_path / "b" / "2017")
    assert a.keys() == b.keys()
    differ = [f for f in a if a[f] != b[f] and f != "manifest.json"]
    assert differ == []
    assert _without_timings(a["manifest.json"]) == _without_timings(b["manifest.json"])
    modes = {oct(os.stat(p).st_mode & 0o777) for p in (tmp_path / "a").rglob("*") if p.is_file()}
    assert modes == {"0o644"}
