import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import data as load
from analysis.errors import DataFormatError, SourceError
from analysis import paths
from analysis.data import ks4, lait


class TestPeriodEndYear:
    @pytest.mark.parametrize(
        "period, year",
        [("2017", 2017), ("2016/17", 2017), ("2016-17", 2017), ("2014-16", 2016), ("2018 (Rev)", 2018),
         ("2013/14-15/16", 2016), ("1999/00", 2000), ("rubbish", None)],
    )
    def test_examples(self, period, year):
        assert lait.period_end_year(period)[0] == year


class TestReadLait:
    def test_tidy_rounded_and_status(self, tmp_path, monkeypatch):
        monkeypatch.setenv("COMPENDIUM_NO_CACHE", "1")
        raw = pd.DataFrame({
            "Short Desc": ["DAP_KS4_Prog8"] * 3,
            "Data item": [None] * 3,
            "Years": ["2017", "2020", "2017"],
            "LA and Regions": ["Birmingham", "Birmingham", "England"],
            "Values": ["-0.18000000000000002", "-", "-4.0000000000000001E-1"],
            "LA Number": [330.0, 330.0, 970.0],
            "Region": ["West Midlands", "West Midlands", "NA"],
        })
        raw.to_parquet(tmp_path / "l.parquet")
        dictionary = pd.DataFrame({"indicator": ["DAP_KS4_Prog8"], "dps": pd.array([2], dtype="Int64")})
        tidy = load.read_lait(tmp_path / "l.parquet", dictionary=dictionary)
        assert tidy["value"].tolist()[0] == -0.18 and tidy["value"].tolist()[2] == -0.4
        assert tidy["status"].tolist() == ["reported", "no_data", "reported"]
        assert tidy["area_type"].tolist() == ["la", "la", "england"]
        assert tidy["region"].tolist()[2] == "England"
        assert tidy["la_code"].tolist() == ["330", "330", "970"]

    def test_cached_table_validated_as_built_and_an_invalid_one_never_cached(self, tmp_path, monkeypatch):
        from analysis.data import schema_errors

        raw = pd.DataFrame({"Short Desc": ["DAP_KS4_Prog8"] * 2, "Data item": [None] * 2, "Years": ["2017"] * 2,
                            "LA and Regions": ["Birmingham", "England"], "Values": ["-0.18", "-0.4"],
                            "LA Number": [330.0, 970.0], "Region": ["West Midlands", "NA"]})
        raw.to_parquet(tmp_path / "l.parquet")
        raw.assign(Years=["2017", "1850"]).to_parquet(tmp_path / "bad.parquet")  # the schema's years: 1990-2100
        dictionary = pd.DataFrame({"indicator": ["DAP_KS4_Prog8"], "dps": pd.array([2], dtype="Int64")})
        monkeypatch.delenv("COMPENDIUM_NO_CACHE", raising=False)
        monkeypatch.setenv("COMPENDIUM_PROCESSED_DIR", str(tmp_path / "processed"))
        real_build = lait._build_lait
        monkeypatch.setattr(lait, "_build_lait", lambda path, _: real_build(path, dictionary))  # the registry path
        monkeypatch.setattr(lait.sources, "path", lambda source_id: tmp_path / "l.parquet")  # its dictionary key
        checks = []
        real_validate = schema_errors.validate
        monkeypatch.setattr(schema_errors, "validate", lambda *a, **k: checks.append(1) or real_validate(*a, **k))
        first = load.read_lait(tmp_path / "l.parquet")
        again = load.read_lait(tmp_path / "l.parquet", indicators=["DAP_KS4_Prog8"])
        assert len(checks) == 1 and again.equals(first)  # the hit (and its subset) is the table validated once
        for _ in range(2):  # refused as it is built, each time: nothing was cached to be served the second time
            with pytest.raises(DataFormatError, match=r"bad\.parquet: .*year"):
                load.read_lait(tmp_path / "bad.parquet")
        assert len(list((tmp_path / "processed" / "cache").glob("lait-*.parquet"))) == 1

    def test_missing_column_is_named(self, tmp_path, monkeypatch):
        monkeypatch.setenv("COMPENDIUM_NO_CACHE", "1")
        pd.DataFrame({"Short Desc": ["x"]}).to_parquet(tmp_path / "bad.parquet")
        with pytest.raises(DataFormatError, match="bad.parquet: LAIT file lacks columns"):
            load.read_lait(tmp_path / "bad.parquet", dictionary=pd.DataFrame({"indicator": [], "dps": []}))


META = pd.DataFrame({
    "Metafile heading": ["RECTYPE"],
    "Metafile description": ["Record type (1=mainstream school; 2=special school; 4=local authority; "
                             "5=National (all schools); 7=National (maintained schools))"],
})


class TestDecodeRectype:
    def test_labels_with_brackets(self):
        assert load.decode_rectype(META) == {
            "1": "mainstream school", "2": "special school", "4": "local authority",
            "5": "National (all schools)", "7": "National (maintained schools)",
        }


class TestReadKs4Performance:
    def test_hand_made_file(self, tmp_path):
        cmap = pd.read_csv("data/reference/column_maps/ks4_school.csv", dtype=str)
        cols = cmap.loc[cmap["file_year"] == "2017", "dfe_column"].tolist()
        school = {c: "" for c in cols} | {"RECTYPE": "1", "LEA": "320", "URN": "100001", "SCHNAME": "A's School",
                                          "P8MEA": "0.25", "P8MEA_FSM6CLA1A": "SUPP", "P8MEA_16": "NE"}
        national = {c: "" for c in cols} | {"RECTYPE": "7", "P8MEA": "-0.03", "P8MEA_NFSM6CLA1A": "0.11"}
        pd.DataFrame([school, *_la_and_national_rows(cols), national]).to_csv(tmp_path / "f.csv", index=False)
        tidy = load.read_ks4_performance(tmp_path / "f.csv", year=2017, metadata=META)
        now = tidy[tidy["year"] == 2017].set_index("rectype")
        assert now.loc["1", "p8_all"] == 0.25 and now.loc["1", "p8_disadvantaged_status"] == "SUPP"
        assert now.loc["7", "level"] == "national" and bool(now.loc["7", "is_state_funded_national"])
        before = tidy[tidy["year"] == 2016].set_index("rectype")
        assert before.loc["1", "p8_all_status"] == "NE"


def _la_and_national_rows(cols):
    """The LA row (RECTYPE 4) and the all-schools national row (5) every full-schema file holds, with a number
    in each required headline column (data/reference/column_maps/ks4_school.csv, column ``required``)."""
    cmap = pd.read_csv("data/reference/column_maps/ks4_school.csv", dtype=str, keep_default_na=False)
    headline = dict.fromkeys(cmap.loc[cmap["required"] == "true", "dfe_column"], "0.5")
    return [{c: "" for c in cols} | headline | {"RECTYPE": "4", "LEA": "320"},
            {c: "" for c in cols} | {"RECTYPE": "5", "P8MEA": "-0.07"}]


def _hand_made_ks4(path, *, drop=()):
    """A full-schema file: one school (P8 0.25, disadvantaged SUPP, 2016 NE), the LA row, the national rows (5, 7)."""
    cmap = pd.read_csv("data/reference/column_maps/ks4_school.csv", dtype=str)
    cols = cmap.loc[cmap["file_year"] == "2017", "dfe_column"].tolist()
    school = {c: "" for c in cols} | {"RECTYPE": "1", "LEA": "320", "URN": "100001", "P8MEA": "0.25",
                                      "P8MEA_FSM6CLA1A": "SUPP", "P8MEA_16": "NE", "NOT_MAPPED": "x"}
    national = {c: "" for c in cols} | {"RECTYPE": "7", "P8MEA": "-0.03", "NOT_MAPPED": "x"}
    rows = [school, *({**r, "NOT_MAPPED": "x"} for r in _la_and_national_rows(cols)), national]
    pd.DataFrame(rows).drop(columns=list(drop)).to_csv(path, index=False)
    return path


class TestReadKs4PerformanceRowsAndErrors:
    def test_two_rows_per_record_in_file_order_latest_year_first(self, tmp_path):
        tidy = load.read_ks4_performance(_hand_made_ks4(tmp_path / "f.csv"), year=2017, metadata=META)
        # 4 records (school, LA, national 5, national 7) x (2017 + back-year 2016) = 8 rows: the four 2017 rows
        # in file order, then the four 2016 rows
        assert tidy["year"].tolist() == [2017] * 4 + [2016] * 4
        assert tidy["rectype"].tolist() == ["1", "4", "5", "7"] * 2
        assert tidy["p8_all"].tolist()[:4] == [0.25, 0.5, -0.07, -0.03] and tidy["p8_all_status"].tolist()[4] == "NE"

    def test_missing_mapped_column_names_file_year_and_column(self, tmp_path):
        path = _hand_made_ks4(tmp_path / "f.csv", drop=("P8MEA_FSM6CLA1A",))
        with pytest.raises(DataFormatError, match=r"f\.csv: columns P8MEA_FSM6CLA1A expected for year 2017"):
            load.read_ks4_performance(path, year=2017, metadata=META)

    def test_callers_metadata_is_not_cached(self, tmp_path, monkeypatch):
        monkeypatch.delenv("COMPENDIUM_NO_CACHE", raising=False)
        monkeypatch.setenv("COMPENDIUM_PROCESSED_DIR", str(tmp_path / "processed"))
        load.read_ks4_performance(_hand_made_ks4(tmp_path / "f.csv"), year=2017, metadata=META)
        assert not (tmp_path / "processed").exists()


class TestLabelRecords:
    def test_labels_without_changing_the_input(self):
        tidy = pd.DataFrame({"rectype": pd.array(["2", "4", "5"], dtype="string")})
        out = ks4.label_records(tidy, META, year=2017, file="f.csv")
        assert out["level"].tolist() == ["school", "la", "national"]
        # 5 is 'National (all schools)': national but not the state-funded (maintained) row
        assert out["is_state_funded_national"].tolist() == [False, False, False]
        assert list(tidy.columns) == ["rectype"]

    def test_unknown_rectype_names_the_file(self):
        tidy = pd.DataFrame({"rectype": pd.array(["9"], dtype="string")})
        with pytest.raises(DataFormatError, match=r"f\.csv: RECTYPE values \['9'\] are not described"):
            ks4.label_records(tidy, META, year=2017, file="f.csv")


def _own_reference_and_cache(tmp_path, monkeypatch):
    """A copy of the reference tables the readers key their cache on, and a cache folder, both in ``tmp_path``."""
    reference = tmp_path / "reference"
    shutil.copytree(paths.REFERENCE / "column_maps", reference / "column_maps")
    shutil.copy(paths.REFERENCE / "dfe_status_codes.csv", reference)
    shutil.copy(paths.REFERENCE / "record_types.csv", reference)
    monkeypatch.setattr(paths, "REFERENCE", reference)
    monkeypatch.delenv("COMPENDIUM_NO_CACHE", raising=False)
    monkeypatch.setenv("COMPENDIUM_PROCESSED_DIR", str(tmp_path / "processed"))
    return reference


class TestReadKs4PerformanceCache:
    """The registry path: cached as parquet, keyed by the column map (copied to a tmp reference folder here)."""

    @pytest.fixture
    def setup(self, tmp_path, monkeypatch):
        reference = _own_reference_and_cache(tmp_path, monkeypatch)
        meta_file = tmp_path / "meta.csv"
        META.to_csv(meta_file, index=False)
        monkeypatch.setattr(ks4, "_metadata_path", lambda year: meta_file)
        monkeypatch.setattr(ks4, "_metadata", lambda year: META)
        builds = []
        real_build = ks4._build_ks4_performance
        monkeypatch.setattr(ks4, "_build_ks4_performance", lambda *a: builds.append(1) or real_build(*a))
        return _hand_made_ks4(tmp_path / "f.csv"), reference, builds, tmp_path / "processed" / "cache"

    def test_second_call_served_from_cache_and_equal(self, setup):
        path, _, builds, cache = setup
        first = load.read_ks4_performance(path, year=2017)
        second = load.read_ks4_performance(path, year=2017)
        assert len(builds) == 1 and len(list(cache.glob("*.parquet"))) == 1
        pd.testing.assert_frame_equal(first, second, check_exact=True)
        assert [str(d) for d in first.dtypes] == [str(d) for d in second.dtypes]

    def test_rebuilt_when_the_column_map_changes(self, setup):
        path, reference, builds, cache = setup
        first = load.read_ks4_performance(path, year=2017)
        with open(reference / "column_maps" / "ks4_school.csv", "a") as f:
            f.write("\n")  # new bytes, same rows (blank lines are skipped)
        again = load.read_ks4_performance(path, year=2017)
        assert len(builds) == 2 and len(list(cache.glob("*.parquet"))) == 2
        pd.testing.assert_frame_equal(first, again, check_exact=True)

    def test_validated_as_built_and_an_invalid_table_never_cached(self, setup, monkeypatch):
        from analysis.data import schema_errors

        path, _, builds, cache = setup
        checks = []
        real = schema_errors.validate
        monkeypatch.setattr(schema_errors, "validate", lambda *a, **k: checks.append(1) or real(*a, **k))
        load.read_ks4_performance(path, year=2017)
        load.read_ks4_performance(path, year=2017)
        assert len(builds) == 1 and len(checks) == 1  # the hit is the validated table the build wrote
        # a table failing the schema raises as it is built, and leaves nothing in the cache to be served later
        text = path.read_text().replace(",0.25,", ",99.0,")
        bad = path.with_name("bad.csv")
        bad.write_text(text)
        for _ in range(2):
            with pytest.raises(DataFormatError, match=r"bad\.csv: .*p8_all.*99\.0"):
                load.read_ks4_performance(bad, year=2017)
        assert len(list(cache.glob("*.parquet"))) == 1

    def test_year_is_part_of_the_cache_name(self, setup):
        path, _, _, cache = setup
        load.read_ks4_performance(path, year=2017)
        assert [p.name.split("-")[0] for p in cache.glob("*.parquet")] == ["ks4_performance_v1_2017"]


def _school(tidy, column):
    """The hand-made school's 2017 value of ``column``."""
    row = tidy[(tidy["urn"] == "100001") & (tidy["year"] == 2017)]
    assert len(row) == 1
    return row[column].iloc[0]


class TestReadMappedCached:
    """Every column-mapped reader's cache (``dfe.read_mapped_cached``), on a hand-made full-schema KS4 file."""

    @pytest.fixture
    def setup(self, tmp_path, monkeypatch):
        reference = _own_reference_and_cache(tmp_path, monkeypatch)
        # f.csv stands for a registered file (only those are cached); its checksum is not what is tested here
        from analysis.data import screening, sources

        monkeypatch.setenv(screening.SKIP_CHECKSUM_ENV, "1")
        real_source_at = sources.source_at
        monkeypatch.setattr(sources, "source_at", lambda p: "f" if Path(p).name == "f.csv" else real_source_at(p))
        finished = []

        def read(path, year=2017, finish=lambda tidy, path: tidy):
            from analysis.data import dfe

            return dfe.read_mapped_cached("ks4_school_full", "ks4_school", year, path, "t",
                                          lambda tidy, path: finished.append(path.name) or finish(tidy, path))

        return _hand_made_ks4(tmp_path / "f.csv"), reference, read, finished, tmp_path / "processed" / "cache"

    def test_second_read_served_from_the_cache_equal_to_a_fresh_build(self, setup, monkeypatch):
        from analysis.data import dfe

        path, _, read, finished, cache = setup
        first = read(path)
        second = read(path)
        assert finished == ["f.csv"] and len(list(cache.glob("*.parquet"))) == 1
        # the same table, dtypes included, as parsing the file again without the cache
        built, _ = dfe.read_mapped_table("ks4_school_full", "ks4_school", 2017, path)
        for cached_table in (first, second):
            pd.testing.assert_frame_equal(cached_table, built, check_exact=True)
            assert [repr(d) for d in cached_table.dtypes] == [repr(d) for d in built.dtypes]
        assert _school(second, "p8_all") == 0.25 and _school(second, "p8_disadvantaged_status") == "SUPP"

    def test_an_edited_file_or_column_map_is_read_again(self, setup):
        path, reference, read, finished, cache = setup
        read(path)
        with open(reference / "column_maps" / "ks4_school.csv", "a") as f:
            f.write("\n")  # new bytes, same rows (blank lines are skipped)
        read(path)
        path.write_text(path.read_text().replace(",0.25,", ",0.5,"))
        assert _school(read(path), "p8_all") == 0.5
        assert len(finished) == 3 and len(list(cache.glob("*.parquet"))) == 3

    def test_a_refused_table_is_never_cached(self, setup):
        path, _, read, finished, cache = setup

        def refuse(tidy, path):
            raise DataFormatError(f"{path}: refused")

        for _ in range(2):  # refused as it is built, each time: nothing was cached to be served the second time
            with pytest.raises(DataFormatError, match=r"f\.csv: refused"):
                read(path, finish=refuse)
        assert finished == ["f.csv", "f.csv"] and not list(cache.glob("*.parquet"))

    def test_the_name_and_year_make_the_cache_name(self, setup):
        path, _, read, _, cache = setup
        read(path)
        assert [p.name.split("-")[0] for p in cache.glob("*.parquet")] == ["t_2017"]

    def test_a_file_not_in_the_registry_is_read_afresh_and_never_cached(self, setup):
        path, _, read, finished, cache = setup
        mine = path.with_name("mine.csv")
        mine.write_bytes(path.read_bytes())
        read(mine), read(mine)
        assert finished == ["mine.csv", "mine.csv"] and not cache.exists()
        with pytest.raises(SourceError, match=r"nope\.csv"):  # the reader's own error, not the cache's
            read(mine.with_name("nope.csv"))

    def test_an_edited_status_code_table_is_read_again(self, setup):
        from analysis.data import dfe

        _, reference, _, _, _ = setup
        assert dfe.status_codes()["SUPP"] == "SUPP"
        codes = reference / "dfe_status_codes.csv"
        codes.write_text(codes.read_text().replace("SUPP,SUPP", "SUPP,suppressed", 1))
        assert dfe.status_codes()["SUPP"] == "suppressed"


class TestColumnMapCache:
    def test_an_edited_map_is_read_again_and_a_callers_change_never_reaches_the_cache(self, tmp_path, monkeypatch):
        from analysis.data import dfe

        reference = tmp_path / "reference"
        shutil.copytree(paths.REFERENCE / "column_maps", reference / "column_maps")
        monkeypatch.setattr(paths, "REFERENCE", reference)
        first = dfe.read_column_map("ks4_school", 2017, file="f.csv")
        first.loc[first.index[0], "name"] = "changed by a caller"
        first["kind"] = "x"
        again = dfe.read_column_map("ks4_school", 2017, file="f.csv")
        assert "changed by a caller" not in set(again["name"]) and "x" not in set(again["kind"])
        path = reference / "column_maps" / "ks4_school.csv"
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        table.loc[(table["file_year"] == "2017") & (table["name"] == again["name"].iloc[0]), "name"] = "renamed"
        table.to_csv(path, index=False)  # an edit: a new size (and mtime)
        assert dfe.read_column_map("ks4_school", 2017, file="f.csv")["name"].iloc[0] == "renamed"


class TestReadSheetText:
    """``gias.read_sheet_text`` gives what ``pd.read_excel(dtype=str, engine="calamine")`` gives, on workbooks
    made here with the cases its fast path handles and those it hands to pandas."""

    CASES = {
        "numbers and NA-like text": [["A", "B"], [1.5, "x"], [0.1, "NA"], [1e-7, ""], [1e20, "n/a"],
                                     [123456789.123, "  y "], [-0.0, "None"], [3, "nan"], [None, "#N/A"]],
        "digits as text": [["A", "B"], ["0123", " "], ["1.0", "-"]],
        "a date": [["A", "B"], [dt.date(2019, 9, 1), "x"], [dt.datetime(2019, 9, 1, 12, 0), "y"]],
        "true/false": [["A", "B"], [True, "x"], [False, "y"]],
        "a repeated heading": [["A", "B", "A"], [1, "x", 2]],
        "a blank heading": [["A", "B", None], [1, "x", 2]],
        "a blank row": [["A", "B"], [1, "x"], [None, None], [2, "y"]],
    }
    FAST = {"numbers and NA-like text", "digits as text", "a blank row"}  # the rest go to pandas

    @pytest.mark.parametrize("case", list(CASES))
    def test_the_same_text_as_pandas(self, case, tmp_path, monkeypatch):
        import openpyxl

        from analysis.data import gias

        book = openpyxl.Workbook()
        for row in self.CASES[case]:
            book.active.append(row)
        book.save(tmp_path / "t.xlsx")
        slow = pd.read_excel(tmp_path / "t.xlsx", dtype=str, engine="calamine")[["B", "A"]]
        called = []
        real_read_excel = pd.read_excel
        monkeypatch.setattr(pd, "read_excel", lambda *a, **k: called.append(1) or real_read_excel(*a, **k))
        fast = gias.read_sheet_text(tmp_path / "t.xlsx", ["B", "A"])[["B", "A"]]
        assert bool(called) is (case not in self.FAST)  # the fast path itself where it covers the sheet
        pd.testing.assert_frame_equal(fast, slow, check_exact=True)
        assert [repr(d) for d in fast.dtypes] == [repr(d) for d in slow.dtypes]
        if case == "numbers and NA-like text":  # worked out by hand, not only "as pandas does"
            assert fast["A"].tolist()[:7] == ["1.5", "0.1", "1e-07", "100000000000000000000", "123456789.123",
                                              "0", "3"]
            assert fast["B"].isna().tolist() == [False, True, True, True, False, True, True, True]

    def test_a_missing_column_gets_every_heading_of_the_file(self, tmp_path):
        import openpyxl

        from analysis.data import gias

        book = openpyxl.Workbook()
        for row in (["A", "B"], [1, "x"]):
            book.active.append(row)
        book.save(tmp_path / "t.xlsx")
        assert list(gias.read_sheet_text(tmp_path / "t.xlsx", ["A", "C"]).columns) == ["A", "B"]
