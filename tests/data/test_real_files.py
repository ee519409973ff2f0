"""Data tests: the real mirror files, their checksums, schemas and a few published values."""

import pandas as pd
import pytest

from analysis import data as load
from analysis.data import sources
from analysis.pipeline import plan, specs
from analysis.errors import ParameterError

pytestmark = pytest.mark.usefixtures("raw_data_present")


def test_every_fetched_file_matches_its_registry_checksum():
    bad = [s.id for s in sources.registry().values() if sources.sha256_of(s.local_path) != s.sha256]
    assert bad == []


class TestLait:
    def test_birmingham_and_england_2017_match_bep_table_1(self):
        lait = load.read_lait(indicators=["AVG_Prog8_Score", "DAP_KS4_Prog8", "NonDAP_KS4_Prog8"])
        got = lait[lait["year"] == 2017].set_index(["la_code", "indicator"])["value"]
        # BEP 2017 note, table 1: Birmingham -0.01 / -0.18 / 0.15; England -0.03 / -0.40 / 0.11
        assert got[("330", "AVG_Prog8_Score")] == -0.01
        assert got[("330", "DAP_KS4_Prog8")] == -0.18
        assert got[("330", "NonDAP_KS4_Prog8")] == 0.15
        assert got[("970", "DAP_KS4_Prog8")] == -0.40
        assert got[("970", "NonDAP_KS4_Prog8")] == 0.11

    def test_2020_and_2021_have_no_ks4_data(self):
        lait = load.read_lait(indicators=["DAP_KS4_Prog8"])
        covid = lait[lait["year"].isin([2020, 2021])]
        assert len(covid) == 2 * 170 and (covid["status"] == "no_data").all() and covid["value"].isna().all()

    def test_no_float_noise_survives(self):
        lait = load.read_lait(indicators=["DAP_KS4_Prog8"])
        vals = lait["value"].dropna()
        assert (vals.round(2) == vals).all()


class TestKs4Final:
    def test_waltham_forest_national_rows(self):
        ks4 = load.read_ks4_performance(year=2017, la="320")
        nat = ks4[ks4["is_state_funded_national"]].set_index("year")
        # The 320 file's RECTYPE 7 row: 2017 P8 -0.03, disadvantaged -0.40, non-disadvantaged 0.11
        assert (nat.loc[2017, "p8_all"], nat.loc[2017, "p8_disadvantaged"], nat.loc[2017, "p8_non_disadvantaged"]) \
            == (-0.03, -0.40, 0.11)
        # ... and its 2016 back-columns: non-disadvantaged 0.10 (BEP table 4: 0.10)
        assert nat.loc[2016, "p8_non_disadvantaged"] == 0.10

    @pytest.mark.parametrize("la", ["320", "815", "850", "936"])
    def test_every_full_schema_file_loads(self, la):
        ks4 = load.read_ks4_performance(year=2017, la=la)
        schools = ks4[(ks4["level"] == "school") & (ks4["year"] == 2017)]
        assert (schools["la_code"] == la).all() and len(ks4[ks4["level"] == "la"]) == 2
        assert set(schools["p8_all_status"]) <= {"reported", "NP", "NE", "SUPP", "NA", "missing", "LOWCOV"}

    def test_suppression_kept(self):
        ks4 = load.read_ks4_performance(year=2017, la="320").query("year == 2017")
        joseph = ks4[ks4["urn"] == "140197"].iloc[0]  # Joseph Clarke School: P8MEA_FSM6CLA1A is SUPP in the file
        assert joseph["p8_disadvantaged_status"] == "SUPP" and pd.isna(joseph["p8_disadvantaged"])


class TestRunnerValidation:
    def test_unknown_year_lists_valid_years(self):
        with pytest.raises(ParameterError, match=r"nothing can run for 1999: .*LAIT holds no Progress 8 for this year \(it has 2016"):
            plan.plan(year=1999)

    def test_unknown_la(self):
        with pytest.raises(ParameterError, match=r"--la: '9999' is not a local authority code"):
            plan.plan(la="9999")


@pytest.mark.parametrize("read", [
    lambda: load.read_ks2_trimmed(year=2016), lambda: load.read_census(year=2017),
    lambda: load.read_absence(year=2016), lambda: load.read_ks4_trimmed(year=2017),
    lambda: load.read_ks4_5acem(year=2014),
], ids=["ks2_trimmed", "census", "absence", "ks4_trimmed", "ks4_5acem"])
def test_a_cached_table_is_the_table_the_file_gives(read, raw_data_present, tmp_path, monkeypatch):
    """Each column-mapped reader's parquet cache, built and then read back, against parsing the file again."""
    monkeypatch.setenv("COMPENDIUM_PROCESSED_DIR", str(tmp_path))
    monkeypatch.delenv("COMPENDIUM_NO_CACHE", raising=False)
    built_then_cached, served = read(), read()
    monkeypatch.setenv("COMPENDIUM_NO_CACHE", "1")
    parsed = read()
    assert len(list((tmp_path / "cache").glob("*.parquet"))) == 1
    for table in (built_then_cached, served):
        pd.testing.assert_frame_equal(table, parsed, check_exact=True)
        assert [repr(d) for d in table.dtypes] == [repr(d) for d in parsed.dtypes]


def test_the_spine_workbook_read_as_pandas_reads_it(raw_data_present):
    """The school spine's fast sheet reader against pandas' own read of the whole workbook."""
    from analysis.data import gias

    columns = ["URN", "LA", "ESTAB", "SCHNAME", "POSTCODE", "ICLOSE", "NFTYPE", "AGEL", "RELDENOM", "OTHERURN"]
    path = sources.path("school_spine_2019")
    fast = gias.read_sheet_text(path, columns)
    assert list(fast.columns) == columns  # the fast path itself, not its fallback
    pd.testing.assert_frame_equal(fast, pd.read_excel(path, dtype=str, engine="calamine")[columns], check_exact=True)
