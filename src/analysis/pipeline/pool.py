"""The notebooks of a run being executed in parallel threads, each driving its own kernel.

The runner submits each notebook as soon as it is planned (longest first), so the first kernels work while the
rest of the run is still being checked. A finished notebook's HTML export is handed to one export thread, so the
next notebook's kernel starts at once and computes while the export runs: the exports are this process's work,
the kernels are other processes, and on two cores a notebook thread that exported before starting the next kernel
left a core idle at every change of notebook.
"""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .specs import Job


#: the build folders of runs stopped in this process (:meth:`NotebookPool.abort`)
_stopped_roots: set[Path] = set()


def remove_stopped_build_folders() -> None:
    """Remove again the build folder of every run stopped in this process. A notebook thread that was past its
    start when its run stopped (reading the notebook, say) goes on to write into the folder the stop removed; the
    command exits at once without waiting for such threads (``os._exit``), so it calls this just before."""
    for root in sorted(_stopped_roots):
        shutil.rmtree(root, ignore_errors=True)
    _stopped_roots.clear()


class NotebookPool:
    """The notebooks being executed (``execute(job, build folder, show cells)``), ``jobs`` at a time (default:
    cores), in the order submitted; the build folder beside the output is made when the first one starts. The
    first failure stops the run (:meth:`wait`)."""

    def __init__(self, out_dir: Path, execute: Callable[[Job, Path, bool], Job], *, jobs: int | None,
                 progress: bool, show_cells: bool, export: Callable[[Job, Path], None] | None = None) -> None:
        # Imported before any thread starts: a Ctrl-C that lands while a notebook thread is importing
        # jupyter_client would otherwise make this import, done in the handler, fail on the half-imported module.
        from .kernels import kill_all, set_owner

        self._kill_all = kill_all
        self._set_owner = set_owner
        self._execute = execute
        self._export = export
        self._exporter: concurrent.futures.ThreadPoolExecutor | None = None
        self._exports: list[concurrent.futures.Future] = []
        self._out_dir = out_dir
        self._root: Path | None = None
        self._workers = max(1, jobs or os.cpu_count() or 1)
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._futures: list[concurrent.futures.Future] = []
        self._show_cells = show_cells
        self._stopping = threading.Event()
        self._token = object()  # this run's kernels (kernels.set_owner), not another run's in the same process
        self._progress = progress
        self._bar = None  # made with the first notebook: a run that starts none prints no bar

    @property
    def submitted(self) -> int:
        return len(self._futures)

    def build_root(self) -> Path:
        if self._root is None:
            self._root = Path(tempfile.mkdtemp(prefix=".build-", dir=self._out_dir))
        return self._root

    def submit(self, job: Job) -> None:
        if self._executor is None:
            self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=self._workers)
            self._exporter = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="export")
        if self._bar is None:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=0, desc="notebooks", unit="nb", disable=not self._progress or self._show_cells)
        self._futures.append(self._executor.submit(self._run, job, self.build_root()))
        self._bar.total = len(self._futures)
        self._bar.refresh()

    def _run(self, job: Job, root: Path) -> Job:
        if self._stopping.is_set():  # the run was stopped before this notebook's thread began
            raise concurrent.futures.CancelledError
        self._set_owner(self._token)
        try:
            done = self._execute(job, root, self._show_cells)
            if self._export is not None and not self._stopping.is_set():
                # submitted before this notebook's future completes: once every notebook is done, so is the list
                self._exports.append(self._exporter.submit(self._export, done, root))
            return done
        finally:
            if self._stopping.is_set():  # a thread still writing when the run stopped cleans up after itself
                shutil.rmtree(root, ignore_errors=True)

    def _kill_until_done(self) -> None:
        """A notebook thread may have been starting its kernel when the run stopped: kill kernels until every
        thread has finished."""
        while any(f.running() for f in self._futures):
            self._kill_all(self._token)  # not another run's, in the same process
            time.sleep(0.1)

    def wait(self) -> None:
        """Until every notebook is done and exported; re-raises the first failure: a notebook's (a RunError naming
        notebook and cell) as soon as it happens, an export's when the next notebook finishes, or at the end."""
        for fut in concurrent.futures.as_completed(self._futures):
            done = fut.result()
            for export in [e for e in self._exports if e.done()]:
                export.result()
            if self._bar is not None:
                self._bar.set_postfix_str(f"{done.spec.name} {done.seconds:.0f} s")
                self._bar.update(1)
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        for export in concurrent.futures.as_completed(self._exports):
            export.result()
        if self._exporter is not None:
            self._exporter.shutdown(wait=True)

    def abort(self) -> None:
        """Stop now: kill the kernels and do not wait for the notebook threads (the client of a killed kernel
        takes seconds to notice, and each thread removes the build folder again as it ends); remove the build
        folder."""
        self._stopping.set()
        if self._root is not None:
            _stopped_roots.add(self._root)
        for executor in (self._executor, self._exporter):
            if executor is not None:
                executor.shutdown(wait=False, cancel_futures=True)
        self._kill_all(self._token)
        threading.Thread(target=self._kill_until_done, daemon=True).start()
        self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
