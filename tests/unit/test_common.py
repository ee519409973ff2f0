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
