"""Parquet cache of tidy tables in data/processed, keyed by the raw file's checksum and the loader version.

A slow format (Excel, R data, the 640k-row LAIT file) is parsed once; later reads take milliseconds. The key
includes the raw file's sha256, so a changed input can never be served a stale table.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .. import paths, sources


def _file_key(path: Path) -> str:
    # sha256 of a few MB costs milliseconds; cheaper than trusting mtimes across clones.
    return sources.sha256_of(path)[:16]


def cached(path: Path, loader_version: str, build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """Return ``build()``, cached as parquet under data/processed/cache (atomic write)."""
    if os.environ.get("COMPENDIUM_NO_CACHE"):
        return build()
    cache_dir = paths.processed_dir() / "cache"
    target = cache_dir / f"{loader_version}-{Path(path).stem}-{_file_key(Path(path))}.parquet"
    if target.exists():
        return pd.read_parquet(target)
    table = build()
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".part")
    os.close(fd)
    try:
        table.to_parquet(tmp, index=False)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return table
