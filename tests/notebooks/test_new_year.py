"""A new year is data, not code: a later year's full-schema KS4 file added with `compendium add-source` makes
notebook 03 run for that year with no other change, and gives the schools an independent computation from the
raw file gives.

The test works on a copy of the project (its registry and column maps are written to), with the real raw files
linked in, and runs the command line as a new user would. The 2017/18 file is derived from Waltham Forest's
2016/17 file: own-year columns kept (read as 2017/18), ``_16`` back-columns renamed ``_17`` and new ``_16``
columns added holding only SUPP, as a real 2017/18 file carries both; a map still reading ``_16`` as the year
before would find no disadvantaged figure for any school.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis import paths
from analysis.data import sources

pytestmark = pytest.mark.usefixtures("raw_data_present")
IGNORED = {".git", ".venv", "reports", "test-artifacts", "work", "__pycache__", ".pytest_cache"}


def _project_copy(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(paths.PROJECT_ROOT, root, ignore=lambda d, names: [
        n for n in names if n in IGNORED or (Path(d).name == "data" and n in ("raw", "processed"))])
    (root / "data" / "raw").mkdir()
    for source in sources.registry().values():  # the real files, linked (nothing copied, nothing changed)
        (root / "data" / "raw" / source.filename).symlink_to(source.local_path)
    # The tidy tables already built from those files, hard-linked: each is keyed by its raw file's checksum and
    # the loader code, so the copy uses them as is, and the new year's table is built in the copy only.
    cache = root / "data" / "processed" / "cache"
    cache.mkdir(parents=True)
    for table in (paths.PROCESSED / "cache").glob("*.parquet"):
        os.link(table, cache / table.name)
    return root


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPENDIUM_")}
    env["PYTHONPATH"] = str(root / "src")  # the copy's library, so its paths point into the copy
    return subprocess.run([sys.executable, "-m", "analysis.pipeline.cli", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600)


def _derive_2018(target: Path) -> pd.DataFrame:
    raw = pd.read_csv(sources.path("ks4_final_2017_320"), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    out = raw.rename(columns={c: c[:-3] + "_17" for c in raw.columns if c.endswith("_16")})
    for column in [c for c in out.columns if c.endswith("_17")]:
        out[column[:-3] + "_16"] = "SUPP"
    out.to_csv(target, index=False)
    return out


def _beating_independently(raw: pd.DataFrame) -> list[str]:
    """Mainstream, non-selective, mixed schools whose disadvantaged P8 is above the national state-funded
    non-disadvantaged P8 (the RECTYPE 7 row) in the file's year and in its _17 back-columns."""
    num = lambda s: pd.to_numeric(s, errors="coerce")  # noqa: E731  (SUPP, NE ... are not numbers)
    national = raw[raw["RECTYPE"] == "7"].iloc[0]
    schools = raw[(raw["RECTYPE"] == "1") & ~raw["NFTYPE"].isin(["IND", "INDSPEC"])
                  & raw["ADMPOL"].str.upper().isin(["COMP", "MOD", "NON-SELECTIVE"])
                  & (raw["EGENDER"].str.upper() == "MIXED")]
    keep = (num(schools["P8MEA_FSM6CLA1A"]) > float(national["P8MEA_NFSM6CLA1A"])) & (
        num(schools["P8MEA_FSM6CLA1A_17"]) > float(national["P8MEA_NFSM6CLA1A_17"]))
    return sorted(schools.loc[keep, "SCHNAME"].str.strip())


def test_a_later_years_file_added_with_add_source_runs_notebook_03(tmp_path):
    root = _project_copy(tmp_path)
    derived = _derive_2018(tmp_path / "320_ks4final_2018.csv")
    added = _cli(root, "add-source", str(tmp_path / "320_ks4final_2018.csv"), "--role", "ks4_school_full",
                 "--year", "2018", "--la", "320", "--url", "https://example.org/2017-2018_320_ks4final.csv")
    assert added.returncode == 0, added.stderr
    assert "49 rows proposed from 2017 (back-columns shifted to _17)" in added.stdout
    maps = pd.read_csv(root / "data" / "reference" / "column_maps" / "ks4_school.csv", dtype=str)
    assert maps.query("file_year == '2018' and name == 'p8_disadvantaged'")["dfe_column"].tolist() == [
        "P8MEA_FSM6CLA1A", "P8MEA_FSM6CLA1A_17"]

    ran = _cli(root, "run", "--year", "2018", "--la", "320", "--only", "03_school_progress", "--out",
               str(tmp_path / "reports"), "--quiet")
    assert ran.returncode == 0, ran.stderr
    found = pd.DataFrame(json.loads((tmp_path / "reports" / "2018--la-320" / "findings.json").read_text()))
    beating = found.set_index("id").loc["schools_beating_benchmark", "value"]
    expected = _beating_independently(derived)
    assert expected and sorted(beating) == expected

    # The same map read with _16 as "the year before" is refused, naming the column and the expected name.
    text = (root / "data" / "reference" / "column_maps" / "ks4_school.csv").read_text()
    (root / "data" / "reference" / "column_maps" / "ks4_school.csv").write_text(
        text.replace("2018,P8MEA_17,", "2018,P8MEA_16,"))
    again = _cli(root, "run", "--year", "2018", "--la", "320", "--only", "03_school_progress", "--out",
                 str(tmp_path / "reports"), "--quiet", "--no-cache")
    assert again.returncode != 0
    assert "file year 2018 maps P8MEA_16 as the year before" in again.stderr and "expected P8MEA_17" in again.stderr
