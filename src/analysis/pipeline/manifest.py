"""The manifest of a report set, and its merged findings: what ran, with which inputs, versions and timings."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import paths
from ..common import atomic_write_json
from ..data import sources
from ..errors import RunError
from .cache import package_versions, read_manifest
from .specs import Job, NotebookSpec


def git_commit() -> dict[str, Any]:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=paths.PROJECT_ROOT, capture_output=True, text=True,
                                  timeout=10, check=True).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"commit": git("rev-parse", "HEAD") or "unknown", "dirty": bool(git("status", "--porcelain"))}


def set_description(job: Job) -> dict[str, Any]:
    """The ``report_set`` block of a manifest: name, year, whether it is the year's default set, the parameters
    that make it a variant, a label for readers, and whether the default reproduce declares it."""
    from .plan import report_set

    name, changed = report_set(job.spec, job.year, job.parameters)
    label = ", ".join(f"{k} = {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in changed.items())
    return {"name": name, "year": job.year, "default": not changed, "parameters": changed,
            "label": label or "default parameters", "declared": job.declared or not changed}


def finish_set(year_dir: Path, jobs: list[Job], previous_dir: Path, specs: list[NotebookSpec]) -> None:
    """Merge findings, keep notebooks of this set not rerun now, write findings.json/csv and manifest.json."""
    import pandas as pd

    previous_manifest = read_manifest(previous_dir)
    names_now = {j.spec.name for j in jobs}
    entries: dict[str, Any] = {}
    # Notebooks of this set that were not part of this run (e.g. --only) keep their last good outputs.
    for name, entry in sorted(previous_manifest.get("notebooks", {}).items()):
        if name in names_now:
            continue
        files = entry.get("outputs", [])
        if files and all((previous_dir / f).exists() for f in files):
            for f in files:
                (year_dir / f).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(previous_dir / f, year_dir / f)
            entries[name] = entry
    registry = sources.registry()
    for job in jobs:
        spec = job.spec
        if not (year_dir / "findings" / f"{spec.name}.json").exists():
            raise RunError(f"{spec.name} ran but recorded no findings (it must end with log.save())")
        used = [registry[i] for i in job.dependencies.get("sources", []) if i in registry]
        entries[spec.name] = {
            "title": spec.title,
            "parameters": job.parameters,
            "cache_key": job.cache_key,
            "export_key": job.export_key,
            "reused_from_previous_run": job.reused,
            "seconds": round(job.seconds, 2),
            "cell_seconds": job.cell_seconds,
            "inputs": [
                {"id": s.id, "file": f"data/raw/{s.filename}", "sha256": job.raw_sha256.get(s.id, s.sha256), "url": s.url,
                 "licence": s.licence, "publisher": s.publisher, "year": s.year}
                for s in used
            ],
            "dependencies": job.dependencies,
            "outputs": sorted(set(job.outputs)),
        }
    order = {s.name: i for i, s in enumerate(specs)}
    all_findings = []
    for name in sorted(entries, key=lambda n: order.get(n, 99)):
        with open(year_dir / "findings" / f"{name}.json", encoding="utf-8") as f:
            all_findings.extend(json.load(f))
    atomic_write_json(year_dir / "findings.json", all_findings)
    table = pd.DataFrame(all_findings)
    if not table.empty:
        for col in ("value", "published"):
            table[col] = table[col].map(lambda v: " | ".join(map(str, v)) if isinstance(v, list) else v)
    table.to_csv(year_dir / "findings.csv", index=False, lineterminator="\n")
    shutil.rmtree(year_dir / "dependencies", ignore_errors=True)
    manifest = {
        "year": jobs[0].year,
        "report_set": set_description(jobs[0]),
        "generated_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git": git_commit(),
        "packages": package_versions(),
        "platform": {"system": platform.platform(), "cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "notebooks": {k: entries[k] for k in sorted(entries, key=lambda n: order.get(n, 99))},
    }
    atomic_write_json(year_dir / "manifest.json", manifest)
