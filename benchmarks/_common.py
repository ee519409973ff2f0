"""Shared by the benchmark scripts: timing (median of several runs), child-process memory, machine facts.

Every benchmark module exposes ``measure(runs) -> list[dict]``; each dict is one row of results.md:
``goal``, ``variant`` (``optimised`` / ``baseline`` / a label), ``what`` (one line: what was timed),
``median_s``, ``min_s``, ``max_s``, ``runs`` and optionally ``peak_mib`` and ``note``.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from analysis import paths

WORK = paths.PROJECT_ROOT / "benchmarks" / "work"  # scratch space, git-ignored


def timed(fn: Callable[[], Any], runs: int, *, setup: Callable[[], Any] | None = None) -> tuple[dict[str, Any], Any]:
    """Call ``fn`` ``runs`` times (``setup`` before each, untimed); (timing fields, last result)."""
    times, result = [], None
    for _ in range(runs):
        if setup is not None:
            setup()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return stats(times), result


def stats(times: list[float]) -> dict[str, Any]:
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times), "runs": len(times),
            "times_s": [round(t, 3) for t in times]}


def row(goal: str, variant: str, what: str, timing: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"goal": goal, "variant": variant, "what": what, **timing, **extra}


def child_peak_mib(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, dict[str, Any]]:
    """Run ``python argv`` in a fresh process that ends by calling :func:`report_peak`; (its peak MiB, its report)."""
    done = subprocess.run([sys.executable, *argv], capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child {argv} failed:\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["peak_mib"], report


def reset_peak() -> bool:
    """Reset this process's resident-memory high-water mark (Linux: /proc/self/clear_refs); False if unsupported."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_since_reset_mib() -> float | None:
    """The high-water mark since :func:`reset_peak` (VmHWM), in MiB; None where /proc is not available."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def report_peak(**extra: Any) -> None:
    """In a child process: print its own peak resident memory (MiB) and ``extra`` as the last JSON line."""
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"peak_mib": peak_kib / 1024, **extra}))


def machine() -> dict[str, Any]:
    """Cores, memory, CPU model, OS, Python and the commit: what results.md says the numbers came from."""
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=paths.PROJECT_ROOT, capture_output=True,
                            text=True, check=False).stdout.strip() or "unknown"
    return {"cores": usable, "memory_gib": round(memory_gib, 1), "cpu": model, "os": platform.platform(),
            "python": platform.python_version(), "commit": commit}


def print_rows(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        extra = f"; peak {r['peak_mib']:.0f} MiB" if r.get("peak_mib") else ""
        print(f"{r['goal']} [{r['variant']}]: median {r['median_s']:.2f} s (min {r['min_s']:.2f}, max {r['max_s']:.2f}, "
              f"{r['runs']} runs){extra} - {r['what']}")


def dump(rows: list[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows, indent=2) + "\n")
