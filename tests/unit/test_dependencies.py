"""What a notebook read: recorded roles, reference files (audit hook) and library modules."""

from __future__ import annotations

import pandas as pd

from analysis import paths
from analysis.data import dependencies, sources


class TestRecordRole:
    def test_registry_lookups_record_their_role(self):
        sources.find("core_cities_never_a_role")  # no entries, but the lookup itself is a dependency
        sources.years_for("another_unused_role")
        assert {"core_cities_never_a_role", "another_unused_role"} <= set(dependencies.snapshot()["roles"])


class TestRecordSource:
    def test_source_id_and_its_role(self):
        dependencies.record_source("some_file_2017", "some_role")
        snap = dependencies.snapshot()
        assert "some_file_2017" in snap["sources"] and "some_role" in snap["roles"]


class TestRecordFile:
    def test_project_files_are_relative_and_outside_files_absolute(self, tmp_path):
        dependencies.record_file(paths.PROJECT_ROOT / "data" / "my_factors.csv")
        dependencies.record_file(tmp_path / "pupils.parquet")
        files = dependencies.snapshot()["files"]
        assert "data/my_factors.csv" in files
        assert str(tmp_path / "pupils.parquet") in files


class TestAuditHook:
    def test_reading_a_reference_table_is_recorded(self):
        dependencies.start()
        pd.read_csv(paths.REFERENCE / "core_cities.csv", dtype=str)
        assert "data/reference/core_cities.csv" in dependencies.snapshot()["files"]

    def test_writes_and_files_elsewhere_are_not(self, tmp_path):
        dependencies._on_open("open", (str(paths.REFERENCE / "written.csv"), "w", 0))
        dependencies._on_open("open", (str(paths.REFERENCE / "appended.csv"), "a", 0))
        dependencies._on_open("open", (str(tmp_path / "elsewhere.csv"), "r", 0))
        dependencies._on_open("open", (3, "r", 0))  # a file descriptor, not a path
        files = dependencies.snapshot()["files"]
        assert not {"data/reference/written.csv", "data/reference/appended.csv"} & set(files)
        assert not any("elsewhere.csv" in f for f in files)


class TestLibraryModules:
    def test_imported_modules_are_listed_by_source_file(self):
        modules = dependencies.library_modules()
        assert "src/analysis/data/dependencies.py" in modules and "src/analysis/data/sources.py" in modules
        assert all(m.startswith("src/analysis/") for m in modules)
