"""A notebook run top to bottom the way JupyterLab runs it (jupytext opens the percent file; a plain kernel in
notebooks/, no runner, no injected parameters) records the same findings as the runner."""

from __future__ import annotations

import json
import os

import jupytext
import pytest
from nbclient import NotebookClient

from analysis import paths

pytestmark = pytest.mark.usefixtures("raw_data_present")


@pytest.mark.parametrize("name", ["01_la_vs_national_p8", "02_la_comparisons"])
def test_a_notebook_run_by_hand_gives_the_runners_findings(name, full_run, tmp_path, monkeypatch):
    processed = tmp_path / "processed"
    processed.mkdir()
    (processed / "cache").symlink_to(paths.PROCESSED / "cache")  # the tidy tables already built; findings kept apart
    monkeypatch.setenv("COMPENDIUM_PROCESSED_DIR", str(processed))
    for variable in (paths.RUN_DIR_ENV, paths.REPORT_SET_ENV):
        monkeypatch.delenv(variable, raising=False)
    nb = jupytext.read(paths.NOTEBOOKS / f"{name}.py")
    NotebookClient(nb, kernel_name="python3", timeout=300,
                   resources={"metadata": {"path": str(paths.NOTEBOOKS)}}).execute(env=dict(os.environ))
    by_hand = json.loads((processed / "interactive" / "2017" / "findings" / f"{name}.json").read_text())
    by_runner = json.loads((full_run / "2017" / "findings" / f"{name}.json").read_text())
    assert by_hand == by_runner and len(by_hand) > 3
