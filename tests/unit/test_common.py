"""The shared small ideas: academic-year label, nearest year, atomic writes."""

from __future__ import annotations

import os
import stat

import pytest

from analysis.common import academic_year, atomic_write, atomic_write_json, atomic_write_text, nearest_year


class TestAcademicYear:
    def test_labels(self):
        assert academic_year(2017) == "2016/17"
        assert academic_year(2010) == "2009/10"  # zero-padded second part
        assert academic_year(2000) == "1999/00"


class TestNearestYear:
    def test_exact_nearest_and_tie(self):
        assert nearest_year(2016, [2016, 2017]) == 2016
        assert nearest_year(2020, [2016, 2017]) == 2017
        # 2016 is 1 from both 2015 and 2017: the earlier wins
        assert nearest_year(2016, [2017, 2015]) == 2015

    def test_empty(self):
        with pytest.raises(ValueError):
            nearest_year(2017, [])


class TestAtomicWrite:
    def test_writes_whole_file_readable_by_group(self, tmp_path):
        target = atomic_write_text(tmp_path / "sub" / "a.txt", "hello\n")
        assert target.read_text() == "hello\n"
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o644
        assert not list((tmp_path / "sub").glob("*.part"))

    def test_a_failing_writer_leaves_the_old_file_and_no_temporary(self, tmp_path):
        target = atomic_write_text(tmp_path / "a.txt", "old")

        def broken(tmp):
            tmp.write_text("half")
            raise RuntimeError("disk full")

        with pytest.raises(RuntimeError):
            atomic_write(target, broken)
        assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]

    def test_two_writers_and_a_reader_at_once(self, tmp_path):
        # two threads rewrite the same file 300 times each (each its own whole content) while a third reads it:
        # no writer fails, the reader only ever sees one writer's whole content, and no temporary is left
        import threading

        target = atomic_write_text(tmp_path / "index.html", "a" * 20_000)
        contents, errors, seen, done = {"a" * 20_000, "b" * 20_000}, [], set(), threading.Event()

        def write(text):
            try:
                for _ in range(300):
                    atomic_write_text(target, text)
            except Exception as exc:  # noqa: BLE001 - any failure is the finding
                errors.append(exc)

        def read():
            while not done.is_set():
                seen.add(target.read_text())

        threads = [threading.Thread(target=write, args=(t,)) for t in contents]
        reader = threading.Thread(target=read)
        reader.start()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        done.set()
        reader.join()
        assert not errors and seen <= contents and not list(tmp_path.glob("*.part"))

    def test_json_has_stable_form(self, tmp_path):
        target = atomic_write_json(tmp_path / "a.json", {"b": 1, "a": [1.5, "é"]})
        assert target.read_text(encoding="utf-8") == '{\n  "b": 1,\n  "a": [\n    1.5,\n    "é"\n  ]\n}\n'


class TestIsin:
    def test_the_same_answer_as_pandas_isin_on_random_text_and_collections(self):
        """The pyarrow route for text against pandas' own isin (the independent route), on random series of
        texts, missing values and non-text values, against lists, sets, Series and Index of the same."""
        import random

        import numpy as np
        import pandas as pd

        from analysis.common import isin

        rng = random.Random(3)
        pool = ["a", "b", "", " a", "10", None, np.nan, pd.NA, 10, 1.5]
        shapes = [list, lambda a: {v for v in a if isinstance(v, str)}, lambda a: pd.Series(a, dtype=object),
                  lambda a: pd.Index(a, dtype=object), lambda a: pd.Series([v for v in a if isinstance(v, str)],
                                                                           dtype="str")]
        for _ in range(2000):
            dtype = rng.choice(["str", "string", object])
            values = [rng.choice(pool) for _ in range(rng.randint(0, 8))]
            if dtype != object:  # a text column holds text or missing values
                values = [v if isinstance(v, str) or v is None or v is pd.NA or v != v else str(v) for v in values]
            series = pd.Series(values, dtype=dtype)
            allowed = [rng.choice(pool) for _ in range(rng.randint(0, 5))]
            collection = rng.choice(shapes)(allowed)
            assert (isin(series, collection) == series.isin(collection).to_numpy(dtype=bool)).all(), \
                (dtype, values, allowed)


class TestRowsOf:
    def test_the_same_lists_as_a_pandas_filter_on_random_frames(self):
        """Against the independent route (a boolean mask, ``.loc``, ``tolist``) on random frames: a nullable year
        with gaps, text codes with missing ones, floats, nullable integers; with and without each filter."""
        import random

        import numpy as np
        import pandas as pd

        from analysis.common import rows_of

        rng = random.Random(5)
        codes = ["330", "331", "970", None]
        for _ in range(500):
            n = rng.randint(0, 12)
            frame = pd.DataFrame({
                "year": pd.array([rng.choice([2016, 2017, None]) for _ in range(n)], dtype="Int64"),
                "la_code": pd.Series([rng.choice(codes) for _ in range(n)], dtype="str"),
                "value": [rng.choice([0.5, -0.25, np.nan]) for _ in range(n)],
                "count": pd.array([rng.choice([1, 2, None]) for _ in range(n)], dtype="Int64")})
            year = rng.choice([None, 2016, 2017, 2018])
            among = rng.sample(["330", "331", "970", "999"], rng.randint(0, 3)) if rng.random() < 0.7 else None
            mask = pd.Series(True, index=frame.index)
            if year is not None:
                mask &= (frame["year"] == year).fillna(False)
            if among is not None:
                mask &= frame["la_code"].isin(among)
            expected = [frame.loc[mask.to_numpy(dtype=bool), c].tolist() for c in frame.columns]
            got = rows_of(frame, list(frame.columns), year=year, column=None if among is None else "la_code",
                          among=among)
            assert [[repr(v) for v in col] for col in got] == [[repr(v) for v in col] for col in expected]

    def test_text_years_dates_and_a_bare_code(self):
        import pandas as pd

        from analysis.common import rows_of

        frame = pd.DataFrame({"year": ["2017", "2016/17"], "when": pd.to_datetime(["2020-01-02", "2021-03-04"]),
                              "la": ["330", "331"]})
        assert rows_of(frame, ["la"], year=2017) == [[]]  # as pandas compares text with a number: no match
        assert rows_of(frame, ["when"]) == [frame["when"].tolist()]  # Timestamps, not nanoseconds
        with pytest.raises(TypeError, match="collection"):
            rows_of(frame, ["la"], column="la", among="330")  # a string would match its characters


class TestRecords:
    def test_the_same_rows_as_itertuples(self):
        import numpy as np
        import pandas as pd

        from analysis.common import records

        frame = pd.DataFrame({"la_code": ["330", None, "970"], "value": [0.5, np.nan, -1.0],
                              "count": pd.array([1, None, 3], dtype="Int64"), "class": [True, False, True],
                              "2nd": ["a", "b", "c"]})
        expected = list(frame.itertuples(index=False))
        got = records(frame)
        assert [r._fields for r in got] == [r._fields for r in expected]
        assert [[str(v) for v in r] for r in got] == [[str(v) for v in r] for r in expected]
        assert records(frame.iloc[0:0]) == [] == list(frame.iloc[0:0].itertuples(index=False))
        twice = pd.concat([frame, frame[["value"]]], axis=1)  # a repeated column name
        assert [[str(v) for v in r] for r in records(twice)] == [[str(v) for v in r] for r in
                                                                 twice.itertuples(index=False)]
