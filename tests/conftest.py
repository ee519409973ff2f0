"""Shared fixtures. Tests are in tiers: unit/ (hand-made frames), data/ (real fetched files), notebooks/
(the runner executes every notebook), browser/ (the generated site in headless Chromium)."""

from __future__ import annotations

import pytest

from analysis import paths
from analysis.data import sources


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = str(item.fspath)
        if "/tests/data/" in path:
            item.add_marker(pytest.mark.data)
        if "/tests/notebooks/" in path:
            item.add_marker(pytest.mark.notebooks)
            item.add_marker(pytest.mark.xdist_group("notebooks"))
        if "/tests/browser/" in path:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("notebooks"))


@pytest.fixture(scope="session")
def raw_data_present() -> None:
    missing = [s.id for s in sources.registry().values() if not s.local_path.exists()]
    if missing:
        pytest.fail(f"raw files missing from {paths.raw_dir()}: {missing}; run `make data` (or compendium fetch)")


@pytest.fixture(scope="session")
def full_run(tmp_path_factory, raw_data_present):
    """`compendium run` of every notebook at its default year, as `make reproduce` does (shared by the
    notebook and browser tiers, which xdist keeps on one worker)."""
    from analysis.pipeline import runner

    out = tmp_path_factory.mktemp("reports")
    runner.run(out=out, jobs=2, progress=False, log=lambda m: None)
    return out
