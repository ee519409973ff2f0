"""DfE KS4 performance tables (school level): full-schema files and trimmed national derivatives."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .. import paths
from . import record_types, schema_errors, schemas, screening, sources
from .cache import cached
from ..errors import DataFormatError
from .dfe import read_mapped_cached, read_mapped_table, read_text_table

#: Bump when the tidy table's meaning changes without a change to the loader code or its inputs.
CACHE_NAME = "ks4_performance_v1"
#: The format name of full-schema files: their column map and their rows of data/reference/record_types.csv.
FORMAT = "ks4_school"


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


def record_level(label: str) -> str:
    """'school', 'la' or 'national' from a RECTYPE label (the reference table's ``level`` must agree: tested).

    >>> record_level("special school"), record_level("National (maintained schools)")
    ('school', 'national')
    """
    text = label.lower()
    if "national" in text:
        return "national"
    if "local authority" in text:
        return "la"
    return "school"


def _metadata_path(year: int) -> Path | None:
    """The year's registered metadata file (role ``ks4_school_full_meta``), or None: RECTYPE needs none."""
    found = sources.find("ks4_school_full_meta", year)
    return sources.path(sources.one("ks4_school_full_meta", year).id) if found else None


@lru_cache(maxsize=8)
def _metadata(year: int) -> pd.DataFrame | None:
    path = _metadata_path(year)
    return None if path is None else read_text_table(path)


def rectype_labels(metadata: pd.DataFrame | None = None, *, file: str = "metadata") -> dict[str, str]:
    """RECTYPE code → label, from ``data/reference/record_types.csv``; a metadata file must agree with it.

    >>> rectype_labels()["7"]
    'National (maintained schools)'
    >>> rectype_labels(pd.DataFrame({"Metafile heading": ["RECTYPE"],
    ...     "Metafile description": ["Record type (1=school)"]}), file="meta.csv")
    Traceback (most recent call last):
    ...
    analysis.errors.DataFormatError: meta.csv: RECTYPE 1 is 'school' in the metadata but 'mainstream school' in data/reference/record_types.csv (ks4_school); expected them to agree (update the reference table if DfE changed its codes)
    """
    labels = record_types.codes(FORMAT)
    if metadata is not None:
        described = decode_rectype(metadata, file=file)
        for code in sorted(set(labels) | set(described)):
            if described.get(code) != labels.get(code):
                raise DataFormatError(
                    f"{file}: RECTYPE {code} is {described.get(code, 'not described')!r} in the metadata but "
                    f"{labels.get(code, 'not listed')!r} in data/reference/record_types.csv ({FORMAT}); expected "
                    "them to agree (update the reference table if DfE changed its codes)")
    return labels


def label_records(tidy: pd.DataFrame, metadata: pd.DataFrame | None = None, *, year: int, file: str,
                  metadata_file: str | None = None) -> pd.DataFrame:
    """Add ``record_type`` (RECTYPE decoded), ``level`` and ``is_state_funded_national``.

    Codes, labels and levels come from ``data/reference/record_types.csv``; ``metadata`` (the year's DfE
    metadata file, when there is one) is checked against it (:func:`rectype_labels`).

    >>> tidy = pd.DataFrame({"rectype": pd.array(["1", "7"], dtype="string")})
    >>> label_records(tidy, year=2017, file="f.csv")[["level", "is_state_funded_national"]].values.tolist()
    [['school', False], ['national', True]]
    """
    labels = rectype_labels(metadata, file=metadata_file or f"KS4 metadata {year}")
    unknown = sorted(set(tidy["rectype"].dropna().unique()) - set(labels))
    if unknown:
        raise DataFormatError(f"{file}: RECTYPE values {unknown} are not described in data/reference/"
                              f"record_types.csv ({labels})")
    out = tidy.copy()
    out["record_type"] = out["rectype"].map(labels).astype("string")
    out["level"] = out["rectype"].map(record_types.levels(FORMAT)).astype("string")
    out["is_state_funded_national"] = out["record_type"].str.contains("maintained|state", case=False, regex=True) & (
        out["level"] == "national"
    )
    return out


def _build_ks4_performance(path: Path, year: int, metadata: pd.DataFrame | None,
                           metadata_file: str = "the caller's metadata") -> pd.DataFrame:
    tidy, path = read_mapped_table("ks4_school_full", FORMAT, year, path)
    return label_records(tidy, metadata, year=year, file=str(path), metadata_file=metadata_file)


def read_ks4_performance(
    path: Path | str | None = None,
    *,
    year: int,
    la: str | None = None,
    metadata: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A full-schema DfE KS4 performance-table CSV (per-LA or national) as a tidy table.

    One row per (record, year): the file's year and, from its back-columns, the previous year. RECTYPE is
    decoded by ``data/reference/record_types.csv`` into ``record_type`` and ``level`` (school / la /
    national), checked against the year's metadata file when one is registered (or ``metadata``);
    ``is_state_funded_national`` marks the national state-funded row. Every measure has a float column and
    a ``<name>_status`` column (reported, SUPP, NE, NP, ...). The file is screened first
    (:mod:`analysis.data.screening`): school, LA and both national rows present, URNs unique, and so on.

    The tidy table is cached as parquet in ``data/processed/cache``, keyed by the raw file, the column map, the
    status codes, the record types, the metadata file and the loader code (the schema is part of that code). It
    is validated as it is built, so the cache only ever holds a validated table and a cache hit is not validated
    again; the raw file's checksum is checked on every call. A caller's own ``metadata`` frame is never cached
    (there is no file to key it on).
    """
    if path is None:
        path = sources.path(sources.one("ks4_school_full", year, la).id)
    path = Path(path)
    screening.verify(path)  # also when the table is served from the cache

    def validated(tidy: pd.DataFrame) -> pd.DataFrame:
        return schema_errors.validate(schemas.KS4_SCHOOL, tidy, file=path, map_name=FORMAT, year=year, what="KS4")

    if metadata is not None:
        return validated(_build_ks4_performance(path, year, metadata))
    meta_path = _metadata_path(year)
    return cached(
        path,
        f"{CACHE_NAME}_{year}",  # the year picks the column map's rows: part of what the table is built from
        lambda: validated(_build_ks4_performance(path, year, _metadata(year), str(meta_path))),
        depends_on=[
            paths.REFERENCE / "column_maps" / "ks4_school.csv",
            paths.REFERENCE / "dfe_status_codes.csv",
            paths.REFERENCE / record_types.TABLE,
            *([meta_path] if meta_path is not None else []),
        ],
    )


def read_ks4_trimmed(path: Path | str | None = None, *, year: int) -> pd.DataFrame:
    """Trimmed national KS4 file (every school's all-pupil P8/A8, no LA column, no disadvantaged split)."""
    return read_mapped_cached("ks4_school_trimmed", "ks4_school_trimmed", year, path, "ks4_trimmed",
                              lambda tidy, _: tidy)


def read_ks4_trimmed_all_years() -> pd.DataFrame:
    """Every trimmed national KS4 file in the registry (role ``ks4_school_trimmed``), stacked (``year`` column)."""
    years = sources.years_for("ks4_school_trimmed")
    frames = [read_ks4_trimmed(year=y) for y in years]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["year", "urn", "ks4_pupils"])
