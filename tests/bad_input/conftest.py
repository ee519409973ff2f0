"""The bad-input tier: damaged copies of the real mirror files, read through a registry pointed at them.

``raw_copy`` builds a raw folder in tmp_path holding a link to every real fetched file and a registry that is the
project's own; ``raw_copy.damage(source_id, data)`` replaces one file by ``data`` and (unless ``register=False``)
registers its sha256 and size, as a user adding a bad file to ``data/sources.yml`` would: then only the
screening, not the checksum, stands between the file and the analysis.
"""

from __future__ import annotations

import dataclasses
import hashlib

import pytest

from analysis.data import screening, sources


@pytest.fixture(autouse=True)
def _no_cache_and_marks(request, monkeypatch, tmp_path):
    monkeypatch.setenv("COMPENDIUM_NO_CACHE", "1")
    monkeypatch.setenv("COMPENDIUM_PROCESSED_DIR", str(tmp_path / "processed"))
    monkeypatch.delenv(screening.SKIP_CHECKSUM_ENV, raising=False)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/tests/bad_input/" in str(item.fspath):
            item.add_marker(pytest.mark.bad_input)
            item.add_marker(pytest.mark.data)  # copies of the fetched files: not part of `make test-fast`


class RawCopy:
    def __init__(self, tmp_path, monkeypatch):
        self.real = dict(sources.registry())
        self.paths = {s.id: s.local_path for s in self.real.values()}  # before COMPENDIUM_RAW_DIR moves
        self.dir = tmp_path / "raw"
        self.dir.mkdir()
        for source in self.real.values():
            (self.dir / source.filename).symlink_to(self.paths[source.id])
        self.registry = dict(self.real)
        monkeypatch.setenv("COMPENDIUM_RAW_DIR", str(self.dir))
        monkeypatch.setattr(sources, "registry", lambda: self.registry)

    def bytes_of(self, source_id: str) -> bytes:
        return self.paths[source_id].read_bytes()

    def damage(self, source_id: str, data: bytes, *, register: bool = True):
        target = self.dir / self.real[source_id].filename
        target.unlink()
        target.write_bytes(data)
        if register:
            self.registry[source_id] = dataclasses.replace(
                self.real[source_id], sha256=hashlib.sha256(data).hexdigest(), bytes=len(data))
        return target


@pytest.fixture
def raw_copy(tmp_path, monkeypatch, raw_data_present):
    # the real local paths are read before COMPENDIUM_RAW_DIR points elsewhere
    return RawCopy(tmp_path, monkeypatch)
