"""Run the notebooks with papermill into ``reports/<year>/``: executed notebooks, HTML, findings, manifest.

The runner

1. reads ``notebooks/notebooks.yml`` and checks ``--year``, ``--la`` and every ``-p`` parameter against what
   the data and the notebooks accept *before* any notebook starts;
2. reuses a notebook whose inputs are unchanged since the last run: its cache key hashes the notebook text,
   its parameters, the package versions and the current content of what it read last time (registry
   entries of the roles it looked up, reference tables, library modules: see :mod:`analysis.dependencies`).
   A change to any of them reruns exactly the notebooks that read it; when nothing changed nothing is
   rewritten;
3. builds everything else in a temporary directory beside the output, running independent notebooks in
   parallel (``jobs``, default: cores) in fresh ``python3`` kernels, longest first (by the last run's
   timings), each exported to HTML as soon as it finishes;
4. only when every notebook succeeded, swaps the new ``<year>/`` directories in; a failure names the notebook
   and cell, exits non-zero and leaves the previous reports untouched.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import importlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from . import paths, sources
from .errors import ParameterError

#: Packages whose versions are recorded in the manifest (and are part of the cache key).
RECORDED_PACKAGES = (
    "pandas", "numpy", "matplotlib", "seaborn", "statsmodels", "scikit-learn", "scipy", "pandera", "papermill",
    "nbconvert", "nbclient", "ipykernel", "jupytext", "pooch", "pyarrow", "openpyxl", "python-calamine", "pyreadr",
    "duckdb", "pyyaml",
)
#: Bump when the cache-key recipe changes, so keys made by an older runner are never trusted.
CACHE_KEY_VERSION = 2


class RunError(RuntimeError):
    """A notebook failed; the message names it and the failing cell."""


@dataclass(frozen=True)
class NotebookSpec:
    name: str
    title: str
    default_year: int
    default_la: str | None
    years: str
    las: str | None
    typical_seconds: float | None = None  # scheduling hint until the runner has timed the notebook
    path: Path | None = None  # tests point a spec at a notebook outside notebooks/

    @property
    def source(self) -> Path:
        return self.path or paths.NOTEBOOKS / f"{self.name}.py"


@dataclass
class Job:
    spec: NotebookSpec
    year: int
    parameters: dict[str, Any]
    cache_key: str = ""
    reused: bool = False
    seconds: float = 0.0
    expected_seconds: float = float("inf")  # from the last run; unknown notebooks start first
    outputs: list[str] = field(default_factory=list)
    dependencies: dict[str, Any] = field(default_factory=dict)
    export_key: str = ""
    reexport: bool = False  # reused, but the HTML export changed since: export again from the executed notebook


def load_specs(path: Path = paths.NOTEBOOKS / "notebooks.yml") -> list[NotebookSpec]:
    with open(path, encoding="utf-8") as f:
        entries = yaml.safe_load(f)["notebooks"]
    return [
        NotebookSpec(
            name=e["name"],
            title=e["title"],
            default_year=int(e["default_year"]),
            default_la=None if e.get("default_la") is None else str(e["default_la"]),
            years=e["years"],
            las=e.get("las"),
            typical_seconds=e.get("typical_seconds"),
        )
        for e in entries
    ]


def _call(ref: str, *args: Any) -> Any:
    module, func = ref.split(":")
    return getattr(importlib.import_module(module), func)(*args)


@lru_cache(maxsize=32)
def valid_years(spec: NotebookSpec) -> tuple[int, ...]:
    return tuple(sorted(int(y) for y in _call(spec.years)))


@lru_cache(maxsize=32)
def _valid_las(spec: NotebookSpec) -> tuple[tuple[str, str], ...]:
    table = _call(spec.las)
    return tuple(zip(table["la_code"].astype(str), table["la_name"].astype(str), strict=True))


def valid_las(spec: NotebookSpec) -> dict[str, str]:
    return dict(_valid_las(spec)) if spec.las else {}


def _notebook_libraries() -> None:
    """Import-time settings for the notebook tooling, applied before nbformat is first imported."""
    # jsonschema (imported by nbformat) loads rfc3987_syntax when it is installed (jupyterlab pulls it in), and
    # that compiles a grammar for 1.6 s on import. Notebook JSON holds no IRIs to validate: run without it.
    sys.modules.setdefault("rfc3987_syntax", None)


# --------------------------------------------------------------------------------------------------
# Notebook parameters


def read_notebook(spec: NotebookSpec):
    """The jupytext percent file as an nbformat notebook (kernel pinned to the generic python3)."""
    _notebook_libraries()
    import jupytext

    nb = jupytext.read(spec.source)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _parse_parameters(spec: NotebookSpec) -> dict[str, str]:
    from papermill.translators import PythonTranslator

    nb = read_notebook(spec)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{spec.source}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    params = PythonTranslator.inspect(cells[0])
    declared = {p.name: (p.inferred_type_name or "None") for p in params}
    lines = [ln for ln in cells[0].source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    if len(lines) != len(declared):
        raise ParameterError(
            f"{spec.source}: the parameters cell has {len(lines)} lines but papermill reads {len(declared)} "
            "parameters; write one `name: type = value  # comment` per line, with no '=' in comments"
        )
    return declared


@lru_cache(maxsize=32)
def notebook_parameters(spec: NotebookSpec) -> dict[str, str]:
    """name → declared type ('int', 'str', 'dict', ...) from the notebook's parameters cell, as papermill reads it.

    Parsing needs papermill and jupytext (a second of imports), so the answer is kept in data/processed,
    keyed by the notebook's content and papermill's version.
    """
    key = hashlib.sha256(spec.source.read_bytes() + metadata.version("papermill").encode()).hexdigest()[:20]
    store = paths.processed_dir() / "cache" / f"parameters-{key}.json"
    if store.exists():
        return json.loads(store.read_text(encoding="utf-8"))
    declared = _parse_parameters(spec)
    from .findings import write_json_atomic  # pandas comes with it: only on this cold path

    write_json_atomic(store, declared)
    return declared


def coerce_parameter(spec: NotebookSpec, name: str, value: Any) -> Any:
    """Convert a command-line string to the parameter's declared type; codes declared ``str`` stay strings."""
    declared = notebook_parameters(spec)
    if name not in declared:
        raise ParameterError(
            f"parameter {name!r} is not a parameter of {spec.name}; its parameters are: {', '.join(declared)}"
        )
    kind = declared[name].split("[")[0].strip().lower()
    if not isinstance(value, str):
        return value
    try:
        if kind == "str":
            return value
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "bool":
            if value.lower() in ("true", "1", "yes"):
                return True
            if value.lower() in ("false", "0", "no"):
                return False
            raise ValueError(value)
        parsed = yaml.safe_load(value)
        if isinstance(parsed, (int, float)) and kind in ("list", "dict"):
            return [str(parsed)] if kind == "list" else parsed
        return parsed
    except ValueError:
        raise ParameterError(f"parameter {name!r} of {spec.name} expects {declared[name]}, got {value!r}") from None


# --------------------------------------------------------------------------------------------------
# Planning: everything checked before the first notebook starts


def plan(
    *,
    year: int | None = None,
    la: str | None = None,
    only: list[str] | None = None,
    params: dict[str, Any] | None = None,
    specs: list[NotebookSpec] | None = None,
) -> tuple[list[Job], list[str]]:
    """The jobs to run and notes on notebooks skipped (e.g. no data for that year).

    Raises ParameterError, naming the parameter and the valid choices, for an unknown notebook, year, LA or
    parameter.
    """
    specs = specs or load_specs()
    by_name = {s.name: s for s in specs}
    params = dict(params or {})
    if only:
        unknown = [n for n in only if n not in by_name]
        if unknown:
            raise ParameterError(f"--only: unknown notebook(s) {unknown}; valid: {', '.join(by_name)}")
        chosen = [by_name[n] for n in only]
    else:
        chosen = list(specs)

    notes: list[str] = []
    jobs: list[Job] = []
    if year is not None:
        year = int(year)
        supported = [s for s in chosen if year in valid_years(s)]
        if not supported:
            all_years = sorted({y for s in chosen for y in valid_years(s)})
            raise ParameterError(f"--year: {year} is not in the data; valid years: {', '.join(map(str, all_years))}")
        for s in chosen:
            if s not in supported:
                if only:
                    raise ParameterError(
                        f"--year: {year} is not available for {s.name}; valid years: "
                        f"{', '.join(map(str, valid_years(s)))}"
                    )
                notes.append(f"{s.name}: skipped, its data cover {', '.join(map(str, valid_years(s)))}, not {year}")
        chosen = supported
    if la is not None:
        la = str(la).strip()
        takes_la = [s for s in chosen if s.las]
        if not takes_la:
            raise ParameterError(f"--la: none of {', '.join(s.name for s in chosen)} takes an LA parameter")
        ok = [s for s in takes_la if la in valid_las(s)]
        if not ok:
            examples = ", ".join(f"{c} ({n})" for c, n in list(valid_las(takes_la[0]).items())[:6])
            raise ParameterError(
                f"--la: {la!r} is not a local authority code in the data; expected a 3-digit DfE LA code such as "
                f"{examples} ... (`compendium choices` lists them all)"
            )
        for s in takes_la:
            if s not in ok:
                if only:
                    raise ParameterError(f"--la: {la} is not covered by the data of {s.name}")
                notes.append(f"{s.name}: skipped, its data do not cover LA {la}")
        chosen = [s for s in chosen if s in ok or not s.las]

    used_params: set[str] = set()
    for s in chosen:
        declared = notebook_parameters(s)
        job_year = year if year is not None else s.default_year
        job_params: dict[str, Any] = {"year": job_year}
        if "la" in declared and (la is not None or s.default_la is not None):
            job_params["la"] = la if la is not None else s.default_la
        for name, value in params.items():
            if name in declared:
                job_params[name] = coerce_parameter(s, name, value)
                used_params.add(name)
        jobs.append(Job(spec=s, year=job_year, parameters=job_params))
    unused = sorted(set(params) - used_params)
    if unused:
        valid = sorted({p for s in chosen for p in notebook_parameters(s)})
        raise ParameterError(f"parameter(s) {unused} are not parameters of the selected notebooks; valid: {valid}")
    return jobs, notes


# --------------------------------------------------------------------------------------------------
# Cache keys and the manifest


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


def role_entries(roles: list[str]) -> dict[str, list[list[Any]]]:
    """What the registry now says about each role: (id, year, la, format, sha256) of every file in it."""
    registry = sources.registry()
    return {
        role: sorted([s.id, s.year, s.la, s.format, s.sha256] for s in registry.values() if s.role == role)
        for role in sorted(set(roles))
    }


def cache_key(job: Job, dependencies: dict[str, Any]) -> str:
    """Hash of everything the notebook's output depends on, given what it read (``dependencies``)."""
    parts = {
        "version": CACHE_KEY_VERSION,
        "notebook": hashlib.sha256(job.spec.source.read_bytes()).hexdigest(),
        "parameters": job.parameters,
        "packages": package_versions(),
        "roles": role_entries(dependencies.get("roles", [])),
        "files": {f: _file_sha(f) for f in sorted(dependencies.get("files", []))},
        "modules": {f: _file_sha(f) for f in sorted(dependencies.get("modules", []))},
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def export_key(spec: NotebookSpec) -> str:
    """Hash of what turns an executed notebook into its HTML: the export code, template, nbconvert, the title.

    Separate from the cache key: a changed template re-exports the reports without rerunning any notebook.
    """
    digest = hashlib.sha256(spec.title.encode())
    site_code = Path(__file__).resolve().parent / "site.py"
    templates = sorted(p for p in (site_code.parent / "templates").rglob("*") if p.is_file())
    for file in (site_code, *templates):
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    for package in ("nbconvert", "nbformat", "jinja2"):
        digest.update(metadata.version(package).encode())
    return digest.hexdigest()


def _read_manifest(year_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def reusable(job: Job, previous_year_dir: Path) -> bool:
    """True if the last run of this notebook in ``previous_year_dir`` had the same inputs and left every output.

    Sets ``job.cache_key``, ``dependencies``, ``seconds`` and ``outputs`` from that run when it does.
    """
    entry = _read_manifest(previous_year_dir).get("notebooks", {}).get(job.spec.name)
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
    job.outputs = list(files)
    job.reused = True
    return True


def _expected_seconds(spec: NotebookSpec, out_dir: Path) -> float:
    """How long the notebook took last time in any year's run, else its ``typical_seconds``, else infinity
    (an unknown notebook starts first)."""
    seen = []
    for year_dir in out_dir.glob("[0-9]*"):
        entry = _read_manifest(year_dir).get("notebooks", {}).get(spec.name)
        if entry and entry.get("seconds"):
            seen.append(float(entry["seconds"]))
    if seen:
        return max(seen)
    return float(spec.typical_seconds) if spec.typical_seconds else float("inf")


def git_commit() -> dict[str, Any]:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=paths.PROJECT_ROOT, capture_output=True, text=True,
                                  timeout=10, check=True).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"commit": git("rev-parse", "HEAD") or "unknown", "dirty": bool(git("status", "--porcelain"))}


# --------------------------------------------------------------------------------------------------
# Execution


def _execute(job: Job, build_year_dir: Path, progress: bool) -> Job:
    """Run one notebook with papermill, then export its HTML at once (while other notebooks still run)."""
    _notebook_libraries()
    import papermill as pm
    from traitlets.config import Config

    nb = read_notebook(job.spec)
    executed = build_year_dir / "notebooks" / f"{job.spec.name}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    # Local sockets, not TCP: nothing listens on the network, and kernels print no plain-text warning. Each
    # kernel gets its own short socket directory (parallel kernels would otherwise pick the same names, and
    # a socket path must stay under ~100 characters whatever the project's path).
    sockets = tempfile.mkdtemp(prefix="compendium-kernel-")
    try:
        pm.execute_notebook(
            nb,
            str(executed),
            parameters=job.parameters,
            kernel_name="python3",
            progress_bar=progress,
            cwd=str(paths.PROJECT_ROOT),
            report_mode=False,
            config=Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets, "kernel")}}),
        )
    except pm.PapermillExecutionError as exc:
        raise RunError(
            f"{job.spec.name} (year {job.year}) failed in cell {exc.cell_index} "
            f"(execution count {exc.exec_count}): {exc.ename}: {exc.evalue}"
        ) from None
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    job.seconds = time.perf_counter() - started
    recorded = build_year_dir / "dependencies" / f"{job.spec.name}.json"
    if not recorded.exists():
        raise RunError(f"{job.spec.name} ran but recorded no findings (it must end with log.save())")
    job.dependencies = json.loads(recorded.read_text(encoding="utf-8"))
    recorded.unlink()
    job.cache_key = cache_key(job, job.dependencies)
    _export(job, build_year_dir)
    return job


def _export(job: Job, build_year_dir: Path) -> None:
    """policy/ and review/ HTML and figures of the executed notebook in ``build_year_dir``."""
    _notebook_libraries()
    from . import site

    executed = build_year_dir / "notebooks" / f"{job.spec.name}.ipynb"
    html = site.export_notebook_html(executed, job.spec.title)
    job.export_key = export_key(job.spec)
    job.outputs = [f"notebooks/{job.spec.name}.ipynb", f"findings/{job.spec.name}.json", *html]


def _copy_outputs(job: Job, previous_year_dir: Path, build_year_dir: Path) -> None:
    keep = job.outputs
    if job.reexport:  # HTML and figures are made again from the executed notebook
        keep = [f"notebooks/{job.spec.name}.ipynb", f"findings/{job.spec.name}.json"]
    for f in keep:
        target = build_year_dir / f
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(previous_year_dir / f, target)


def run(
    *,
    year: int | None = None,
    la: str | None = None,
    only: list[str] | None = None,
    params: dict[str, Any] | None = None,
    out: Path | str | None = None,
    jobs: int | None = None,
    use_cache: bool = True,
    progress: bool = True,
    log=print,
    specs: list[NotebookSpec] | None = None,
) -> dict[str, Any]:
    """Plan, execute, export and swap in; returns a summary. Raises ParameterError / RunError."""
    out_dir = Path(out) if out else paths.REPORTS
    started = time.perf_counter()
    planned, notes = plan(year=year, la=la, only=only, params=params, specs=specs)
    for note in notes:
        log(f"note: {note}")
    specs = specs or load_specs()
    for job in planned:
        if use_cache:
            reusable(job, out_dir / str(job.year))
        job.expected_seconds = _expected_seconds(job.spec, out_dir)
    to_run = [j for j in planned if not j.reused]
    reused = [j.spec.name for j in planned if j.reused]
    if reused:
        log(f"unchanged since the last run, reused: {', '.join(reused)}")
    reexport = [j for j in planned if j.reused and j.reexport]
    if reexport:
        log(f"report layout changed, exported again: {', '.join(j.spec.name for j in reexport)}")
    if not to_run and not reexport and (out_dir / "index.html").exists():
        # Nothing changed: the reports on disk are the reports these inputs give. Rewrite nothing.
        return summarise(out_dir, planned, time.perf_counter() - started) | {"years": sorted({j.year for j in planned})}

    out_dir.mkdir(parents=True, exist_ok=True)
    build_root = Path(tempfile.mkdtemp(prefix=".build-", dir=out_dir))
    try:
        os.environ[paths.RUN_DIR_ENV] = str(build_root)
        for job in planned:
            if job.reused:
                _copy_outputs(job, out_dir / str(job.year), build_root / str(job.year))
                if job.reexport:
                    _export(job, build_root / str(job.year))
        if to_run:
            _execute_all(to_run, build_root, jobs=jobs, progress=progress)
        years = sorted({j.year for j in planned})
        for y in years:
            _finish_year(build_root / str(y), [j for j in planned if j.year == y], out_dir / str(y), specs)
        swapped = _swap_in(build_root, out_dir, years)
        from . import site

        site.write_site_index(out_dir)
    except BaseException:
        shutil.rmtree(build_root, ignore_errors=True)
        raise
    finally:
        os.environ.pop(paths.RUN_DIR_ENV, None)
    shutil.rmtree(build_root, ignore_errors=True)
    return summarise(out_dir, planned, time.perf_counter() - started) | {"years": swapped}


def _execute_all(to_run: list[Job], build_root: Path, *, jobs: int | None, progress: bool) -> None:
    """Run the notebooks, longest first, ``jobs`` at a time; the first failure stops the run."""
    from tqdm.auto import tqdm

    n_jobs = max(1, min(jobs or os.cpu_count() or 1, len(to_run)))
    # Longest first: with 2 workers, starting the longest notebook last would leave one core idle at the end.
    ordered = sorted(to_run, key=lambda j: -j.expected_seconds)
    show_cells = progress and n_jobs == 1 and len(to_run) == 1
    with tqdm(total=len(ordered), desc="notebooks", unit="nb", disable=not progress or show_cells) as bar:
        with concurrent.futures.ThreadPoolExecutor(max_workers=n_jobs) as pool:
            futures = {pool.submit(_execute, j, build_root / str(j.year), show_cells): j for j in ordered}
            try:
                for fut in concurrent.futures.as_completed(futures):
                    done = fut.result()  # re-raises RunError naming notebook and cell
                    bar.set_postfix_str(f"{done.spec.name} {done.seconds:.0f} s")
                    bar.update(1)
            except BaseException:
                for f in futures:
                    f.cancel()
                raise


def _finish_year(year_dir: Path, jobs: list[Job], previous_dir: Path, specs: list[NotebookSpec]) -> None:
    """Merge findings, keep notebooks of this year not rerun now, write findings.json/csv and manifest.json."""
    import pandas as pd

    from . import findings as findings_mod

    previous_manifest = _read_manifest(previous_dir)
    names_now = {j.spec.name for j in jobs}
    entries: dict[str, Any] = {}
    # Notebooks of this year that were not part of this run (e.g. --only) keep their last good outputs.
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
            "inputs": [
                {"id": s.id, "file": f"data/raw/{s.filename}", "sha256": s.sha256, "url": s.url,
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
    findings_mod.write_json_atomic(year_dir / "findings.json", all_findings)
    table = pd.DataFrame(all_findings)
    if not table.empty:
        for col in ("value", "published"):
            table[col] = table[col].map(lambda v: " | ".join(map(str, v)) if isinstance(v, list) else v)
    table.to_csv(year_dir / "findings.csv", index=False, lineterminator="\n")
    shutil.rmtree(year_dir / "dependencies", ignore_errors=True)
    manifest = {
        "year": int(year_dir.name),
        "generated_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git": git_commit(),
        "packages": package_versions(),
        "platform": {"system": platform.platform(), "cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "notebooks": {k: entries[k] for k in sorted(entries, key=lambda n: order.get(n, 99))},
    }
    findings_mod.write_json_atomic(year_dir / "manifest.json", manifest)


def _swap_in(build_root: Path, out_dir: Path, years: list[int]) -> list[int]:
    """Replace out/<year> by the new build, one rename each; the old copy is removed only after."""
    for y in years:
        new, target = build_root / str(y), out_dir / str(y)
        old = out_dir / f".old-{y}-{os.getpid()}"
        if target.exists():
            os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
    return years


def summarise(out_dir: Path, planned: list[Job], seconds: float) -> dict[str, Any]:
    counts: dict[str, int] = {}
    names = {j.spec.name for j in planned}
    for y in sorted({j.year for j in planned}):
        with open(out_dir / str(y) / "findings.json", encoding="utf-8") as f:
            for finding in json.load(f):
                if finding["notebook"] in names:
                    counts[finding["status"]] = counts.get(finding["status"], 0) + 1
    executed = sorted((j for j in planned if not j.reused), key=lambda j: -j.seconds)
    return {
        "notebooks": len(planned),
        "executed": len(executed),
        "reused": len(planned) - len(executed),
        "seconds": round(seconds, 1),
        "slowest": [(j.spec.name, round(j.seconds, 1)) for j in executed[:3]],
        "status_counts": counts,
        "out": str(out_dir),
    }


def check(directory: Path | str) -> tuple[str, bool]:
    """Published vs reproduced for every findings.json under ``directory``; (text, any differs)."""
    from . import findings as findings_mod

    directory = Path(directory)
    files = sorted(directory.glob("findings.json")) or sorted(directory.glob("*/findings.json"))
    if not files:
        raise FileNotFoundError(f"no findings.json in {directory} or its year folders: run `compendium run` first")
    lines, differs = [], False
    for f in files:
        table = findings_mod.read_findings(f)
        lines.append(f"== {f.parent.name}: {len(table)} findings")
        for row in table.itertuples():
            mark = {"match": "ok  ", "differs": "DIFF", "not-published": "n/p ", "not-reproducible": "n/r "}[row.status]
            lines.append(
                f"{mark} {row.id}[{row.key}] {row.year}: reproduced {_fmt(row.value)} | published {_fmt(row.published)}"
            )
            differs |= row.status == "differs"
    return "\n".join(lines), differs


def _fmt(value: Any) -> str:
    if isinstance(value, list):
        return " > ".join(map(str, value))
    return "-" if value is None or (isinstance(value, float) and value != value) else str(value)
