"""The bad-input matrix: damaged copies of the real files, read the way a notebook reads them (registry role),
are refused with one line naming the file, the DfE column and the line or key; valid mutations give exactly the
tidy table they imply. The issue's own cases come first (issue 17)."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from analysis import data as load
from analysis.data import sources
from analysis.errors import CompendiumError, DataFormatError, SourceError

from . import _mutate as mut

READ = {
    "ks4_final_2017_320": lambda: load.read_ks4_performance(year=2017, la="320"),
    "ks4_final_2017_815": lambda: load.read_ks4_performance(year=2017, la="815"),
    "ks4_final_2017_850": lambda: load.read_ks4_performance(year=2017, la="850"),
    "ks4_final_2017_936": lambda: load.read_ks4_performance(year=2017, la="936"),
    "ks4_5acem_2014": lambda: load.read_ks4_5acem(year=2014),
    "census_2017": lambda: load.read_census(year=2017),
    "absence_2016": lambda: load.read_absence(year=2016),
    "ks2_trimmed_2016": lambda: load.read_ks2_trimmed(year=2016),
    "ks4_trimmed_2017": lambda: load.read_ks4_trimmed(year=2017),
    "lait_long": lambda: load.read_lait(indicators=["DAP_KS4_Prog8"]),
    "gias_links_2021": lambda: load.read_gias_links(),
}


def refused(read, pattern: str) -> str:
    with pytest.raises(CompendiumError) as caught:
        read()
    message = str(caught.value)
    assert "\n" not in message, message  # one line
    assert pytest.importorskip("re").search(pattern, message), message
    return message


class TestIssueCases:
    def test_815_cut_mid_line_is_refused_not_34_rows(self, raw_copy):
        # issue 17: cut at 64,706 bytes the file kept 34 of 72 rows, lost the national rows, and the run succeeded
        cut = raw_copy.bytes_of("ks4_final_2017_815")[:64_706]
        path = raw_copy.damage("ks4_final_2017_815", cut)  # registered with its own sha256: the screening decides
        refused(READ["ks4_final_2017_815"], rf"^{path}: ends mid-record: line 35 has 393 of the header's 416 fields; "
                                            r"expected a complete last record")

    def test_815_cut_against_the_real_registry_entry_fails_on_size(self, raw_copy):
        raw_copy.damage("ks4_final_2017_815", raw_copy.bytes_of("ks4_final_2017_815")[:64_706], register=False)
        refused(READ["ks4_final_2017_815"], r"ks4_final_2017_815\.csv: 64,706 bytes, expected 129,399 \(data/"
                                            r"sources\.yml entry ks4_final_2017_815\).*run `compendium fetch`")

    def test_815_duplicated_school_row(self, raw_copy):
        orig = mut.original("ks4_final_2017_815")
        row = orig.school_records()[10]
        urn = orig.raw["URN"].iloc[row]
        records = orig.records[:12] + [orig.records[row]] + orig.records[12:]
        raw_copy.damage("ks4_final_2017_815", orig.assemble(records))
        # the copy is record 13 (line 14); the original is record row (line row + 2)
        refused(READ["ks4_final_2017_815"], rf"URN {urn} appears twice among school rows \(lines {row + 2} and 14\); "
                                            r"expected one row per school")

    def test_one_byte_changed_in_the_raw_file_is_caught_at_read(self, raw_copy):
        data = bytearray(raw_copy.bytes_of("ks4_final_2017_815"))
        at = data.index(b"0.17")
        data[at + 3] = ord("8")  # the LA row's P8 0.17 -> 0.18: a valid file, but not the registered one
        raw_copy.damage("ks4_final_2017_815", bytes(data), register=False)
        entry = sources.registry()["ks4_final_2017_815"]
        message = refused(READ["ks4_final_2017_815"], rf"ks4_final_2017_815\.csv: sha256 [0-9a-f]{{64}}, expected "
                                                      rf"{entry.sha256} .*run `compendium fetch`")
        assert entry.sha256.startswith("e4758f39") and entry.sha256 not in message.split("expected")[0]


def _bytes(orig, records=None, header=None):
    return orig.assemble(orig.records if records is None else records, header)


def _drop_kind(orig, code):
    return _bytes(orig, [r for r, k in zip(orig.records, orig.kinds, strict=True) if k != code])


def _set(orig, row, column, value):
    records = list(orig.records)
    records[row] = orig.with_cell(row, column, value)
    return _bytes(orig, records)


def _cut_inside(orig, row):
    record = orig.records[row]
    data = _bytes(orig)
    start = data.index(record)
    return data[: start + record.rindex(b",") - 3]


# (case, source, damage(orig) -> bytes, pattern): every pattern names the file and the column, line or key
CASES = [
    ("renamed column", "ks4_final_2017_320",
     lambda o: _bytes(o, header=o.header.replace(b"P8MEA_FSM6CLA1A,", b"P8MEA_FSM6,", 1)),
     r"320\.csv: columns P8MEA_FSM6CLA1A expected for year 2017 \(column map\) are not in the file"),
    ("unknown code", "ks4_final_2017_320", lambda o: _set(o, 3, "P8MEA", "SUPPX"),
     r"320\.csv: column P8MEA holds values that are neither numbers nor known DfE codes: 'SUPPX'\. First at line 5 "
     r"\(URN \d+\)"),
    ("all suppressed", "ks4_final_2017_815",
     lambda o: _bytes(o, [o.with_cell(i, "P8MEA_FSM6CLA1A", "SUPP") for i in range(o.n)]),
     r"815\.csv: column P8MEA_FSM6CLA1A holds no value in any row \(all SUPP\); expected numbers"),
    ("duplicate key", "census_2017", lambda o: _bytes(o, o.records + [o.records[100]]),
     r"census_2017\.csv: URN \d+ appears twice among school rows \(lines 102 and \d+\)"),
    ("utf-16", "ks4_final_2017_850", lambda o: _bytes(o).decode("utf-8-sig").encode("utf-16"),
     r"850\.csv: encoding UTF-16 is not supported; expected UTF-8 or cp1252 \(re-save the file as CSV UTF-8\)"),
    # a cp1252 file with one name saved as UTF-8: read as cp1252 it would be garbled silently
    ("mixed encoding", "ks4_5acem_2014",
     lambda o: _bytes(o, o.records[:7] + [o.records[7].replace(b",", "\u00e9,".encode(), 1)] + o.records[8:]),
     r"ks4_5acem_2014\.csv: mixes encodings: it holds UTF-8 text \(line 9\) but byte 0x[0-9A-F]{2} on line \d+ is "
     r"not UTF-8"),
    ("truncated", "absence_2016", lambda o: _cut_inside(o, 5000),
     r"absence_2016\.csv: ends mid-record: line 5002 has \d of the header's 5 fields"),
    ("truncated quoted", "gias_links_2021", lambda o: o.data[: o.data.index(b',"', 5000) + 4],
     r"gias_links_2021\.csv: line \d+ opens a quoted field that never closes"),
    ("empty", "ks2_trimmed_2016", lambda o: b"", r"ks2_trimmed_2016\.csv: the file is empty"),
    ("header only", "ks4_trimmed_2017", lambda o: o.header + b"\r\n",
     r"ks4_trimmed_2017\.csv: has a header but no rows"),
    ("no LA row", "ks4_final_2017_320", lambda o: _drop_kind(o, "4"),
     r"320\.csv: holds no local authority rows \(RECTYPE 4\); expected at least one"),
    ("no state-funded national row", "ks4_final_2017_850", lambda o: _drop_kind(o, "7"),
     r"850\.csv: holds no National \(maintained schools\) rows \(RECTYPE 7\)"),
    ("no national totals", "census_2017", lambda o: _drop_kind(o, "NAT"),
     r"census_2017\.csv: holds no national total \(ESTAB PRI or SEC\) rows \(URN NAT\)"),
    ("no LA rows", "ks4_5acem_2014", lambda o: _drop_kind(o, "LA"),
     r"ks4_5acem_2014\.csv: holds no local authority rows \(RECTYPE LA\)"),
    ("repeat that differs", "ks4_5acem_2014",
     lambda o: _bytes(o, o.records + [o.with_cell(o.school_records()[0], "TPUP", "999")]),
     r"ks4_5acem_2014\.csv: URN [\d.]+ appears twice among school rows \(lines \d+ and 3585\) with different values"),
    ("headers swapped", "ks4_final_2017_936", lambda o: mut.swap_header(o, "P8MEA", "P8MEA_16"),
     r"936\.csv: column P8MEA is column \d+ of the header, but the 2017 column map puts it at column \d+, where "
     r"the file has 'P8MEA_16'"),
    ("out of range", "ks4_final_2017_815", lambda o: _set(o, 15, "P8MEA", "99"),
     r"815\.csv: column P8MEA \(tidy p8_all\), line 17 \(URN \d+\): value 99\.0 is outside -10 to 10"),
    ("unknown record type", "ks4_final_2017_815", lambda o: _set(o, 3, "RECTYPE", "9"),
     r"815\.csv: column RECTYPE, line 5: record type '9' is not one this file's format holds; expected one of "
     r"1, 2, 4, 5, 7"),
]


@pytest.mark.parametrize("case, source_id, damage, pattern", CASES, ids=[c[0] for c in CASES])
def test_damaged_file_is_refused_by_name(raw_copy, case, source_id, damage, pattern):
    orig = mut.original(source_id) if source_id in mut.BY_ID else _plain(source_id)
    path = raw_copy.damage(source_id, damage(orig))
    message = refused(READ[source_id], pattern)
    assert message.startswith(str(path)), message


class _Plain:
    def __init__(self, data: bytes):
        self.data = data


def _plain(source_id):
    return _Plain((mut.REAL_RAW / sources.registry()[source_id].filename).read_bytes())


@pytest.mark.parametrize("data, pattern", [
    (b"", r"lait_long\.parquet: the file is empty"),
    (b"PAR1 not a parquet file", r"lait_long\.parquet: cannot be read as a parquet file"),
], ids=["empty parquet", "corrupt parquet"])
def test_damaged_parquet(raw_copy, data, pattern):
    raw_copy.damage("lait_long", data)
    refused(READ["lait_long"], pattern)


def test_lait_duplicated_row(raw_copy, tmp_path):
    lait = pd.read_parquet(mut.REAL_RAW / "lait_long.parquet")
    pd.concat([lait, lait.iloc[[1000]]], ignore_index=True).to_parquet(tmp_path / "l.parquet")
    raw_copy.damage("lait_long", (tmp_path / "l.parquet").read_bytes())
    refused(READ["lait_long"], r"lait_long\.parquet: Short Desc .*, Years .*, LA Number .* appears twice among "
                               r"local authority rows \(row 1001, row 641071\)")


def test_checksum_mismatch_at_fetch(tmp_path, raw_copy):
    source = sources.registry()["ks4_final_2017_815"]
    mirror = tmp_path / "mirror" / source.mirror_path
    mirror.parent.mkdir(parents=True)
    data = bytearray(raw_copy.bytes_of(source.id))
    data[100] ^= 1
    mirror.write_bytes(bytes(data))
    (raw_copy.dir / source.filename).unlink()
    with pytest.raises(SourceError, match=r"Checksum mismatch for ks4_final_2017_815 .*815_2017_ks4final\.csv\): "
                                          rf"expected sha256 {source.sha256}"):
        sources.fetch_one(source, tmp_path / "mirror")
    mirror.write_bytes(bytes(data[:64_706]))
    with pytest.raises(SourceError, match=r"Size mismatch for ks4_final_2017_815 .*expected 129,399 bytes, got 64,706"):
        sources.fetch_one(source, tmp_path / "mirror")
    assert not (raw_copy.dir / source.filename).exists()  # nothing half-written is left


class TestValidMutations:
    """Whole records deleted or shuffled: exactly the tidy table the mutation implies."""

    @pytest.mark.parametrize("source_id", ["ks4_final_2017_815", "ks4_final_2017_850", "census_2017",
                                           "ks4_5acem_2014", "ks2_trimmed_2016"])
    def test_school_rows_deleted(self, raw_copy, source_id):
        orig = mut.original(source_id)
        gone = set(random.Random(17).sample(orig.school_records(), 5))
        keep = [i for i in range(orig.n) if i not in gone]
        raw_copy.damage(source_id, orig.assemble([orig.records[i] for i in keep]))
        assert mut.equal(READ[source_id](), orig.implied(keep))

    @pytest.mark.parametrize("source_id", ["ks4_final_2017_320", "ks4_final_2017_936", "absence_2016",
                                           "ks4_5acem_2014", "ks4_trimmed_2017"])
    def test_rows_shuffled(self, raw_copy, source_id):
        orig = mut.original(source_id)
        order = list(range(orig.n))
        random.Random(17).shuffle(order)
        raw_copy.damage(source_id, orig.assemble([orig.records[i] for i in order]))
        assert mut.equal(READ[source_id](), orig.implied(order))

    def test_a_5acem_school_repeated_verbatim_is_kept(self, raw_copy):
        orig = mut.original("ks4_5acem_2014")
        order = [*range(orig.n), orig.school_records()[3]]
        raw_copy.damage("ks4_5acem_2014", orig.assemble([orig.records[i] for i in order]))
        assert mut.equal(READ["ks4_5acem_2014"](), orig.implied(order))

    def test_undamaged_copy_reads_as_the_original(self, raw_copy):
        orig = mut.original("ks4_final_2017_815")
        raw_copy.damage("ks4_final_2017_815", orig.data)
        assert mut.equal(READ["ks4_final_2017_815"](), orig.tidy)
