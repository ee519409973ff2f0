"""Shared fixtures. Tests are in tiers: unit/ (hand-made frames), data/ (real fetched files), notebooks/
(the runner executes every notebook), browser/ (the generated site in headless Chromium)."""

from __future__ import annotations

import pytest

from analysis import paths
from analysis.data import sources


def pytest_xdist_make_scheduler(config, log):
    """``-n 2 --dist loadgroup``: the notebook and browser tiers on one worker (they share the session's one
    reproduce run), every other test wherever a worker is free.

    xdist 3.8's loadgroup reads the ``xdist_group`` marker by appending it to ``item._nodeid``, which pytest 9
    no longer uses (nodes keep their id in ``_id``): the marker is silently ignored and both workers ran the
    whole reproduce. So the grouping is done here, from the test's path, with xdist's own scope scheduler.
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class TierScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "notebooks" if nodeid.startswith(("tests/notebooks/", "tests/browser/")) else nodeid

    return TierScheduling(config, log)


def pytest_collection_finish(session):
    """What collection imported (pandas, matplotlib, the library, every test module: most of a worker's objects,
    kept to the end) moves to the collector's permanent generation, so the thousands of collections the tests
    trigger no longer walk it each time: about 1 s less collecting per worker (2.0 and 1.4 s against 1.3 and
    1.0 s on the unit, data and bad-input tiers)."""
    import gc

    gc.freeze()


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
