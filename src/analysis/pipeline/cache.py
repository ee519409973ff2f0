"""Cache keys: a notebook is reused while nothing it read has changed; its HTML is exported again when only the
report layout has.

A notebook's cache key hashes its text, its parameters, the package versions and the current content of what
it read last time (registry entries of the roles it looked up, reference tables, library modules: see
:mod:`analysis.data.dependencies`). A change to any of them reruns exactly the notebooks that read it.
"""

from __future__ import annotations

import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from .. import paths
from ..data import sources
from .specs import Job, NotebookSpec

#: Packages whose versions are recorded in the manifest (and are part of the cache key).
RECORDED_PACKAGES = (
    "pandas", "numpy", "matplotlib", "seaborn", "statsmodels", "scikit-learn", "scipy", "pandera", "papermill",
    "nbconvert", "nbclient", "ipykernel", "jupytext", "pooch", "pyarrow", "openpyxl", "python-calamine", "pyreadr",
    "duckdb", "pyyaml",
)
#: Bump when the cache-key recipe changes, so keys made by an older runner are never trusted.
CACHE_KEY_VERSION = 2


def _file_sha(relative: str) -> str:
    """sha256 of a project-relative (or absolute) file; 'missing' if it is gone (which changes the key)."""
    file = Path(relative) if Path(relative).is_absolute() else paths.PROJECT_ROOT / relative
    try:
        return hashlib.sha256(file.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in RECORDED_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def role_entries(roles: list[str], read: dict[str, str] | None = None) -> dict[str, list[list[Any]]]:
    """Each role's files: (id, year, la, format, sha256), the sha256 as read this run (``read``: the planner's
    screening of every raw file) where known, else the registry's."""
    registry = sources.registry()
    read = read or {}
    return {
        role: sorted([s.id, s.year, s.la, s.format, read.get(s.id, s.sha256)] for s in registry.values()
                     if s.role == role)
        for role in sorted(set(roles))
    }


def cache_key(job: Job, dependencies: dict[str, Any]) -> str:
    """Hash of everything the notebook's output depends on, given what it read (``dependencies``)."""
    parts = {
        "version": CACHE_KEY_VERSION,
        "notebook": hashlib.sha256(job.spec.source.read_bytes()).hexdigest(),
        "parameters": job.parameters,
        "packages": package_versions(),
        "roles": role_entries(dependencies.get("roles", []), job.raw_sha256),
        "files": {f: _file_sha(f) for f in sorted(dependencies.get("files", []))},
        "modules": {f: _file_sha(f) for f in sorted(dependencies.get("modules", []))},
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def export_key(spec: NotebookSpec) -> str:
    """Hash of what turns an executed notebook into its HTML: the export code, template, nbconvert, the title.

    Separate from the cache key: a changed template re-exports the reports without rerunning any notebook.
    """
    digest = hashlib.sha256(spec.title.encode())
    package = Path(__file__).resolve().parent.parent
    export_code = [package / "pipeline" / f for f in ("export.py", "layout.py", "export_text.py")]
    export_code += sorted(p for p in (package / "present").iterdir() if p.suffix in (".py", ".csv", ".yml"))
    templates = sorted(p for p in (package / "templates").rglob("*") if p.is_file())
    for file in (*export_code, *templates):
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    for package in ("nbconvert", "nbformat", "jinja2"):
        digest.update(metadata.version(package).encode())
    return digest.hexdigest()


def read_manifest(year_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def reusable(job: Job, previous_year_dir: Path) -> bool:
    """True if the last run of this notebook in ``previous_year_dir`` had the same inputs and left every output.

    Sets ``job.cache_key``, ``dependencies``, ``seconds`` and ``outputs`` from that run when it does.
    """
    entry = read_manifest(previous_year_dir).get("notebooks", {}).get(job.spec.name)
    if not entry or "dependencies" not in entry or not entry.get("cache_key"):
        return False
    if cache_key(job, entry["dependencies"]) != entry["cache_key"]:
        return False
    files = entry.get("outputs", [])
    if not files or not all((previous_year_dir / f).exists() for f in files):
        return False
    job.cache_key = entry["cache_key"]
    job.export_key = export_key(job.spec)
    job.reexport = entry.get("export_key") != job.export_key
    job.dependencies = entry["dependencies"]
    job.seconds = float(entry.get("seconds", 0.0))
    job.cell_seconds = list(entry.get("cell_seconds", []))
    job.outputs = list(files)
    job.reused = True
    return True


def expected_seconds(spec: NotebookSpec, out_dir: Path) -> float:
    """How long the notebook took last time in any year's run, else its ``typical_seconds``, else infinity
    (an unknown notebook starts first)."""
    seen = []
    for year_dir in out_dir.glob("[0-9]*"):
        entry = read_manifest(year_dir).get("notebooks", {}).get(spec.name)
        if entry and entry.get("seconds"):
            seen.append(float(entry["seconds"]))
    if seen:
        return max(seen)
    return float(spec.typical_seconds) if spec.typical_seconds else float("inf")
