"""Screening at the boundary (analysis.data.screening, analysis.data.record_types) on small hand-made files.

A tiny format "tiny" lives in a temporary reference folder: column map RECTYPE (code), URN (id), NAME (text),
P8 (number, required), A8 (number); record types S (school, key URN, required) and N (national, required);
format "rep" is the same with verbatim repeats of school rows allowed. Each test asserts the message's file,
column, line or key.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import paths
from analysis.data import dfe, record_types, schema_errors, screening, sources
from analysis.errors import DataFormatError, SourceError

HEADER = "RECTYPE,URN,NAME,P8,A8"
GOOD = [HEADER, "S,100001,Alpha,0.25,45.0", "S,100002,Beta,SUPP,40.5", "N,,England,-0.03,46.3"]


@pytest.fixture
def reference(tmp_path, monkeypatch):
    ref = tmp_path / "reference"
    (ref / "column_maps").mkdir(parents=True)
    shutil.copy(paths.REFERENCE / "dfe_status_codes.csv", ref)
    rows = ["file_year,dfe_column,name,year_offset,kind,position,required",
            "2017,RECTYPE,rectype,0,code,1,", "2017,URN,urn,0,id,2,", "2017,NAME,name,0,text,3,",
            "2017,P8,p8,0,number,4,true", "2017,A8,a8,0,number,5,"]
    for fmt in ("tiny", "rep"):
        (ref / "column_maps" / f"{fmt}.csv").write_text("\n".join(rows) + "\n")
    (ref / "record_types.csv").write_text(
        "format,column,code,label,level,key,required,repeats,source\n"
        "tiny,RECTYPE,S,school,school,URN,yes,,test\n"
        "tiny,RECTYPE,N,national,national,,yes,,test\n"
        "rep,RECTYPE,S,school,school,URN,yes,verbatim,test\n"
        "rep,RECTYPE,N,national,national,,yes,,test\n")
    monkeypatch.setattr(paths, "REFERENCE", ref)
    monkeypatch.delenv(screening.SKIP_CHECKSUM_ENV, raising=False)
    return ref


def write(tmp_path: Path, lines: list[str] | bytes, name: str = "f.csv", *, end: str = "\n") -> Path:
    path = tmp_path / name
    path.write_bytes(lines if isinstance(lines, bytes) else (end.join(lines) + end).encode())
    return path


def read(path: Path, fmt: str = "tiny") -> pd.DataFrame:
    tidy, _ = dfe.read_mapped_table("test", fmt, 2017, path)
    return tidy


class TestValidFile:
    def test_reads_and_keeps_markers(self, reference, tmp_path):
        tidy = read(write(tmp_path, GOOD))
        # 3 records, file order; SUPP stays a status beside a missing value
        assert tidy["urn"].tolist()[:2] == ["100001", "100002"] and tidy["p8_status"].tolist()[1] == "SUPP"

    def test_cp1252_and_utf8_bom_accepted(self, reference, tmp_path):
        lines = [*GOOD[:2], "S,100002,St Alban\u2019s,0.1,40.5", GOOD[3]]
        cp = read(write(tmp_path, "\n".join(lines).encode("cp1252"), "cp.csv"))
        bom = read(write(tmp_path, b"\xef\xbb\xbf" + "\n".join(lines).encode(), "bom.csv"))
        assert cp["name"].tolist() == bom["name"].tolist() and cp["name"].iloc[1] == "St Alban\u2019s"

    def test_crlf_no_final_newline_and_blank_lines(self, reference, tmp_path):
        tidy = read(write(tmp_path, "\r\n".join([GOOD[0], "", *GOOD[1:]]).encode()))
        assert len(tidy) == 3 and tidy["a8"].tolist()[2] == 46.3

    def test_a_short_row_mid_file_is_read_as_blanks(self, reference, tmp_path):
        # DfE's own per-LA files drop trailing blank fields from a few rows: pandas reads them as blanks
        tidy = read(write(tmp_path, [GOOD[0], "S,100001,Alpha,0.25", *GOOD[2:]]))
        assert tidy["a8_status"].iloc[0] == "missing"

    def test_a_short_last_row_ending_in_a_line_break_is_complete(self, reference, tmp_path):
        # written by a CSV writer that drops trailing blanks: the line break says the record ended there
        tidy = read(write(tmp_path, [*GOOD[:3], "N,,England,-0.03"]))
        assert tidy["a8_status"].iloc[2] == "missing"

    def test_a_short_last_row_ending_in_a_line_break_is_complete(self, reference, tmp_path):
        # written by a CSV writer that drops trailing blanks: the line break says the record ended there
        tidy = read(write(tmp_path, [*GOOD[:3], "N,,England,-0.03"]))
        assert tidy["a8_status"].iloc[2] == "missing"

    def test_quoted_field_with_comma_and_line_break(self, reference, tmp_path):
        tidy = read(write(tmp_path, [GOOD[0], 'S,100001,"Alpha, the\nfirst",0.25,45.0', *GOOD[2:]]))
        assert tidy["name"].iloc[0] == "Alpha, the\nfirst"
        with pytest.raises(DataFormatError, match=r"URN 100002 appears twice among school rows \(lines 4 and 5\)"):
            read(write(tmp_path, [GOOD[0], 'S,100001,"Alpha,\nfirst",0.25,45.0', GOOD[2], GOOD[2], GOOD[3]]))


class TestBytes:
    def test_empty_and_whitespace(self, reference, tmp_path):
        for content in (b"", b"\xef\xbb\xbf\r\n  \n"):
            with pytest.raises(DataFormatError, match=r"f\.csv: the file is empty"):
                read(write(tmp_path, content))

    def test_header_only(self, reference, tmp_path):
        with pytest.raises(DataFormatError, match=r"f\.csv: has a header but no rows"):
            read(write(tmp_path, [HEADER]))

    @pytest.mark.parametrize("codec, name", [("utf-16", "UTF-16"), ("utf-16-be", "UTF-16"), ("utf-32", "UTF-32")])
    def test_wide_encodings_refused_by_name(self, reference, tmp_path, codec, name):
        text = "\n".join(GOOD)
        data = text.encode(codec) if codec != "utf-16-be" else b"\xfe\xff" + text.encode(codec)
        with pytest.raises(DataFormatError, match=rf"f\.csv: encoding {name} is not supported; expected UTF-8 or "
                                                  r"cp1252 \(re-save the file as CSV UTF-8\)"):
            read(write(tmp_path, data))

    def test_nul_bytes_and_undecodable_and_mixed(self, reference, tmp_path):
        with pytest.raises(DataFormatError, match=r"f\.csv: encoding UTF-16 \(no byte-order mark\) is not supported"):
            read(write(tmp_path, "\n".join(GOOD).encode("utf-16-le")))
        with pytest.raises(DataFormatError, match=r"f\.csv: encoding binary \(NUL bytes\) .*NUL byte on line 3"):
            read(write(tmp_path, [*GOOD[:2], "S,100002,B\x00,0.1,1", GOOD[3]]))
        # 0x81 is undefined in cp1252 as well as invalid UTF-8
        with pytest.raises(DataFormatError, match=r"f\.csv: byte 0x81 on line 2 is neither UTF-8 nor cp1252"):
            read(write(tmp_path, b"\n".join([GOOD[0].encode(), b"S,100001,A\x81,0.1,1", GOOD[3].encode()])))
        # a UTF-8 file with one cp1252 byte: decoding it as cp1252 would garble its UTF-8 names silently
        mixed = "\n".join([GOOD[0], "S,100001,Caf\u00e9,0.1,1", GOOD[3]]).encode() + b"\nS,100002,\xe9,0.2,2"
        with pytest.raises(DataFormatError, match=r"f\.csv: mixes encodings: it holds UTF-8 text \(line 2\) but byte "
                                                  r"0xE9 on line 4 is not UTF-8"):
            read(write(tmp_path, mixed))

    def test_first_utf8_character_found_where_a_pattern_finds_it(self):
        """The numpy scan for a UTF-8 character in a cp1252 file, against the regular expression it replaced, on
        random strings of the bytes that matter (lead bytes at each width's edges, continuations, ASCII)."""
        import random
        import re

        pattern = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
        alphabet = [0x41, 0x0A, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]
        rng = random.Random(7)
        for _ in range(5000):
            data = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
            found = pattern.search(data)
            assert screening._first_utf8_sequence(data) == (found.start() if found else None), data
        assert screening._first_utf8_sequence("x\u20ac".encode("cp1252") + "\u00e9".encode()) == 2

    def test_cut_mid_line(self, reference, tmp_path):
        data = write(tmp_path, GOOD).read_bytes()
        # cut just before SUPP: "S,100002,Beta," holds 4 fields (the last one empty)
        with pytest.raises(DataFormatError, match=r"f\.csv: ends mid-record: line 3 has 4 of the header's 5 fields"):
            read(write(tmp_path, data[: data.index(b"SUPP")]))

    def test_unterminated_quote(self, reference, tmp_path):
        with pytest.raises(DataFormatError, match=r"f\.csv: line 4 opens a quoted field that never closes"):
            read(write(tmp_path, [*GOOD[:3], 'N,,"England,-0.03,46.3']))

    def test_too_many_fields_mid_file(self, reference, tmp_path):
        with pytest.raises(DataFormatError, match=r"f\.csv: line 2 has 6 fields; expected 5, as in the header"):
            read(write(tmp_path, [GOOD[0], "S,100001,Alpha,0.25,45.0,x", *GOOD[2:]]))


class TestColumns:
    def test_renamed_column_names_file_year_and_column(self, reference, tmp_path):
        with pytest.raises(DataFormatError, match=r"f\.csv: columns P8 expected for year 2017 \(column map\)"):
            read(write(tmp_path, [GOOD[0].replace("P8", "P8X"), *GOOD[1:]]))

    def test_swapped_headers_refused_by_position(self, reference, tmp_path):
        with pytest.raises(DataFormatError, match=r"f\.csv: column P8 is column 5 of the header, but the 2017 column "
                                                  r"map puts it at column 4, where the file has 'A8'"):
            read(write(tmp_path, [GOOD[0].replace("P8,A8", "A8,P8"), *GOOD[1:]]))

    def test_all_suppressed_required_column(self, reference, tmp_path):
        lines = [GOOD[0], "S,100001,Alpha,SUPP,45.0", "S,100002,Beta,,40.5", "N,,England,SUPP,46.3"]
        with pytest.raises(DataFormatError, match=r"f\.csv: column P8 holds no value in any row \(all SUPP/blank\); "
                                                  r"expected numbers"):
            read(write(tmp_path, lines))

    def test_an_all_blank_optional_column_is_fine(self, reference, tmp_path):
        lines = [GOOD[0], "S,100001,Alpha,0.1,", "N,,England,0.2,"]
        assert read(write(tmp_path, lines))["a8_status"].tolist() == ["missing", "missing"]

    def test_unknown_marker_names_column_line_and_key(self, reference, tmp_path):
        with pytest.raises(DataFormatError, match=r"f\.csv: column A8 holds values that are neither numbers nor known "
                                                  r"DfE codes: 'SUPPX'\. First at line 3 \(URN 100002\)\."):
            read(write(tmp_path, [*GOOD[:2], "S,100002,Beta,0.1,SUPPX", GOOD[3]]))


class TestRecordTypes:
    def test_missing_required_record_type(self, reference, tmp_path):
        with pytest.raises(DataFormatError, match=r"f\.csv: holds no national rows \(RECTYPE N\); expected at least"):
            read(write(tmp_path, GOOD[:3]))

    def test_unknown_record_type(self, reference, tmp_path):
        with pytest.raises(DataFormatError, match=r"f\.csv: column RECTYPE, line 3: record type 'X' is not one this "
                                                  r"file's format holds; expected one of S, N"):
            read(write(tmp_path, [*GOOD[:2], "X,100002,Beta,0.1,1", GOOD[3]]))

    def test_duplicate_key(self, reference, tmp_path):
        with pytest.raises(DataFormatError, match=r"f\.csv: URN 100001 appears twice among school rows \(lines 2 and "
                                                  r"4\); expected one row per school"):
            read(write(tmp_path, [*GOOD[:3], GOOD[1], GOOD[3]]))

    def test_two_unkeyed_rows_of_one_type(self, reference, tmp_path):
        with pytest.raises(DataFormatError, match=r"f\.csv: 2 national rows \(RECTYPE N\) \(lines 4 and 5\); expected one"):
            read(write(tmp_path, [*GOOD, GOOD[3]]))

    def test_blank_key(self, reference, tmp_path):
        with pytest.raises(DataFormatError, match=r"f\.csv: line 3: a school row \(RECTYPE S\) has no URN"):
            read(write(tmp_path, [*GOOD[:2], "S,,Beta,0.1,1", GOOD[3]]))

    def test_verbatim_repeats_only_where_the_table_allows_them(self, reference, tmp_path):
        repeated = write(tmp_path, [*GOOD[:3], GOOD[1], GOOD[3]])
        assert len(read(repeated, "rep")) == 4  # kept as in the file: dropping repeats is the analysis's job
        differ = write(tmp_path, [*GOOD[:3], GOOD[1].replace("45.0", "45.5"), GOOD[3]], "d.csv")
        with pytest.raises(DataFormatError, match=r"d\.csv: URN 100001 appears twice among school rows \(lines 2 and "
                                                  r"4\) with different values"):
            read(differ, "rep")

    def test_as_codes_reads_float_written_codes(self):
        assert record_types.as_codes(pd.Series(["202.0", " SCH", None])).tolist() == ["202", "SCH", ""]


class TestChecksum:
    def registry(self, tmp_path, monkeypatch, content: bytes, *, size: int | None = None) -> sources.Source:
        sha = hashlib.sha256(content).hexdigest()
        reg = tmp_path / "sources.yml"
        reg.write_text("sources:\n- id: tiny\n  role: test\n  year: 2017\n  publisher: DfE\n  licence: OGL-UK-3.0\n"
                       f"  url: https://example.invalid/f.csv\n  sha256: '{sha}'\n  format: csv\n"
                       f"  mirror_path: pub/f.csv\n  bytes: {size if size is not None else len(content)}\n")
        registry = sources.load_registry(reg)
        monkeypatch.setattr(sources, "registry", lambda: registry)
        monkeypatch.setenv("COMPENDIUM_RAW_DIR", str(tmp_path / "raw"))
        (tmp_path / "raw").mkdir(exist_ok=True)
        return registry["tiny"]

    def test_read_time_mismatch_names_file_hashes_and_fetch(self, reference, tmp_path, monkeypatch):
        content = ("\n".join(GOOD) + "\n").encode()
        source = self.registry(tmp_path, monkeypatch, content)
        source.local_path.write_bytes(content.replace(b"0.25", b"0.26"))  # one byte changed, same size
        actual = hashlib.sha256(source.local_path.read_bytes()).hexdigest()
        with pytest.raises(SourceError, match=rf"tiny\.csv: sha256 {actual}, expected {source.sha256} \(data/sources"
                                              r"\.yml entry tiny\); .*run `compendium fetch`"):
            read(source.local_path)
        monkeypatch.setenv(screening.SKIP_CHECKSUM_ENV, "1")  # tests and fuzzing only
        assert read(source.local_path)["p8"].iloc[0] == 0.26

    def test_read_time_size_mismatch(self, reference, tmp_path, monkeypatch):
        content = ("\n".join(GOOD) + "\n").encode()
        source = self.registry(tmp_path, monkeypatch, content)
        source.local_path.write_bytes(content[:40])
        with pytest.raises(SourceError, match=rf"tiny\.csv: 40 bytes, expected {len(content)} \(data/sources\.yml "
                                              r"entry tiny\)"):
            screening.screen_registered(source)

    def test_screen_registered_returns_the_sha_read(self, reference, tmp_path, monkeypatch):
        content = ("\n".join(GOOD) + "\n").encode()
        source = self.registry(tmp_path, monkeypatch, content)
        source.local_path.write_bytes(content)
        assert screening.screen_registered(source) == hashlib.sha256(content).hexdigest()
        assert sources.source_at(source.local_path) == source and sources.source_at(tmp_path / "other.csv") is None

    def test_fetch_refuses_a_wrong_size(self, tmp_path, monkeypatch):
        content = ("\n".join(GOOD) + "\n").encode()
        source = self.registry(tmp_path, monkeypatch, content, size=len(content) + 1)
        (tmp_path / "mirror" / "pub").mkdir(parents=True)
        (tmp_path / "mirror" / "pub" / "f.csv").write_bytes(content)
        with pytest.raises(SourceError, match=rf"Size mismatch for tiny .*expected {len(content) + 1} bytes, got "
                                              rf"{len(content)}"):
            sources.fetch_one(source, tmp_path / "mirror")
        assert list((tmp_path / "raw").iterdir()) == []


class TestSchemaErrors:
    def test_tidy_column_told_as_dfe_column_line_and_key(self, reference, tmp_path):
        import pandera.pandas as pa

        path = write(tmp_path, [*GOOD[:2], "S,100002,Beta,99,40.5", GOOD[3]])
        schema = pa.DataFrameSchema({"p8": pa.Column(float, pa.Check.in_range(-10, 10), nullable=True)})
        with pytest.raises(DataFormatError, match=r"f\.csv: column P8 \(tidy p8\), line 3 \(URN 100002\): value 99\.0 "
                                                  r"is outside -10 to 10"):
            schema_errors.validate(schema, read(path), file=path, map_name="tiny", year=2017)


class TestBinary:
    def test_empty_and_corrupt_parquet(self, tmp_path):
        (tmp_path / "e.parquet").write_bytes(b"")
        with pytest.raises(DataFormatError, match=r"e\.parquet: the file is empty"):
            screening.screen_binary(tmp_path / "e.parquet", pd.read_parquet, kind="a parquet file")
        pd.DataFrame({"a": range(100)}).to_parquet(tmp_path / "c.parquet")
        (tmp_path / "c.parquet").write_bytes((tmp_path / "c.parquet").read_bytes()[:-30])
        with pytest.raises(DataFormatError, match=r"c\.parquet: cannot be read as a parquet file"):
            screening.screen_binary(tmp_path / "c.parquet", pd.read_parquet, kind="a parquet file")


class TestReferenceTable:
    def test_ks4_levels_agree_with_the_labels(self):
        from analysis.data import ks4

        table = record_types.table("ks4_school")
        assert [ks4.record_level(label) for label in table["label"]] == table["level"].tolist()

    def test_metadata_disagreement_names_both(self):
        from analysis.data import ks4

        meta = pd.DataFrame({"Metafile heading": ["RECTYPE"], "Metafile description": [
            "Record type (1=mainstream school; 2=special school; 4=local authority; 5=National (all schools); "
            "7=National (state-funded schools))"]})
        with pytest.raises(DataFormatError, match=r"meta\.csv: RECTYPE 7 is 'National \(state-funded schools\)' in the "
                                                  r"metadata but 'National \(maintained schools\)' in data/reference/"
                                                  r"record_types\.csv"):
            ks4.rectype_labels(meta, file="meta.csv")
