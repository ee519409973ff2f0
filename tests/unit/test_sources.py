import hashlib
from pathlib import Path

import pytest

from analysis.data import sources


def _registry(tmp_path: Path, sha: str, mirror_path: str = "pub/file.csv") -> Path:
    reg = tmp_path / "sources.yml"
    reg.write_text(
        "sources:\n"
        "- id: tiny\n  role: test\n  year: 2017\n  publisher: DfE\n  licence: OGL-UK-3.0\n"
        f"  url: https://example.invalid/file.csv\n  sha256: '{sha}'\n  format: csv\n  mirror_path: {mirror_path}\n"
    )
    return reg


class TestLoadRegistry:
    def test_reads_entries(self, tmp_path):
        reg = sources.load_registry(_registry(tmp_path, "a" * 64))
        assert reg["tiny"].year == 2017 and reg["tiny"].filename == "tiny.csv"

    def test_rejects_bad_checksum_field(self, tmp_path):
        with pytest.raises(sources.SourceError, match="sha256 must be 64 hex digits"):
            sources.load_registry(_registry(tmp_path, "xyz"))

    def test_rejects_missing_fields(self, tmp_path):
        reg = tmp_path / "sources.yml"
        reg.write_text("sources:\n- id: x\n  role: r\n")
        with pytest.raises(sources.SourceError, match="lacks publisher"):
            sources.load_registry(reg)

    def test_project_registry_is_complete(self):
        reg = sources.registry()
        assert all(s.licence == "OGL-UK-3.0" and s.url.startswith("https://") for s in reg.values())


class TestFetchFromMirror:
    def test_copies_and_verifies(self, tmp_path, monkeypatch):
        content = b"URN,P8MEA\n100000,0.15\n"
        mirror = tmp_path / "mirror"
        (mirror / "pub").mkdir(parents=True)
        (mirror / "pub" / "file.csv").write_bytes(content)
        source = sources.load_registry(_registry(tmp_path, hashlib.sha256(content).hexdigest()))["tiny"]
        monkeypatch.setenv("COMPENDIUM_RAW_DIR", str(tmp_path / "raw"))
        out = sources.fetch_one(source, mirror)
        assert out.read_bytes() == content

    def test_checksum_mismatch_names_file_and_leaves_nothing(self, tmp_path, monkeypatch):
        mirror = tmp_path / "mirror"
        (mirror / "pub").mkdir(parents=True)
        (mirror / "pub" / "file.csv").write_bytes(b"tampered")
        source = sources.load_registry(_registry(tmp_path, "0" * 64))["tiny"]
        monkeypatch.setenv("COMPENDIUM_RAW_DIR", str(tmp_path / "raw"))
        with pytest.raises(sources.SourceError, match=r"Checksum mismatch for tiny .*file.csv"):
            sources.fetch_one(source, mirror)
        assert list((tmp_path / "raw").iterdir()) == []  # neither the bad file nor a .part is left

    def test_missing_in_mirror(self, tmp_path, monkeypatch):
        source = sources.load_registry(_registry(tmp_path, "0" * 64))["tiny"]
        monkeypatch.setenv("COMPENDIUM_RAW_DIR", str(tmp_path / "raw"))
        with pytest.raises(sources.SourceError, match="has no pub/file.csv"):
            sources.fetch_one(source, tmp_path)


class TestLookup:
    def test_one_lists_what_exists(self):
        with pytest.raises(sources.SourceError, match="No source registered for role 'ks4_school_full', year 1999"):
            sources.one("ks4_school_full", 1999)

    def test_years_for_are_the_registry_years_of_the_role_sorted(self):
        # a property of the registry, not its current contents: a new year's entry must not break this test
        for role in {s.role for s in sources.registry().values()}:
            expected = sorted({s.year for s in sources.registry().values() if s.role == role and s.year is not None})
            assert sources.years_for(role) == expected

    def test_every_role_read_by_year_has_a_year_and_per_la_roles_have_contiguous_years(self):
        registry = sources.registry().values()
        for source in registry:
            if source.role in {"ks4_school_full", "ks4_school_trimmed", "ks2_school_trimmed", "census", "absence",
                               "ks4_5acem_school"}:
                assert source.year is not None, source.id
        # the trimmed national KS4 files are read for a year and the year before: their years must be contiguous
        years = sources.years_for("ks4_school_trimmed")
        assert years == list(range(min(years), max(years) + 1))
