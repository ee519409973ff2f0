"""Screening at the boundary: every raw file is checked before it becomes a tidy table.

In the spirit of DfE's own data screener, a reader refuses a file, with one line naming the file, the DfE
column, the line or key, what was found and what was expected, when:

* its size or sha256 differ from its registry entry (:func:`screen_registered`; a user's file has no entry);
* it is empty, or has a header but no rows;
* it is not UTF-8, UTF-8 with a byte-order mark or cp1252 (UTF-16, NUL bytes, undecodable or mixed bytes);
* a record has more fields than the header, the last one fewer with no line break after it, or a quoted field
  never closes (a file cut mid-line; DfE's own files drop trailing blank fields from some rows, which pandas
  reads as blanks);
* a mapped column is missing, is not where the year's layout puts it, or is ``required`` and holds no number
  in any row (``data/reference/column_maps/``);
* a record type the format must hold is absent, a record type is unknown, or a key repeats
  (``data/reference/record_types.csv``, :mod:`analysis.data.record_types`).

Set ``COMPENDIUM_SKIP_CHECKSUM=1`` to skip the checksum step: for tests and fuzzing only, never for a run.

>>> import tempfile; from pathlib import Path
>>> f = Path(tempfile.mkdtemp()) / "t.csv"; _ = f.write_bytes(b"URN,P8MEA\\n100001,0.5\\n100002,0.")
>>> text = screen_text(f); text.encoding, text.header, text.lines.tolist()
('utf-8', ['URN', 'P8MEA'], [2, 3])
>>> _ = f.write_bytes(b"URN,P8MEA\\n100001,0.5\\n1000")
>>> screen_text(f)
Traceback (most recent call last):
...
analysis.errors.DataFormatError: ...t.csv: ends mid-record: line 3 has 1 of the header's 2 fields; expected a complete last record (the file is cut short: fetch or export it again)
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataFormatError, SourceError
from . import sources

#: Test-only switch: skip the sha256/size comparison with the registry (every other check still runs).
SKIP_CHECKSUM_ENV = "COMPENDIUM_SKIP_CHECKSUM"

_UTF8_BOM = b"\xef\xbb\xbf"
_WIDE_BOMS = ((b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe\x00\x00", "UTF-32"), (b"\xfe\xff", "UTF-16"),
              (b"\xff\xfe", "UTF-16"))
# A well-formed multi-byte UTF-8 sequence: in a file that is not valid UTF-8 it means two encodings are mixed.
_BLANK = re.compile(rb"(?:\xef\xbb\xbf)?\s*")
_RESAVE = "expected UTF-8 or cp1252 (re-save the file as CSV UTF-8)"
_digests: dict[tuple[str, int, int], str] = {}


# ------------------------------------------------------------------ checksums
def file_sha256(path: Path | str, data: bytes | None = None) -> str:
    """sha256 of ``path``, memoised per (path, size, mtime); ``data``: its bytes if already read (no second read)."""
    stat = os.stat(path)
    key = (os.path.abspath(path), stat.st_size, stat.st_mtime_ns)
    if key not in _digests:
        fresh = data is not None and len(data) == stat.st_size
        _digests[key] = hashlib.sha256(data).hexdigest() if fresh else sources.sha256_of(Path(path))
    return _digests[key]


def checksum_skipped() -> bool:
    return bool(os.environ.get(SKIP_CHECKSUM_ENV))


def screen_registered(source: sources.Source, data: bytes | None = None) -> str:
    """Check a fetched file's size and sha256 against its registry entry; return the sha256 actually read.

    The pipeline calls this for every role a notebook will read before any notebook starts; every reader
    calls it (through :func:`verify`) on the file it opens. With ``COMPENDIUM_SKIP_CHECKSUM`` set the digest
    is returned without being compared.
    """
    path = source.local_path
    if not path.exists():
        raise SourceError(f"{path} is missing: run `compendium fetch` (or `make data`) to download {source.id}")
    size = path.stat().st_size
    entry = f"data/sources.yml entry {source.id}"
    if source.bytes is not None and size != int(source.bytes) and not checksum_skipped():
        raise SourceError(f"{path}: {size:,} bytes, expected {int(source.bytes):,} ({entry}); the file is "
                          "incomplete or changed since it was fetched: run `compendium fetch`")
    actual = file_sha256(path, data)
    if actual != source.sha256 and not checksum_skipped():
        raise SourceError(f"{path}: sha256 {actual}, expected {source.sha256} ({entry}); the file changed "
                          "since it was fetched: run `compendium fetch`")
    return actual


def verify(path: Path | str, data: bytes | None = None) -> str | None:
    """:func:`screen_registered` when ``path`` is a registered file's local copy; None for any other file."""
    if checksum_skipped():
        return None
    source = sources.source_at(path)
    return None if source is None else screen_registered(source, data)


# ------------------------------------------------------------------ bytes: encoding, records, fields
@dataclass(frozen=True)
class TextFile:
    """A screened CSV: its bytes, encoding, header names and, per data record, its first line and byte span."""

    path: Path
    data: bytes
    encoding: str
    header: list[str]
    lines: np.ndarray  # physical line (1-based; the header is line 1) where each data record starts
    spans: np.ndarray  # (n, 2) byte offsets [start, stop) of each data record

    def record(self, row: int) -> bytes:
        start, stop = self.spans[row]
        return self.data[start:stop].rstrip(b"\r\n")


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _first_utf8_sequence(data: bytes) -> int | None:
    """Where the first UTF-8 multi-byte character starts (a lead byte C2-DF, E0-EF or F0-F4, then one, two or three
    bytes 80-BF), or None. Only the few bytes from 0x80 are checked: 1 ms for a 4 MB cp1252 file, not a regex's 140.

    >>> _first_utf8_sequence("ab\u00e9".encode()), _first_utf8_sequence("ab\u00e9".encode("cp1252"))
    (2, None)
    """
    b = np.frombuffer(data, dtype=np.uint8)
    high, first = np.flatnonzero(b >= 0x80), None
    for width, low, top in ((2, 0xC2, 0xDF), (3, 0xE0, 0xEF), (4, 0xF0, 0xF4)):
        lead = high[(b[high] >= low) & (b[high] <= top) & (high + width <= len(b))]
        ok = np.ones(len(lead), dtype=bool)
        for k in range(1, width):
            ok &= (b[lead + k] >= 0x80) & (b[lead + k] <= 0xBF)
        if ok.any():
            first = int(lead[ok][0]) if first is None else min(first, int(lead[ok][0]))
    return first


def detect_encoding(data: bytes, file: Path | str = "file") -> str:
    """'utf-8-sig', 'utf-8' or 'cp1252'; anything else (UTF-16/32, NUL bytes, mixed or undecodable) is refused.

    >>> detect_encoding("Caf\\u00e9".encode()), detect_encoding("Caf\\u00e9".encode("cp1252"))
    ('utf-8', 'cp1252')
    >>> detect_encoding("URN".encode("utf-16"), "f.csv")
    Traceback (most recent call last):
    ...
    analysis.errors.DataFormatError: f.csv: encoding UTF-16 is not supported; expected UTF-8 or cp1252 (re-save the file as CSV UTF-8)
    """
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            raise DataFormatError(f"{file}: encoding {name} is not supported; {_RESAVE}")
    nul = data.find(b"\x00")
    if nul >= 0:
        # UTF-16 text without a byte-order mark has a NUL beside nearly every ASCII character.
        name = "UTF-16 (no byte-order mark)" if data.count(b"\x00") * 3 > len(data) else "binary (NUL bytes)"
        raise DataFormatError(f"{file}: encoding {name} is not supported (NUL byte on line {_line_at(data, nul)}); "
                              f"{_RESAVE}")
    body = data[3:] if data.startswith(_UTF8_BOM) else data
    try:
        body.decode("utf-8")
        return "utf-8-sig" if body is not data else "utf-8"
    except UnicodeDecodeError as exc:
        bad = f"byte 0x{body[exc.start]:02X} on line {_line_at(body, exc.start)}"
        utf8 = _first_utf8_sequence(body)
        if body is not data or utf8 is not None:
            found = "starts with a UTF-8 byte-order mark" if body is not data else (
                f"holds UTF-8 text (line {_line_at(body, utf8)})")
            raise DataFormatError(f"{file}: mixes encodings: it {found} but {bad} is not UTF-8; "
                                  f"{_RESAVE}") from None
    try:
        data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"{file}: byte 0x{data[exc.start]:02X} on line {_line_at(data, exc.start)} is "
                              f"neither UTF-8 nor cp1252; {_RESAVE}") from None
    return "cp1252"


def _scan_fast(data: bytes, newlines: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(record starts, stops, fields) with quotes paired in file order; None if the quotes do not pair."""
    b = np.frombuffer(data, dtype=np.uint8)
    commas = np.flatnonzero(b == 44)
    ends = newlines
    quotes = np.flatnonzero(b == 34) if b'"' in data else np.empty(0, dtype=np.intp)
    if len(quotes) % 2:
        return None
    opens, closes = quotes[0::2], quotes[1::2]
    inside = np.searchsorted(newlines, closes) - np.searchsorted(newlines, opens)
    if inside.any():  # a line break inside a quoted field does not end the record
        keep = np.ones(len(newlines), dtype=bool)
        for k in np.flatnonzero(inside):
            keep[np.searchsorted(newlines, opens[k]) : np.searchsorted(newlines, closes[k])] = False
        ends = newlines[keep]
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(data)]))
    fields = np.searchsorted(commas, stops) - np.searchsorted(commas, starts) + 1
    if len(quotes):
        quoted = np.searchsorted(commas, closes) - np.searchsorted(commas, opens)
        np.subtract.at(fields, np.searchsorted(starts, opens, side="right") - 1, quoted)
    return starts, stops, fields


def _scan_exact(data: bytes, newlines: np.ndarray, encoding: str, file: Path
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same as :func:`_scan_fast`, record by record with the csv module (pandas' rules for stray quotes)."""
    pieces = data.decode(encoding).split("\n")
    offsets = np.concatenate(([0], newlines + 1, [len(data)]))
    for strict in (True, False):
        consumed = [0]  # physical lines the reader has taken: csv's line_num also counts bare carriage returns

        def feed():
            for k, piece in enumerate(pieces):
                consumed[0] = k + 1
                yield piece + "\n"  # also after the last piece: csv only tells an open quote at EOF after a break

        starts, stops, fields, done = [], [], [], 0
        reader = csv.reader(feed(), strict=strict)
        try:
            for row in reader:
                starts.append(offsets[done])
                done = consumed[0]
                stops.append(offsets[done] - (done < len(pieces)))  # the stop is the record's own line end
                fields.append(len(row) if row else 1)
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                raise DataFormatError(f"{file}: line {done + 1} opens a quoted field that never closes (the file "
                                      "ends inside it); expected a closing quote (the file is cut short)") from None
            continue  # a stray quote pandas reads as text: count again without strict quoting
        return np.array(starts), np.array(stops), np.array(fields)
    raise DataFormatError(f"{file}: cannot be split into records; expected a CSV file")


def screen_text(path: Path | str, *, checksum: bool = True) -> TextFile:
    """Read a CSV's bytes once and screen them: checksum (registered files), emptiness, encoding, whole records.

    No record may have more fields than the header, nor the last one fewer unless a line break ends it (a file
    cut mid-line is refused, naming the line, the fields found and expected). Blank lines are skipped, as pandas
    skips them.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{path} does not exist") from None
    if checksum:
        verify(path, data)
    if _BLANK.fullmatch(data):
        raise DataFormatError(f"{path}: the file is empty; expected a header line and rows")
    encoding = detect_encoding(data, path)
    if b"\n" not in data and b"\r" in data:
        raise DataFormatError(f"{path}: lines end in bare carriage returns; expected \\n or \\r\\n line ends "
                              "(re-save the file as CSV UTF-8)")
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    scanned = _scan_fast(data, newlines)
    if scanned is None or _suspect(scanned[2][_nonblank(data, scanned)]):
        scanned = _scan_exact(data, newlines, encoding, path)  # exact, and names the line when something is wrong
    starts, stops, fields = scanned
    keep = _nonblank(data, scanned)
    starts, stops, fields = starts[keep], stops[keep], fields[keep]
    header_text = data[starts[0] : stops[0]].decode(encoding).lstrip("\ufeff")
    header = [name.strip() for name in next(csv.reader([header_text.rstrip("\r\n")]))]
    lines = np.searchsorted(newlines, starts) + 1
    if len(starts) == 1:
        raise DataFormatError(f"{path}: has a header but no rows; expected at least one record after line 1")
    # DfE's own files cut trailing blank fields off some rows (pandas reads them as blanks): only a record with
    # too many fields, or a short last record with no line break after it (a file cut mid-line), is refused.
    cut = (np.arange(len(fields)) == len(fields) - 1) & (fields < len(header)) & (not data.endswith(b"\n"))
    wrong = np.flatnonzero((fields > len(header)) | cut)
    if len(wrong):
        i = int(wrong[0])
        found, want = int(fields[i]), len(header)
        if i == len(fields) - 1 and found < want:
            raise DataFormatError(f"{path}: ends mid-record: line {lines[i]} has {found} of the header's {want} "
                                  "fields; expected a complete last record (the file is cut short: fetch or "
                                  "export it again)")
        raise DataFormatError(f"{path}: line {lines[i]} has {found} fields; expected {want}, as in the header "
                              "(line 1)")
    return TextFile(path, data, encoding, header, lines[1:], np.stack([starts[1:], stops[1:]], axis=1))


def _suspect(fields: np.ndarray) -> bool:
    return bool(len(fields) and ((fields[1:] > fields[0]).any() or fields[-1] < fields[0]))  # check exactly


def _nonblank(data: bytes, scanned: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    starts, stops, _ = scanned
    length = stops - starts
    b = np.frombuffer(data, dtype=np.uint8)
    has_cr = (length > 0) & (b[np.maximum(stops - 1, 0)] == 13)
    return (length - has_cr) > 0


# ------------------------------------------------------------------ a column-mapped table
def screen_columns(text: TextFile, column_map, *, year: int, map_name: str) -> None:
    """Mapped columns present and where the year's layout puts them.

    ``position`` (the column's number in the year's DfE file) is checked when the file is as wide as that
    layout: a narrower file (a hand-made extract) is matched by names only.
    """
    file, header = text.path, text.header
    where = f"data/reference/column_maps/{map_name}.csv"
    if missing := sorted(set(column_map["dfe_column"]) - set(header)):
        raise DataFormatError(f"{file}: columns {', '.join(missing)} expected for year {year} (column map) are not "
                              "in the file. Check the year's metadata file and update data/reference/column_maps/.")
    placed = column_map[column_map["position"].astype(str).str.strip() != ""]
    spots = placed["position"].astype(int)
    if len(placed) and len(header) >= spots.max():
        for name, spot in sorted(zip(placed["dfe_column"], spots, strict=True), key=lambda x: x[1]):
            if header[spot - 1] != name:
                raise DataFormatError(
                    f"{file}: column {name} is column {header.index(name) + 1} of the header, but the {year} column "
                    f"map puts it at column {spot}, where the file has {header[spot - 1]!r}; expected the year's "
                    f"DfE layout (were header names swapped or columns moved? {where})")


def screen_required(text: TextFile, raw, column_map, *, year: int, map_name: str) -> None:
    """Each ``required`` mapped column (a headline measure) holds a number in at least one row."""
    import pandas as pd

    file, where = text.path, f"data/reference/column_maps/{map_name}.csv"
    for name in column_map.loc[column_map["required"], "dfe_column"]:
        cells = pd.Series(raw[name].unique(), dtype="string").fillna("").str.strip()  # distinct texts only
        numbers = pd.to_numeric(cells.str.replace("%", "", regex=False).str.replace(",", "", regex=False),
                                errors="coerce")
        if numbers.notna().any():
            continue
        found = "/".join(sorted({c or "blank" for c in cells[:20]}))
        raise DataFormatError(f"{file}: column {name} holds no value in any row (all {found}); expected numbers "
                              f"(required for year {year} by {where})")



# ------------------------------------------------------------------ binary formats (parquet, Excel, R data)
def screen_binary(path: Path | str, read, *, kind: str):
    """``read(path)`` after the checksum and an emptiness check; a file the reader cannot parse is named."""
    path = Path(path)
    verify(path)
    if path.stat().st_size == 0:
        raise DataFormatError(f"{path}: the file is empty; expected {kind}")
    try:
        return read(path)
    except DataFormatError:
        raise
    except Exception as exc:  # pyarrow, calamine, openpyxl and librdata each raise their own kinds
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise DataFormatError(f"{path}: cannot be read as {kind} ({detail}); expected the registered file (run "
                              "`compendium fetch`)") from exc
