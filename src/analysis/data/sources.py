"""The source registry (``data/sources.yml``) and checksum-verified fetching.

Every raw file has one registry entry: official URL, sha256, licence, publisher, year and the path it has in
a mirror directory. :func:`fetch` downloads with pooch (or copies from a mirror) into ``data/raw/`` and
refuses any file whose size or checksum differs, so no analysis ever reads an unverified file; every reader
checks its file again when it opens it (:mod:`analysis.data.screening`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


from .. import paths
from ..common import atomic_write, load_yaml
from ..errors import SourceError
from . import dependencies


@dataclass(frozen=True)
class Source:
    id: str
    role: str
    year: int | None
    publisher: str
    licence: str
    description: str
    url: str
    sha256: str
    format: str
    mirror_path: str
    la: str | None = None
    bytes: int | None = None
    via: str | None = None

    @property
    def filename(self) -> str:
        return f"{self.id}.{self.format}"

    @property
    def local_path(self) -> Path:
        return paths.raw_dir() / self.filename


REQUIRED_FIELDS = ("id", "role", "publisher", "licence", "url", "sha256", "format", "mirror_path")


def load_registry(path: Path | str = paths.SOURCES_FILE) -> dict[str, Source]:
    """Read the registry, checking every entry has what provenance needs.

    >>> registry = load_registry()
    >>> registry["lait_long"].licence
    'OGL-UK-3.0'
    """
    path = Path(path)
    with open(path, encoding="utf-8") as f:
        entries = (load_yaml(f) or {}).get("sources", [])
    registry: dict[str, Source] = {}
    for i, entry in enumerate(entries):
        missing = [k for k in REQUIRED_FIELDS if not entry.get(k)]
        if missing:
            raise SourceError(f"{path}: entry {i} ({entry.get('id', '?')}) lacks {', '.join(missing)}")
        if entry["id"] in registry:
            raise SourceError(f"{path}: duplicate source id {entry['id']!r}")
        sha = str(entry["sha256"]).lower()
        if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise SourceError(f"{path}: {entry['id']}: sha256 must be 64 hex digits, got {entry['sha256']!r}")
        la = entry.get("la")
        year = entry.get("year")
        registry[entry["id"]] = Source(
            id=entry["id"],
            role=entry["role"],
            year=int(year) if year is not None else None,
            publisher=entry["publisher"],
            licence=entry["licence"],
            description=str(entry.get("description", "")).strip(),
            url=entry["url"],
            sha256=sha,
            format=entry["format"],
            mirror_path=entry["mirror_path"],
            la=str(la) if la is not None else None,
            bytes=entry.get("bytes"),
            via=entry.get("via"),
        )
    return registry


@lru_cache(maxsize=1)
def registry() -> dict[str, Source]:
    """The project's registry, read once per process."""
    return load_registry()


def find(role: str, year: int | None = None, la: str | None = None) -> list[Source]:
    """Registry entries of a role, optionally for one year and LA, newest year first."""
    dependencies.record_role(role)
    hits = [
        s
        for s in registry().values()
        if s.role == role and (year is None or s.year == year) and (la is None or s.la == str(la))
    ]
    return sorted(hits, key=lambda s: (-(s.year or 0), s.la or "", s.id))


def years_for(role: str) -> list[int]:
    """The years the registry holds files of ``role`` for."""
    dependencies.record_role(role)
    return sorted({s.year for s in registry().values() if s.role == role and s.year is not None})


def one(role: str, year: int | None = None, la: str | None = None) -> Source:
    """The single registry entry for ``role`` (and year / LA), or a clear error listing what exists."""
    hits = find(role, year, la)
    if len(hits) == 1:
        return hits[0]
    held = ", ".join(f"{s.id} (year {s.year}, LA {s.la or 'all'})" for s in find(role)) or "none"
    want = f"role {role!r}" + (f", year {year}" if year is not None else "") + (f", LA {la}" if la else "")
    if not hits:
        raise SourceError(
            f"No source registered for {want}. The registry (data/sources.yml) holds: {held}. "
            "Add the file's entry (url, sha256) to data/sources.yml and run `compendium fetch`."
        )
    raise SourceError(f"More than one source for {want}: {held}; pass a year or LA")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_at(file: Path | str) -> Source | None:
    """The registry entry whose fetched copy is ``file`` (None for any other file, e.g. a user's)."""
    where = os.path.abspath(file)
    return next((s for s in registry().values() if os.path.abspath(s.local_path) == where), None)


def path(source_id: str) -> Path:
    """Local path of a fetched source; a clear error if it has not been fetched."""
    try:
        source = registry()[source_id]
    except KeyError:
        raise SourceError(f"Unknown source id {source_id!r}; known: {', '.join(sorted(registry()))}") from None
    local = source.local_path
    if not local.exists():
        raise SourceError(f"{local} is missing: run `compendium fetch` (or `make data`) to download {source_id}")
    dependencies.record_source(source.id, source.role)
    return local


def _verify(file: Path, source: Source, origin: str) -> None:
    size = file.stat().st_size
    if source.bytes is not None and size != int(source.bytes):
        raise SourceError(
            f"Size mismatch for {source.id} ({origin}): expected {int(source.bytes):,} bytes, got {size:,}. "
            "The file was not used. Either the download is incomplete or the registry entry is wrong."
        )
    actual = sha256_of(file)
    if actual != source.sha256:
        raise SourceError(
            f"Checksum mismatch for {source.id} ({origin}): expected sha256 {source.sha256}, got {actual}. "
            "The file was not used. Either the download is corrupt or the registry entry is wrong."
        )


def fetch_one(source: Source, mirror: Path | str | None = None) -> Path:
    """Fetch one file (from ``mirror`` if given), verifying its sha256; reuse a verified local copy.

    The file is written under a temporary name and moved into place only once verified: no half-written or
    unverified file ever has the name a loader reads.
    """
    local = source.local_path
    if local.exists() and sha256_of(local) == source.sha256:
        return local

    def write(tmp: Path) -> None:
        if mirror is not None:
            origin = Path(mirror) / source.mirror_path
            if not origin.exists():
                raise SourceError(f"Mirror {mirror} has no {source.mirror_path} (needed for {source.id})")
            shutil.copyfile(origin, tmp)
            _verify(tmp, source, str(origin))
            return
        import pooch

        try:
            pooch.retrieve(source.url, known_hash=None, fname=tmp.name, path=tmp.parent, progressbar=False)
        except Exception as exc:  # network errors: name the file and the way out
            raise SourceError(
                f"Could not download {source.id} from {source.url}: {exc}. "
                f"Offline? Point --mirror or ${paths.MIRROR_ENV} at a directory laid out like the data mirror."
            ) from exc
        # Checked here rather than by pooch, so a mismatch gets our message.
        _verify(tmp, source, source.url)

    return atomic_write(local, write)


def fetch(ids: list[str] | None = None, mirror: Path | str | None = None, progress: bool = True) -> list[Path]:
    """Fetch every registered file (or ``ids``), verifying checksums. Mirror defaults to $COMPENDIUM_DATA_MIRROR."""
    mirror = mirror or os.environ.get(paths.MIRROR_ENV) or None
    chosen = [registry()[i] for i in ids] if ids else list(registry().values())
    from tqdm.auto import tqdm

    fetched = []
    for source in tqdm(chosen, desc="fetch", unit="file", disable=not progress):
        fetched.append(fetch_one(source, mirror))
    return fetched
