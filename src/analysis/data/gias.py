"""School information: the performance-tables spine, the Get Information About Schools (GIAS) extract and links."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import record_types, screening, sources
from .cache import cached
from ..errors import DataFormatError
from .dfe import read_text_table


def _need(frame: pd.DataFrame, columns: list[str], path: Path) -> None:
    if missing := sorted(set(columns) - set(frame.columns)):
        raise DataFormatError(f"{path}: expected columns {missing} are missing (has {list(frame.columns)[:12]} ...)")


def _urn(series: pd.Series) -> pd.Series:
    """URNs as strings of digits ('100000'), whatever the file stored (int, float '100000.0', text)."""
    text = series.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    return text.mask(text.isin(["", "nan", "<NA>"]), pd.NA)


def read_sheet_text(path: Path | str, columns: list[str]) -> pd.DataFrame:
    """The first sheet of a workbook as text, exactly as ``pd.read_excel(path, dtype=str, engine="calamine")``
    reads it (blank and NA-like cells NaN, whole-number cells without ".0").

    calamine (Rust) parses the 3.6 MB spine in about 0.7 s (openpyxl: 8-12 s); pandas then spends as long again
    converting all 800k cells one by one through its Python parser. Here only ``columns`` are converted, in one
    pass each, and the table has only those columns. A sheet this fast path does not cover exactly (a blank,
    repeated or non-text heading, a cell that is a date, time or true/false, a column asked for that is not
    there) is read by pandas itself, every column: a missing column is then reported with the file's own headings.
    """
    # pandas' own list of the texts it reads as missing (pandas is pinned in requirements.lock)
    from pandas._libs.parsers import STR_NA_VALUES
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    header = rows[0] if rows else []
    at = {name: i for i, name in enumerate(header)}
    simple = (len(rows) > 1 and all(isinstance(h, str) and h for h in header) and len(at) == len(header)
              and set(columns) <= set(at))
    out: dict[str, list] = {}
    for name in columns if simple else []:
        i, texts = at[name], []
        for row in rows[1:]:
            value = row[i]
            if isinstance(value, str):
                texts.append(None if value in STR_NA_VALUES else value)
            elif type(value) is float:
                texts.append(None if value != value else str(int(value)) if value.is_integer() else str(value))
            else:  # a date, time, true/false or an integer: pandas' own conversion
                simple = False
                break
        if not simple:
            break
        out[name] = texts
    if not simple:
        return pd.read_excel(path, dtype=str, engine="calamine")
    return pd.DataFrame({name: pd.array(texts, dtype="str") for name, texts in out.items()})


def read_school_spine(path: Path | str | None = None, *, source_id: str = "school_spine_2019") -> pd.DataFrame:
    """DfE performance-tables school spine: URN, LA, name, type, phase, gender, admissions policy, OTHERURN.

    The tidy table is cached as parquet in data/processed.
    """
    path = Path(path) if path else sources.path(source_id)
    screening.verify(path)  # also when the table is served from the cache

    def build() -> pd.DataFrame:
        cols = ["URN", "LA", "ESTAB", "SCHNAME", "TOWN", "POSTCODE", "ICLOSE", "MINORGROUP", "NFTYPE",
                "ISPRIMARY", "ISSECONDARY", "AGEL", "AGEH", "GENDER", "RELDENOM", "ADMPOL", "OTHERURN"]
        raw = screening.screen_binary(path, lambda p: read_sheet_text(p, cols), kind="an Excel workbook")
        _need(raw, cols, path)
        record_types.screen_records(raw, "school_spine", file=str(path), where=lambda i: f"row {i + 2}")
        out = pd.DataFrame(
            {
                "urn": _urn(raw["URN"]),
                "la_code": raw["LA"].str.strip().str.zfill(3),
                "estab": raw["ESTAB"].str.strip(),
                "school_name": raw["SCHNAME"].str.strip(),
                "town": raw["TOWN"].str.strip(),
                "postcode": raw["POSTCODE"].str.strip(),
                "is_closed": raw["ICLOSE"].str.strip() == "1",
                "minor_group": raw["MINORGROUP"].str.strip(),
                "school_type": raw["NFTYPE"].str.strip(),
                "is_primary": raw["ISPRIMARY"].str.strip() == "1",
                "is_secondary": raw["ISSECONDARY"].str.strip() == "1",
                "age_low": pd.to_numeric(raw["AGEL"], errors="coerce"),
                "age_high": pd.to_numeric(raw["AGEH"], errors="coerce"),
                "gender": raw["GENDER"].str.strip(),
                "religious_character": raw["RELDENOM"].str.strip(),
                "admissions_policy": raw["ADMPOL"].str.strip(),
                "other_urn": _urn(raw["OTHERURN"]),
            }
        )
        return out.dropna(subset=["urn"]).reset_index(drop=True)

    return cached(path, "school_spine", build)


def read_gias_schools(path: Path | str | None = None) -> pd.DataFrame:
    """GIAS extract (April 2022) from an R data file: URN, LA (from the DfE number), district, ward, postcode."""
    path = Path(path) if path else sources.path("gias_schools_2022")
    screening.verify(path)  # also when the table is served from the cache

    def build() -> pd.DataFrame:
        # pyreadr (librdata, C) reads the file in 0.3 s, the pure-Python rdata in 10 s; the columns used are
        # identical in both.
        import pyreadr

        objects = screening.screen_binary(path, lambda p: pyreadr.read_r(str(p)), kind="an R data file")
        if "dim_school" not in objects:
            raise DataFormatError(f"{path}: expected an R object 'dim_school', found {list(objects)}")
        raw = objects["dim_school"]
        cols = ["urn", "dfe_number", "school_name", "establishment_type", "phase_type", "school_status",
                "administrative_district", "administrative_ward", "postcode", "town"]
        _need(raw, cols, path)
        record_types.screen_records(raw, "gias_schools", file=str(path), where=lambda i: f"row {i + 1}")
        out = pd.DataFrame(
            {
                "urn": _urn(raw["urn"]),
                "la_code": raw["dfe_number"].astype("string").str.split("/").str[0].str.zfill(3).astype("string"),
                "school_name": raw["school_name"].astype("string"),
                "school_type": raw["establishment_type"].astype("string"),
                "phase": raw["phase_type"].astype("string"),
                "status": raw["school_status"].astype("string"),
                "district": raw["administrative_district"].astype("string"),
                "ward": raw["administrative_ward"].astype("string"),
                "postcode": raw["postcode"].astype("string"),
                "town": raw["town"].astype("string"),
            }
        )
        return out.dropna(subset=["urn"]).reset_index(drop=True)

    return cached(path, "gias_schools", build)


def read_gias_links(path: Path | str | None = None) -> pd.DataFrame:
    """GIAS links: one row per (URN, linked URN, link type, date); predecessor/successor bridges URN changes."""
    path = Path(path) if path else sources.path("gias_links_2021")
    raw = read_text_table(path)
    _need(raw, ["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"], path)
    return pd.DataFrame(
        {
            "urn": _urn(raw["URN"]),
            "linked_urn": _urn(raw["LinkURN"]),
            "linked_name": raw["LinkName"],
            "link_type": raw["LinkType"],
            "link_date": pd.to_datetime(raw["LinkEstablishedDate"], format="%d-%m-%Y", errors="coerce"),
        }
    )
