"""Fuzzing the screening (hypothesis, seeded, bounded) on the real mirror files, checksum step bypassed.

Every example takes one real file (KS4 full-schema per-LA files, KS4 5ACEM, census, absence, the trimmed KS2 and
KS4 files) and one mutation:

* invalid: cut mid-record, a repeated key, an unknown code in a measure column, broken encoding, a required
  record type removed, two header names swapped: the reader must refuse it with one line naming the file and
  what is wrong there (the line, key, column or encoding);
* valid: whole records deleted, shuffled, or (where the format has them) repeated verbatim: the reader must give
  exactly the tidy table the mutation implies.

A mutation accepted with any other table is a silent change; a valid one refused is a false refusal. Both are
counted (``pytest -s`` prints the counts) and must be zero.
"""

from __future__ import annotations

import random
import tempfile
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("hypothesis", reason="hypothesis is in pyproject's dev extra: `make lock` then `make venv`")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from analysis.data import record_types, screening  # noqa: E402
from analysis.errors import CompendiumError  # noqa: E402

from . import _mutate as mut  # noqa: E402

INVALID = ("cut", "duplicate key", "unknown code", "encoding", "record type removed", "headers swapped")
VALID = ("rows deleted", "rows shuffled", "verbatim repeat")
EXAMPLES = 200


def _mutate(orig: mut.Original, kind: str, rng: random.Random) -> tuple[bytes, object, list[str]]:
    """(bytes, implied tidy table or None when the result must be refused, fragments the error must name)."""
    n, records = orig.n, orig.records
    if kind == "cut":
        data = orig.assemble(records)
        row = rng.randrange(n)
        start = data.index(records[row], len(orig.header))
        # strictly inside the record and before its last comma: the cut record lacks at least one field
        # (a cut inside the last field of the last record is told only by the registry's size and sha256)
        return data[: start + rng.randint(1, records[row].rindex(b","))], None, ["line"]
    schools = orig.school_records()
    if kind == "duplicate key":
        row = rng.choice(schools)
        key = record_types.as_codes(orig.raw[_key_column(orig)].iloc[[row]]).iloc[0]  # as the message writes it
        copy = records[row]
        if _verbatim_allowed(orig):  # a verbatim repeat is valid here: change a measure in the copy
            column = rng.choice(orig.number_columns())
            copy = orig.with_cell(row, column, "12345" if orig.raw[column].iloc[row].strip() != "12345" else "1")
        at = rng.randrange(n + 1)
        return orig.assemble(records[:at] + [copy] + records[at:]), None, [key]
    if kind == "unknown code":
        row, column = rng.randrange(n), rng.choice(orig.number_columns())
        code = rng.choice(["SUPPX", "N/A", "?", "tbc", "NEX", "x1"])
        return orig.assemble(records[:row] + [orig.with_cell(row, column, code)] + records[row + 1:]), None, [column]
    if kind == "encoding":
        return _broken_encoding(orig, rng), None, []
    if kind == "record type removed":
        table = record_types.table(orig.fmt.map_name)
        required = table.loc[table["required"] == "yes", "code"].tolist()
        anyof = table.loc[table["required"] == "any", "code"].tolist()
        gone = [rng.choice(required)] if required and (not anyof or rng.random() < 0.7) else anyof
        kept = [r for r, k in zip(records, orig.kinds, strict=True) if k not in gone]
        return orig.assemble(kept), None, ["holds no" if kept else "no rows"]
    if kind == "headers swapped":
        mapped = orig.column_map["dfe_column"].tolist()
        a = rng.choice(mapped)
        b = rng.choice([c for c in orig.text.header if c != a])
        return mut.swap_header(orig, a, b), None, [a if orig.text.header.index(a) < orig.text.header.index(b)
                                                    or b not in mapped else b]
    order = list(range(n))
    if kind == "rows deleted":
        gone = set(rng.sample(schools, rng.randint(1, min(len(schools) - 1, 40))))
        order = [i for i in order if i not in gone]
    elif kind == "rows shuffled":
        rng.shuffle(order)
    else:  # verbatim repeat, where the format allows it
        at = rng.randrange(n + 1)
        order = order[:at] + [rng.choice(schools)] + order[at:]
    return orig.assemble([records[i] for i in order]), orig.implied(order), []


def _key_column(orig: mut.Original) -> str:
    table = record_types.table(orig.fmt.map_name)
    return table.loc[table["level"] == "school", "key"].iloc[0]


def _verbatim_allowed(orig: mut.Original) -> bool:
    return bool((record_types.table(orig.fmt.map_name)["repeats"] == "verbatim").any())


def _broken_encoding(orig: mut.Original, rng: random.Random) -> bytes:
    data = orig.assemble(orig.records)
    at = rng.randrange(len(data) + 1)
    ways = ["utf-16", "utf-32", "nul", "undefined byte"]
    if orig.text.encoding in ("cp1252", "utf-8-sig"):  # a UTF-8 character in cp1252, a cp1252 byte after a BOM
        ways.append("mixed")
    way = rng.choice(ways)
    if way in ("utf-16", "utf-32"):
        return data.decode(orig.text.encoding).encode(way)
    insert = {"nul": b"\x00", "undefined byte": bytes([rng.choice([0x81, 0x8D, 0x8F, 0x90, 0x9D])]),
              "mixed": "\u00e9".encode() if orig.text.encoding == "cp1252" else b"\xe9"}[way]
    if way == "mixed" and orig.text.encoding == "utf-8-sig":
        at = max(at, 3)  # after the byte-order mark
    return data[:at] + insert + data[at:]


@pytest.fixture(scope="module")
def originals(raw_data_present):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COMPENDIUM_NO_CACHE", "1")
        yield {f.source_id: mut.original(f.source_id) for f in mut.FORMATS}


def test_fuzz_the_screening(originals, monkeypatch, capsys):
    monkeypatch.setenv(screening.SKIP_CHECKSUM_ENV, "1")  # the checksum would refuse every mutation first
    counts: Counter = Counter()
    problems: list[str] = []
    ids = sorted(originals)

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(source=st.sampled_from(ids), kind=st.sampled_from(INVALID + VALID), seed=st.integers(0, 2**32 - 1))
    def run(source, kind, seed):
        orig = originals[source]
        if kind == "verbatim repeat" and not _verbatim_allowed(orig):
            kind = "rows shuffled"
        data, implied, names = _mutate(orig, kind, random.Random(seed))
        counts["tried"] += 1
        counts[kind] += 1
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / orig.path.name  # same name: the tidy table's source_file
            path.write_bytes(data)
            try:
                tidy = orig.fmt.read(path)
            except CompendiumError as exc:
                message = str(exc)
                named = message.startswith(str(path)) and "\n" not in message and all(n in message for n in names)
                if implied is not None:
                    counts["false refusals"] += 1
                    problems.append(f"{source} {kind} seed {seed}: refused: {message}")
                elif not named:
                    counts["unnamed errors"] += 1
                    problems.append(f"{source} {kind} seed {seed}: error does not name {names}: {message}")
                else:
                    counts["refused"] += 1
                return
        if implied is None or not mut.equal(tidy, implied):
            counts["silent changes"] += 1
            problems.append(f"{source} {kind} seed {seed}: accepted, tidy table "
                            f"{'changed' if implied is None else 'differs from the implied one'}")
        else:
            counts["valid, exact"] += 1

    run()
    with capsys.disabled():
        print(f"\nscreening fuzz: {counts['tried']} mutations tried, {counts['silent changes']} silent changes, "
              f"{counts['refused']} refused by name, {counts['valid, exact']} valid and exact, "
              f"{counts['false refusals']} false refusals, {counts['unnamed errors']} unnamed errors; "
              + ", ".join(f"{k} {counts[k]}" for k in INVALID + VALID))
        for line in problems[:20]:
            print("  " + line)
    assert counts["tried"] >= EXAMPLES // 2
    assert counts["silent changes"] == 0 and counts["false refusals"] == 0 and counts["unnamed errors"] == 0, problems


def test_the_comparison_tells_every_kind_of_difference():
    """``_mutate.equal``, which decides "valid and exact" above, against hand-made frames."""
    import pandas as pd

    base = pd.DataFrame({"urn": pd.array(["1", None], dtype="string"), "p8": [0.5, float("nan")]})
    assert mut.equal(base, base.copy())  # NaN where NaN, NA where NA
    assert not mut.equal(base, base.assign(p8=[0.5, 0.25]))  # a cell
    assert not mut.equal(base, base.assign(p8=[0.5000001, float("nan")]))  # exact, no tolerance
    assert not mut.equal(base, base.astype({"urn": "str"}))  # a dtype with the same values
    assert not mut.equal(base, base.rename(columns={"p8": "a8"}))  # a label
    assert not mut.equal(base, base[["p8", "urn"]])  # column order
    assert not mut.equal(base, base.set_axis([1, 0]))  # the index's type
    assert not mut.equal(base, base.set_axis(pd.RangeIndex(1, 3)))  # the index's values
    assert not mut.equal(base, base.rename_axis("row"))  # the index's name
    assert not mut.equal(base, base.iloc[:1])  # a row
