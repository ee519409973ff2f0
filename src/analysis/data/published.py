"""The published figures: every checkable number or list of the five source documents, transcribed once in
``data/reference/published/`` (one CSV per document, joined to ``documents.csv``), with its tolerance.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pandas as pd

from .. import paths


@lru_cache(maxsize=1)
def published_figures() -> pd.DataFrame:
    """Every transcribed published figure, joined to its source document.

    >>> pub = published_figures()
    >>> pub.query("finding_id == 'p8_disadvantaged_la' and key == '330' and year == 2017")["value"].item()
    '-0.18'
    """
    docs = pd.read_csv(paths.PUBLISHED / "documents.csv", dtype=str, keep_default_na=False)
    frames = [
        pd.read_csv(p, dtype=str, keep_default_na=False)
        for p in sorted(paths.PUBLISHED.glob("*.csv"))
        if p.name != "documents.csv"
    ]
    table = pd.concat(frames, ignore_index=True)
    table["year"] = table["year"].astype(int)
    dup = table.duplicated(["finding_id", "year", "key"], keep=False)
    if dup.any():
        raise ValueError(f"Published figures repeat (finding_id, year, key): {table[dup].iloc[0].to_dict()}")
    table = table.merge(docs, on="document_id", how="left", validate="many_to_one")
    if table["title"].isna().any():
        bad = table.loc[table["title"].isna(), "document_id"].unique()
        raise ValueError(f"Published figures cite unknown documents {list(bad)}: add them to documents.csv")
    table["source"] = (
        table["publisher"] + ", " + table["title"] + " (" + table["published"] + "), " + table["source_table"]
    )
    return table


def published(finding_id: str, year: int, key: str) -> dict[str, Any] | None:
    """The published row for (finding, year, key), or None."""
    table = published_figures()
    hit = table[(table["finding_id"] == finding_id) & (table["year"] == int(year)) & (table["key"] == str(key))]
    return None if hit.empty else hit.iloc[0].to_dict()


def published_value(finding_id: str, year: int, key: str) -> Any:
    """The published value of (finding, year, key) in its own type (a number, a text, or a list), or None.

    >>> published_value("rank_disadvantaged_p8", 2017, "core_cities")[:2]
    ['Birmingham', 'Leeds']
    """
    row = published(finding_id, year, key)
    return None if row is None else parse_value(row["value"], row["value_type"])


def parse_value(value: str, value_type: str) -> Any:
    """A transcribed value in its type: ``number`` -> float, ``list`` -> items split on ``|``, else the text.

    >>> parse_value("-0.4", "number"), parse_value("a|b", "list")
    (-0.4, ['a', 'b'])
    """
    if value_type == "number":
        return float(value)
    if value_type == "list":
        return value.split("|")
    return value
