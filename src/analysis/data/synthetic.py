"""A national-size KS4 performance file built from the real per-LA files, for loader benchmarks and tests.

We hold no national school-level KS4 file with disadvantaged splits (``england_ks4final.csv``, about 15 MB), only
four real 2016/17 per-LA files with the same 416-column schema. :func:`national_ks4` resamples their rows into a
file of national size so a loader can be timed and tested at the scale it will meet.

What is real: the header (names and order of all 416 columns); every cell, written exactly as DfE wrote it
(numbers, ``%`` signs, markers such as SUPP / NE / NP / LOWCOV / NA, blanks); each school row's joint values
and suppression pattern (a row is one real school's row, copied whole, drawn with replacement); the LA rows
(one real LA row per LA, drawn with replacement); the two national rows (RECTYPE 5 and 7), copied from a real
file; the LA codes (those LAIT reports a KS4 Progress 8 figure for in that year).

What is synthetic: the identifiers and the geography. URNs are unique numbers from 900000 to 999999 (no real
school has one, so a synthetic row can never be joined to a real school); ESTAB keeps its real first digit (the
establishment-type range) with three random digits, unique within the LA; schools are spread evenly and at
random over the LAs (``LEA`` rewritten), so an LA's schools, their count and its LA row have nothing to do with
that LA. Names, addresses and other text are those of the resampled real school, so they repeat. Nothing
computed from this file (an LA's mean, a national distribution) is a statistic about England.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..common import atomic_write
from ..errors import DataFormatError, ParameterError
from . import sources
from .dfe import read_text_table

#: Record types the synthetic file copies: schools (1 mainstream, 2 special), LA (4), national (5 all, 7 state).
SCHOOL_RECTYPES = ("1", "2")
LA_RECTYPE = "4"
NATIONAL_RECTYPES = ("5", "7")
#: Synthetic URNs are drawn without replacement from [URN_BASE, URN_BASE + URN_SPAN): outside every real URN.
URN_BASE = 900_000
URN_SPAN = 100_000


def real_ks4_files(year: int = 2017) -> list[tuple[Path, pd.DataFrame]]:
    """The year's real full-schema KS4 files (registry role ``ks4_school_full``) as (path, all-string table).

    A clear error if the year has none or their headers differ (the resampled rows must share one schema).
    """
    found = sources.find("ks4_school_full", year)
    if not found:
        raise ParameterError(
            f"year: {year} has no full-schema KS4 files (role ks4_school_full) in the registry; "
            f"years held: {sources.years_for('ks4_school_full')}"
        )
    files = [(sources.path(s.id), read_text_table(sources.path(s.id))) for s in found]
    _check_one_schema(files)
    return files


def _check_one_schema(files: list[tuple[Path | str, pd.DataFrame]]) -> None:
    first_path, first = files[0]
    for path, table in files[1:]:
        if list(table.columns) != list(first.columns):
            differ = sorted(set(table.columns) ^ set(first.columns))[:5]
            raise DataFormatError(
                f"{path}: header differs from {first_path} (columns {differ or 'in another order'}); "
                "expected every file of a year to share one schema"
            )


def real_la_codes(year: int = 2017) -> list[str]:
    """The LA codes LAIT reports a KS4 Progress 8 figure for in ``year`` (2016/17: 151 LAs), sorted."""
    from .lait import read_lait

    lait = read_lait(indicators=["AVG_Prog8_Score"])
    rows = lait[(lait["year"] == year) & (lait["area_type"] == "la") & (lait["status"] == "reported")]
    if rows.empty:
        raise ParameterError(f"year: LAIT has no LA with a KS4 Progress 8 figure in {year}")
    return sorted(rows["la_code"].unique().tolist())


def _unique_estabs(prefix: np.ndarray, la: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """ESTAB = real first digit + three random digits, unique within each LA (drawn LA by LA, sorted)."""
    suffix = np.empty(len(la), dtype=np.int64)
    for code in np.unique(la):
        where = np.flatnonzero(la == code)
        suffix[where] = rng.choice(1000, size=len(where), replace=False)
    return np.char.add(prefix.astype(str), np.char.zfill(suffix.astype(str), 3))


def national_ks4(
    n_schools: int = 5_400,
    *,
    year: int = 2017,
    seed: int = 1,
    la_codes: list[str] | None = None,
    tables: list[pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """A raw national KS4 performance table: ``n_schools`` resampled school rows, LA rows, national rows.

    Every column of the real files, in their order, every cell a string as DfE wrote it. Rows: for each LA
    (ascending code) its schools then its one LA row (RECTYPE 4), for every LA that received a school; then the
    national rows (RECTYPE 5 and 7) of the first file. So ``n_schools + min(n_schools, len(la_codes))`` rows plus
    the national ones (2 in the real files). ``la_codes`` defaults to :func:`real_la_codes`, ``tables`` (the
    all-string tables to resample, one schema) to :func:`real_ks4_files`. Same arguments, same table
    (``numpy.random.default_rng(seed)``). See the module docstring for what is real and what is synthetic.
    """
    if not 1 <= n_schools <= URN_SPAN:
        raise ParameterError(f"n_schools: {n_schools} is outside 1..{URN_SPAN} (synthetic URNs are 900000-999999)")
    codes = sorted(str(c) for c in (la_codes if la_codes is not None else real_la_codes(year)))
    if not codes or len(set(codes)) != len(codes):
        raise ParameterError(f"la_codes: expected distinct LA codes, got {codes}")
    if n_schools > 1000 * len(codes):
        raise ParameterError(f"n_schools: at most 1000 per LA fit in ESTAB's three digits ({len(codes)} LAs)")
    if tables is None:
        files = real_ks4_files(year)
    else:
        files = [(f"tables[{i}]", table) for i, table in enumerate(tables)]
        _check_one_schema(files)
    columns = list(files[0][1].columns)
    every = pd.concat([table for _, table in files], ignore_index=True)
    schools_pool = every[every["RECTYPE"].isin(SCHOOL_RECTYPES)].reset_index(drop=True)
    la_pool = every[every["RECTYPE"] == LA_RECTYPE].reset_index(drop=True)
    first = files[0][1]
    national = first[first["RECTYPE"].isin(NATIONAL_RECTYPES)]
    if schools_pool.empty or la_pool.empty or national.empty:
        raise DataFormatError(f"{files[0][0]}: the {year} tables lack school, LA or national rows to resample")

    rng = np.random.default_rng(seed)
    schools = schools_pool.iloc[rng.integers(len(schools_pool), size=n_schools)].reset_index(drop=True)
    # Even spread: every LA gets n // L or n // L + 1 schools; which LA gets the extra ones is random.
    la = rng.permutation(np.resize(rng.permutation(np.array(codes)), n_schools))
    schools["LEA"] = la
    schools["URN"] = (rng.choice(URN_SPAN, size=n_schools, replace=False) + URN_BASE).astype(str)
    schools["ESTAB"] = _unique_estabs(schools["ESTAB"].str[:1].to_numpy(), la, rng)

    with_schools = np.unique(la)
    la_rows = la_pool.iloc[rng.integers(len(la_pool), size=len(with_schools))].reset_index(drop=True)
    la_rows["LEA"] = with_schools

    # Order as a DfE file: by LA, the LA's schools (in draw order) then its LA row; national rows last.
    body = pd.concat(
        [schools.assign(_la_row=0, _draw=np.arange(n_schools)), la_rows.assign(_la_row=1, _draw=0)],
        ignore_index=True,
    ).sort_values(["LEA", "_la_row", "_draw"], kind="stable")
    table = pd.concat([body[columns], national[columns]], ignore_index=True)
    return table.astype(str)


def write_national_ks4(path: Path | str, **kwargs) -> Path:
    """Write :func:`national_ks4` (``kwargs`` passed on) as a UTF-8 CSV at ``path``, atomically; returns it.

    Cells are written as they are (no quoting beyond what a comma inside a cell needs), so the same arguments
    give the same bytes.
    """
    path = Path(path)
    table = national_ks4(**kwargs)
    return atomic_write(path, lambda tmp: table.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n"))
