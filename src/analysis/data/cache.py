"""Parquet cache of tidy tables in data/processed, keyed by everything the table is built from.

Each registered raw table is parsed and screened once: a slow format (Excel, R data, the 640k-row LAIT file, a
national KS4 file) would take seconds every time, and even a small CSV a tenth of a second in every notebook and
test that reads it; later reads take milliseconds. The key hashes the raw file, any other file the build reads
(``depends_on``: column maps, status codes, a dictionary) and the loader code itself, so an edited input or loader
is never served a stale table.

Notebooks run in parallel: a lock per table makes the second notebook that needs a table wait for the first to
build it instead of parsing the same workbook twice.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .. import paths
from ..common import atomic_write
from . import screening

#: Set (to anything) to bypass the cache, e.g. for a benchmark baseline.
NO_CACHE_ENV = "COMPENDIUM_NO_CACHE"


def _digest(path: Path) -> str:
    # One memo per process, shared with the screening: keyed by (path, size, mtime), so an edited file is hashed
    # again and an unchanged one once. Read with Python's open: on a cache hit this is how the dependency recorder
    # (.dependencies, an audit hook) still sees the reference files (column maps, codes) the table depends on.
    return screening.file_sha256(path)


@lru_cache(maxsize=1)
def loader_code_digest() -> str:
    """sha256 of the loader package's source: a change to any reader invalidates every cached table."""
    digest = hashlib.sha256()
    for file in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def cache_key(path: Path | str, name: str, depends_on: Iterable[Path | str] = ()) -> str:
    """The cache key of table ``name`` built from ``path`` (and ``depends_on``); 16 hex digits."""
    digest = hashlib.sha256(name.encode())
    for file in (Path(path), *sorted(Path(p) for p in depends_on)):
        digest.update(_digest(file).encode())
    digest.update(loader_code_digest().encode())
    return digest.hexdigest()[:16]


def cached(
    path: Path | str,
    name: str,
    build: Callable[[], pd.DataFrame],
    *,
    depends_on: Iterable[Path | str] = (),
) -> pd.DataFrame:
    """Return ``build()``, cached as parquet under data/processed/cache (atomic write, one builder at a time).

    >>> import tempfile, os
    >>> raw = Path(tempfile.mkdtemp()) / "t.csv"; _ = raw.write_text("a\\n1\\n")
    >>> calls = []
    >>> def build():
    ...     calls.append(1)
    ...     return pd.DataFrame({"a": [1]})
    >>> os.environ["COMPENDIUM_PROCESSED_DIR"] = str(raw.parent)
    >>> first, second = cached(raw, "demo", build), cached(raw, "demo", build)
    >>> len(calls), second.equals(first)
    (1, True)
    >>> del os.environ["COMPENDIUM_PROCESSED_DIR"]
    """
    from filelock import FileLock

    if os.environ.get(NO_CACHE_ENV):
        return build()
    path = Path(path)
    depends_on = tuple(depends_on)
    cache_dir = paths.processed_dir() / "cache"
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / f"{name}-{path.stem}-{cache_key(path, name, depends_on)}.parquet"
    if target.exists():
        return pd.read_parquet(target)
    with FileLock(str(target) + ".lock"):
        if target.exists():  # built by another process while this one waited
            return pd.read_parquet(target)
        table = build()
        atomic_write(target, lambda tmp: table.to_parquet(tmp, index=False))
    return table
