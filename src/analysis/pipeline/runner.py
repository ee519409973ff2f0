"""Run the notebooks with papermill into ``reports/<year>/``: executed notebooks, HTML, findings, manifest.

The runner

1. plans the run (:mod:`.plan`), longest notebook first (by the last run's timings): ``--year``, ``--la`` and
   every ``-p`` parameter are checked against what the data and the notebooks accept *before* that notebook
   starts, and what concerns every notebook (an unknown notebook, LA or parameter) before any starts;
2. reuses a notebook whose inputs are unchanged since the last run (:mod:`.cache`); when nothing changed nothing
   is rewritten;
3. builds everything else in a temporary directory beside the output, starting each notebook as soon as it is
   planned (:mod:`.pool`: ``jobs`` at a time, default: cores, in fresh ``python3`` kernels) while the rest are
   checked, each exported to HTML as soon as it finishes; a refusal part-way stops the notebooks started;
4. only when every notebook succeeded, swaps the new ``<year>/`` directories in; a failure names the notebook
   and cell, exits non-zero and leaves the previous reports untouched.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import paths
from ..errors import RunError
from . import cache
from .manifest import finish_set
from ..data.cache import NO_CACHE_ENV
from .plan import coverage_calls, iter_plan
from .pool import NotebookPool
from .specs import Job, NotebookSpec, _notebook_libraries, load_specs, read_notebook


def _execute(job: Job, build_root: Path, progress: bool) -> Job:
    """Run one notebook with papermill and record what it read; its HTML export follows (:func:`_export_built`)."""
    _notebook_libraries()
    import papermill as pm
    from traitlets.config import Config

    from .kernels import JobKernelManager

    build_year_dir = build_root / job.report_set
    nb = read_notebook(job.spec)
    executed = build_year_dir / "notebooks" / f"{job.spec.name}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    # Local sockets, not TCP: nothing listens on the network, and kernels print no plain-text warning. Each
    # kernel gets its own short socket directory (parallel kernels would otherwise pick the same names, and
    # a socket path must stay under ~100 characters whatever the project's path). The kernel's environment
    # names the run and the report set its findings go to; its stderr (ipykernel's own log) goes to a file.
    sockets = tempfile.mkdtemp(prefix="compendium-kernel-")
    kernel_log = build_root / f".{job.report_set}-{job.spec.name}.kernel.log"
    config = Config({
        "NotebookClient": {"kernel_manager_class": JobKernelManager},
        "JobKernelManager": {"transport": "ipc", "ip": os.path.join(sockets, "kernel"), "stderr_path": str(kernel_log),
                             "extra_env": {paths.RUN_DIR_ENV: str(build_root), paths.REPORT_SET_ENV: job.report_set}},
    })
    try:
        pm.execute_notebook(nb, str(executed), parameters=job.parameters, kernel_name="python3",
                            progress_bar=progress, cwd=str(paths.PROJECT_ROOT), report_mode=False, config=config,
                            request_save_on_cell_execute=False)  # written once at the end: not twice per cell
    except pm.PapermillExecutionError as exc:
        raise RunError(
            f"{job.spec.name} ({job.report_set}) failed in cell {exc.cell_index} "
            f"(execution count {exc.exec_count}): {exc.ename}: {exc.evalue}"
        ) from None
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    job.seconds = time.perf_counter() - started
    job.cell_seconds = _normalise_executed(executed)
    recorded = build_year_dir / "dependencies" / f"{job.spec.name}.json"
    if not recorded.exists():
        raise RunError(f"{job.spec.name} ran but recorded no findings (it must end with log.save())")
    job.dependencies = json.loads(recorded.read_text(encoding="utf-8"))
    recorded.unlink()
    job.cache_key = cache.cache_key(job, job.dependencies)
    return job  # exported by the pool's export thread (:func:`_export_built`) while the next notebook starts


def _export_built(job: Job, build_root: Path) -> None:
    _export(job, build_root / job.report_set)


#: What papermill and nbclient write into an executed notebook that differs between two runs of the same
#: inputs: the build folder's paths, wall-clock times and durations. Durations move to the manifest.
_RUN_SPECIFIC = ("input_path", "output_path", "start_time", "end_time", "duration")


def _normalise_executed(path: Path) -> list[float]:
    """Make the executed notebook the same bytes every run: no run-specific papermill or nbclient metadata, and
    cell ids by position (jupytext and papermill give new cells random ids). Returns each cell's duration (s),
    which the manifest keeps as a timing field."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    seconds = [round(float(c.metadata.get("papermill", {}).get("duration") or 0.0), 3) for c in nb.cells]
    for meta in [nb.metadata.get("papermill", {}), *(c.metadata.get("papermill", {}) for c in nb.cells)]:
        for key in _RUN_SPECIFIC:
            meta.pop(key, None)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:03d}"
        cell.metadata.pop("execution", None)  # nbclient's iopub/shell timestamps
    nbformat.write(nb, path)
    return seconds


def _export(job: Job, build_year_dir: Path) -> None:
    """policy/ and review/ HTML and figures of the executed notebook in ``build_year_dir``."""
    _notebook_libraries()
    from . import export

    executed = build_year_dir / "notebooks" / f"{job.spec.name}.ipynb"
    html = export.export_notebook_html(executed, job.spec.title)
    job.export_key = cache.export_key(job.spec)
    tables = sorted(p.relative_to(build_year_dir).as_posix()
                    for p in (build_year_dir / "tables" / job.spec.name).glob("*.csv"))
    job.outputs = [f"notebooks/{job.spec.name}.ipynb", f"findings/{job.spec.name}.json", *tables, *html]


def _copy_outputs(job: Job, previous_year_dir: Path, build_year_dir: Path) -> None:
    keep = job.outputs
    if job.reexport:  # HTML and figures are made again from the executed notebook
        keep = [f for f in job.outputs if not f.startswith(("policy/", "review/", "figures/"))]
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
    from . import forkserver

    out_dir = Path(out) if out else paths.REPORTS
    started = time.perf_counter()
    # The warm kernels' imports start now, on the other core, while the run is planned and screened. The server
    # outlives the run (a later run in the same process reuses it) and stops when this process exits.
    server = forkserver.start()
    specs = specs or load_specs()
    notes: list[str] = []
    # Longest notebook first (by the last run's timings), and each started as soon as it is planned: checking a
    # notebook's coverage can parse a whole dataset (LAIT, the school spine), and a notebook that needs neither
    # need not wait for them.
    expected = {s.name: cache.expected_seconds(s, out_dir) for s in specs}
    chosen = [s for s in specs if not only or s.name in only]
    if server is not None and not os.environ.get(NO_CACHE_ENV):
        # the other core makes the last notebooks' checks while this one makes the first ones'
        server.prepare(coverage_calls(sorted(chosen, key=lambda spec: expected[spec.name]), year=year, la=la))
    planning = iter_plan(year=year, la=la, only=only, params=params, specs=specs, notes=notes,
                         first=lambda spec: -expected[spec.name])
    first = next(planning)  # every check across notebooks, and the first one's: a refusal writes nothing
    read = screen_raw_files()  # every raw file is the one registered, checked before any notebook starts
    single = len(chosen) == 1 and not chosen[0].also_run
    created = not out_dir.exists()
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        with _output_lock(out_dir, log):
            return _run_locked(itertools.chain([first], planning), notes, read, out_dir, specs, started,
                               server=server, jobs=jobs, use_cache=use_cache, progress=progress, single=single,
                               expected=expected, log=log)
    except BaseException:
        if created and not [p for p in out_dir.iterdir() if p.name != ".compendium.lock"]:
            shutil.rmtree(out_dir, ignore_errors=True)  # a run refused part-way leaves no empty folder behind
        raise


def screen_raw_files() -> dict[str, str]:
    """Size and sha256 of every registered raw file against the registry (memoised per file): source id ->
    the sha256 actually read. A missing or changed file stops the run here, naming it."""
    from ..data import screening, sources

    return {s.id: screening.screen_registered(s) for s in sources.registry().values()}


@contextlib.contextmanager
def _output_lock(out_dir: Path, log):
    """One run at a time writes an output folder: a second one waits (and says so) until the first is done."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(out_dir / ".compendium.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        log(f"another run is writing {out_dir}: waiting for it to finish")
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def _run_locked(planning: Iterator[Job], notes: list[str], read: dict[str, str], out_dir: Path,
                specs: list[NotebookSpec], started: float, *, server, jobs, use_cache, progress, single, expected,
                log) -> dict[str, Any]:
    planned: list[Job] = []
    pool = NotebookPool(out_dir, _execute, jobs=jobs, progress=progress, show_cells=progress and single,
                        export=_export_built)
    try:
        for job in planning:  # each job as it is planned (the rest are still being checked)
            job.raw_sha256 = read
            if use_cache:
                cache.reusable(job, out_dir / job.report_set)
            job.expected_seconds = expected.get(job.spec.name, float("inf"))
            planned.append(job)
            if not job.reused:
                if server is not None:
                    server.warm(list(job.spec.warm_imports))
                pool.submit(job)
        for note in notes:
            log(f"note: {note}")
        listed = {s.name: i for i, s in enumerate(specs)}
        in_order = sorted(planned, key=lambda j: listed.get(j.spec.name, len(listed)))  # as listed, not as started
        reused = [j.spec.name for j in in_order if j.reused]
        if reused:
            log(f"unchanged since the last run, reused: {', '.join(reused)}")
        reexport = [j for j in in_order if j.reused and j.reexport]
        if reexport:
            log(f"report layout changed, exported again: {', '.join(j.spec.name for j in reexport)}")
        sets = sorted({j.report_set for j in planned})
        if not pool.submitted and not reexport and (out_dir / "index.html").exists():
            # Nothing changed: the reports on disk are the reports these inputs give. Rewrite nothing.
            pool.close()
            return summarise(out_dir, planned, time.perf_counter() - started) | {"sets": sets}
        build_root = pool.build_root()
        for job in planned:
            if job.reused:
                _copy_outputs(job, out_dir / job.report_set, build_root / job.report_set)
                if job.reexport:
                    _export(job, build_root / job.report_set)
        pool.wait()
        for name in sets:
            finish_set(build_root / name, [j for j in planned if j.report_set == name], out_dir / name, specs)
        _swap_in(build_root, out_dir, sets)
        from . import site

        site.write_site_index(out_dir)
    except BaseException:
        pool.abort()  # an interrupted or failed run leaves no kernel and no build folder behind
        raise
    pool.close()
    return summarise(out_dir, planned, time.perf_counter() - started) | {"sets": sets}


def _swap_in(build_root: Path, out_dir: Path, sets: list[str]) -> None:
    """Put each new report set in place of the old one atomically: a reader sees the old folder or the new one,
    never neither (Linux renameat2 RENAME_EXCHANGE; elsewhere two renames, the old copy removed after)."""
    for name in sets:
        new, target = build_root / name, out_dir / name
        if target.exists() and _exchange(new, target):
            shutil.rmtree(new, ignore_errors=True)  # after the exchange, the build path holds the old set
            continue
        old = build_root / f".old-{name}"
        if target.exists():
            os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step where the system can (Linux 3.15+, glibc 2.28+); False otherwise."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def summarise(out_dir: Path, planned: list[Job], seconds: float) -> dict[str, Any]:
    from ..findings import status_counts

    names = {j.spec.name for j in planned}
    found = []
    for name in sorted({j.report_set for j in planned}):
        with open(out_dir / name / "findings.json", encoding="utf-8") as f:
            found += [finding for finding in json.load(f) if finding["notebook"] in names]
    counts = status_counts(found)
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
