"""What a notebook read while it ran, so the runner reruns exactly the notebooks whose inputs changed.

A declared list of inputs goes stale silently (a module starts importing another; a notebook reads one more
table); a stale list means a cached report built from old inputs. So, like the dependency files a C
compiler writes for make, the inputs are recorded while the notebook runs:

* **registry roles** it looked up (``sources.find``, ``sources.years_for``, ``sources.path``): their
  registry entries, checksums included, are its data inputs; adding next year's file to a role reruns
  exactly the notebooks that look that role up;
* **files it opened** under ``data/reference/`` (an audit hook on ``open``), and files it was pointed at
  explicitly (a user's pupil file: :func:`record_file`);
* **library modules** it imported (every ``analysis`` module in ``sys.modules`` when the notebook saves
  its findings).

``FindingsLog.save()`` writes the record beside the findings; the runner keeps it in the manifest and, on
the next run, hashes the current content of exactly those inputs.

Not seen by the audit hook: files read by native code (pyarrow, calamine, librdata). Raw files are covered
by their registry entries and ``data/processed`` holds only tables derived from them, so the only rule is
that reference tables stay CSV/YAML read from Python (they are).

>>> record_role("lait"); "lait" in snapshot()["roles"]
True
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from .. import paths

_REFERENCE_PREFIX = str(paths.REFERENCE) + os.sep
_roles: set[str] = set()
_source_ids: set[str] = set()
_files: set[str] = set()
_hook_installed = False


def record_role(role: str) -> None:
    """The notebook looked up registry role ``role``."""
    _roles.add(str(role))


def record_source(source_id: str, role: str) -> None:
    """The notebook opened the fetched file of registry entry ``source_id`` (listed in the manifest)."""
    _source_ids.add(str(source_id))
    record_role(role)


def record_file(path: Path | str) -> None:
    """The notebook read ``path``, a file that is neither a registry source nor a reference table (a user's file)."""
    _files.add(_project_relative(Path(path)))


def _project_relative(path: Path) -> str:
    path = Path(os.path.abspath(path))
    try:
        return path.relative_to(paths.PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)  # outside the project: kept absolute


def _on_open(event: str, args: tuple) -> None:
    # Audit hooks run on every audited event in the process: keep the common case to one comparison.
    if event != "open":
        return
    target, mode = args[0], args[1]
    if not isinstance(target, (str, os.PathLike)) or (mode is not None and any(c in str(mode) for c in "wax+")):
        return
    full = os.path.abspath(os.fspath(target))
    if full.startswith(_REFERENCE_PREFIX):
        _files.add(_project_relative(Path(full)))



def start() -> None:
    """Begin recording reference files opened in this process (idempotent; the hook cannot be removed)."""
    global _hook_installed
    if not _hook_installed:
        sys.addaudithook(_on_open)
        _hook_installed = True


def library_modules() -> list[str]:
    """Source files (project-relative) of every ``analysis`` module imported in this process."""
    files = set()
    for name, module in list(sys.modules.items()):
        if (name == "analysis" or name.startswith("analysis.")) and getattr(module, "__file__", None):
            files.add(_project_relative(Path(module.__file__)))
    return sorted(files)


def snapshot() -> dict[str, Any]:
    """Everything recorded so far: roles, source ids, files and library modules (each sorted)."""
    return {
        "roles": sorted(_roles),
        "sources": sorted(_source_ids),
        "files": sorted(_files),
        "modules": library_modules(),
    }
