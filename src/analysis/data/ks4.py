"""DfE KS4 performance tables (school level): full-schema files and trimmed national derivatives."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .. import paths
from . import schemas, sources
from .cache import cached
from ..errors import DataFormatError
from .dfe import read_mapped_table, read_text_table

#: Bump when the tidy table's meaning changes without a change to the loader code or its inputs.
CACHE_NAME = "ks4_performance_v1"


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


def _metadata_path(year: int) -> Path:
    return sources.path(sources.one("ks4_school_full_meta", year).id)


@lru_cache(maxsize=8)
def _metadata(year: int) -> pd.DataFrame:
    return read_text_table(_metadata_path(year))


def label_records(tidy: pd.DataFrame, metadata: pd.DataFrame, *, year: int, file: str) -> pd.DataFrame:
    """Add ``record_type`` (RECTYPE decoded by the year's metadata), ``level`` and ``is_state_funded_national``.

    >>> meta = pd.DataFrame({"Metafile heading": ["RECTYPE"], "Metafile description": [
    ...     "Record type (1=mainstream school; 4=local authority; 7=National (maintained schools))"]})
    >>> tidy = pd.DataFrame({"rectype": pd.array(["1", "7"], dtype="string")})
    >>> label_records(tidy, meta, year=2017, file="f.csv")[["level", "is_state_funded_national"]].values.tolist()
    [['school', False], ['national', True]]
    """
    labels = decode_rectype(metadata, file=f"KS4 metadata {year}")
    unknown = sorted(set(tidy["rectype"].dropna().unique()) - set(labels))
    if unknown:
        raise DataFormatError(f"{file}: RECTYPE values {unknown} are not described in the {year} metadata ({labels})")
    out = tidy.copy()
    out["record_type"] = out["rectype"].map(labels).astype("string")
    out["level"] = out["record_type"].map({label: record_level(label) for label in labels.values()}).astype("string")
    out["is_state_funded_national"] = out["record_type"].str.contains("maintained|state", case=False, regex=True) & (
        out["level"] == "national"
    )
    return out


def _build_ks4_performance(path: Path, year: int, metadata: pd.DataFrame) -> pd.DataFrame:
    tidy, path = read_mapped_table("ks4_school_full", "ks4_school", year, path)
    return label_records(tidy, metadata, year=year, file=str(path))


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

    The tidy table is cached as parquet in ``data/processed/cache``, keyed by the raw file, the column map, the
    status codes, the metadata file and the loader code; it is validated on every call, cached or not. A
    caller's own ``metadata`` frame is never cached (there is no file to key it on).
    """
    if path is None:
        path = sources.path(sources.one("ks4_school_full", year, la).id)
    path = Path(path)
    if metadata is not None:
        tidy = _build_ks4_performance(path, year, metadata)
    else:
        tidy = cached(
            path,
            f"{CACHE_NAME}_{year}",  # the year picks the column map's rows: part of what the table is built from
            lambda: _build_ks4_performance(path, year, _metadata(year)),
            depends_on=[
                paths.REFERENCE / "column_maps" / "ks4_school.csv",
                paths.REFERENCE / "dfe_status_codes.csv",
                _metadata_path(year),
            ],
        )
    return schemas.KS4_SCHOOL.validate(tidy)


def read_ks4_trimmed(path: Path | str | None = None, *, year: int) -> pd.DataFrame:
    """Trimmed national KS4 file (every school's all-pupil P8/A8, no LA column, no disadvantaged split)."""
    tidy, _ = read_mapped_table("ks4_school_trimmed", "ks4_school_trimmed", year, path)
    return tidy


def read_ks4_trimmed_all_years() -> pd.DataFrame:
    """Every trimmed national KS4 file in the registry (role ``ks4_school_trimmed``), stacked (``year`` column)."""
    years = sources.years_for("ks4_school_trimmed")
    frames = [read_ks4_trimmed(year=y) for y in years]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["year", "urn", "ks4_pupils"])
