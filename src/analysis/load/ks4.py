"""DfE KS4 performance tables (school level): full-schema files and trimmed national derivatives."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .. import schemas, sources
from ._dfe import DataFormatError, read_mapped_table, read_text_table


def decode_rectype(metadata: pd.DataFrame, *, file: str = "metadata") -> dict[str, str]:
    """RECTYPE code → label, parsed from the metadata file's own description of RECTYPE.

    >>> meta = pd.DataFrame({"Metafile heading": ["RECTYPE"],
    ...     "Metafile description": ["Record type (1=mainstream school; 4=local authority)"]})
    >>> decode_rectype(meta)
    {'1': 'mainstream school', '4': 'local authority'}
    """
    heading = next((c for c in metadata.columns if c.lower().replace(" ", "") == "metafileheading"), None)
    described = next((c for c in metadata.columns if c.lower().replace(" ", "") == "metafiledescription"), None)
    if heading is None or described is None:
        raise DataFormatError(f"{file}: metadata needs 'Metafile heading' and 'Metafile description' columns")
    rows = metadata[metadata[heading].str.strip() == "RECTYPE"]
    if rows.empty:
        raise DataFormatError(f"{file}: metadata does not describe RECTYPE")
    text = rows[described].iloc[0]
    # "Record type (1=mainstream school; ...; 5=National (all schools); 7=...)": codes live inside the
    # outermost brackets, separated by semicolons; labels may carry brackets of their own.
    inner = text[text.find("(") + 1 : text.rfind(")")] if "(" in text else text
    pairs = [tuple(part.split("=", 1)) for part in inner.split(";") if re.match(r"\s*\d+\s*=", part)]
    pairs = [(code.strip(), label) for code, label in pairs]
    if not pairs:
        raise DataFormatError(f"{file}: cannot read RECTYPE codes from {text!r}")
    return {code: label.strip() for code, label in pairs}


#: What each decoded RECTYPE label means for analysis (matched on words, not on code numbers).
def record_level(label: str) -> str:
    """'school', 'la' or 'national' from a RECTYPE label.

    >>> record_level("special school"), record_level("National (maintained schools)")
    ('school', 'national')
    """
    text = label.lower()
    if "national" in text:
        return "national"
    if "local authority" in text:
        return "la"
    return "school"


@lru_cache(maxsize=8)
def _metadata(year: int) -> pd.DataFrame:
    return read_text_table(sources.path(sources.one("ks4_school_full_meta", year).id))


def read_ks4_performance(
    path: Path | str | None = None,
    *,
    year: int,
    la: str | None = None,
    metadata: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A full-schema DfE KS4 performance-table CSV (per-LA or national) as a tidy table.

    One row per (record, year): the file's year and, from its back-columns, the previous year. RECTYPE is
    decoded from the year's metadata file into ``record_type`` and ``level`` (school / la / national);
    ``is_state_funded_national`` marks the national state-funded row. Every measure has a float column and
    a ``<name>_status`` column (reported, SUPP, NE, NP, ...).
    """
    tidy, path = read_mapped_table("ks4_school_full", "ks4_school", year, path, la=la)
    meta = metadata if metadata is not None else _metadata(year)
    labels = decode_rectype(meta, file=f"KS4 metadata {year}")
    unknown = sorted(set(tidy["rectype"].dropna()) - set(labels))
    if unknown:
        raise DataFormatError(f"{path}: RECTYPE values {unknown} are not described in the {year} metadata ({labels})")
    tidy["record_type"] = tidy["rectype"].map(labels).astype("string")
    tidy["level"] = tidy["record_type"].map(record_level).astype("string")
    tidy["is_state_funded_national"] = tidy["record_type"].str.contains("maintained|state", case=False, regex=True) & (
        tidy["level"] == "national"
    )
    return schemas.KS4_SCHOOL.validate(tidy)


def read_ks4_trimmed(path: Path | str | None = None, *, year: int) -> pd.DataFrame:
    """Trimmed national KS4 file (every school's all-pupil P8/A8, no LA column, no disadvantaged split)."""
    tidy, _ = read_mapped_table("ks4_school_trimmed", "ks4_school_trimmed", year, path)
    return tidy
