"""The published figures: every checkable claim of the five source documents, transcribed once in
``data/reference/published/`` (one CSV per document, joined to ``documents.csv``; the columns are described
in that folder's README).

Two kinds of row: ``claim`` (a figure or statement a notebook records and compares) and ``input`` (a published
figure the compendium *uses* in a calculation or as a definition: EPI's 19.3 months, BEP's family weights; it is
never compared, so it can never be a tautological match). A claim that cannot be reproduced says why in
``needs`` (``public-file``: a public DfE file we do not hold; ``non-public``: data that are not public, e.g. the
NPD; ``survey``: responses to a survey) and ``needs_note`` (which file or data).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import pandas as pd

from .. import paths

#: What a claim that cannot be reproduced needs -> the ledger status it gets.
NEEDS_STATUS = {"public-file": "needs-public-file", "non-public": "not-reproducible", "survey": "not-reproducible"}
KINDS = ("claim", "input")
VALUE_TYPES = ("number", "number_below", "number_above", "fraction", "text", "list")
#: Value types compared as numbers: a point (± tolerance), "nearly N" (below), "more than N" (above), "k/N" as a %.
NUMERIC = ("number", "number_below", "number_above", "fraction")
#: Optional columns and their value when a CSV leaves them out.
OPTIONAL = {"tolerance_reason": "", "derived": "", "kind": "claim", "needs": "", "needs_note": ""}


@lru_cache(maxsize=1)
def published_figures() -> pd.DataFrame:
    """Every transcribed published figure (claims and inputs), joined to its source document.

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
    for col, default in OPTIONAL.items():
        table[col] = table[col].replace("", default) if col in table else default
    table["year"] = table["year"].astype(int)
    table["derived"] = table["derived"].str.strip().str.lower().isin(["yes", "true", "1"])
    dup = table.duplicated(["finding_id", "year", "key"], keep=False)
    if dup.any():
        raise ValueError(f"Published figures repeat (finding_id, year, key): {table[dup].iloc[0].to_dict()}")
    for col, valid in (("kind", KINDS), ("value_type", VALUE_TYPES), ("needs", ("", *NEEDS_STATUS))):
        bad = sorted(set(table[col]) - set(valid))
        if bad:
            raise ValueError(f"Published figures: column {col} has {bad}; expected one of {list(valid)}")
    table = table.merge(docs, on="document_id", how="left", validate="many_to_one")
    if table["title"].isna().any():
        bad = table.loc[table["title"].isna(), "document_id"].unique()
        raise ValueError(f"Published figures cite unknown documents {list(bad)}: add them to documents.csv")
    table["source"] = (
        table["publisher"] + ", " + table["title"] + " (" + table["published"] + "), " + table["source_table"]
    )
    return table


def claims() -> pd.DataFrame:
    """The rows a notebook must record (kind ``claim``): finding_id, year, key and the rest."""
    table = published_figures()
    return table[table["kind"] == "claim"].reset_index(drop=True)


def claims_needing(document_ids: list[str], needs: tuple[str, ...]) -> pd.DataFrame:
    """The claims of these documents that need what ``needs`` names ("survey", "public-file", "non-public"):
    the rows a notebook records with no value (finding_id, year, key, label from the quotation).

    >>> claims_needing(["smcpc_ctc_2014_release"], ("survey",))["finding_id"].iloc[0]
    'survey_teachers_polled'
    """
    table = claims()
    rows = table[table["document_id"].isin(document_ids) & table["needs"].isin(needs)].copy()
    rows["label"] = rows["quote"].map(lambda q: q if len(q) <= 110 else q[:107].rsplit(" ", 1)[0] + " ...")
    return rows[["finding_id", "year", "key", "label", "needs", "source_table"]].reset_index(drop=True)


def published(finding_id: str, year: int, key: str) -> dict[str, Any] | None:
    """The published claim for (finding, year, key), or None (inputs are not claims: see :func:`input_value`)."""
    row = _claims_by_id().get((finding_id, int(year), str(key)))
    return None if row is None else dict(row)  # a copy: the caller may add to it


@lru_cache(maxsize=1)
def _claims_by_id() -> dict[tuple[str, int, str], dict[str, Any]]:
    """Each claim's row by (finding_id, year, key) (:func:`published_figures` refuses a repeat). A notebook looks
    up every finding it records: a dictionary lookup, not a filter of the whole table (about 1 ms with pandas'
    Arrow strings) per finding. Built from :func:`published_figures`' cached table: clear both caches together."""
    table = published_figures()
    rows: dict[tuple[str, int, str], dict[str, Any]] = {}
    for i in range(len(table)):
        row = table.iloc[i]
        if row["kind"] == "claim":
            rows[(row["finding_id"], int(row["year"]), row["key"])] = row.to_dict()
    return rows


def published_value(finding_id: str, year: int, key: str) -> Any:
    """The published value of (finding, year, key) in its own type (a number, a text, or a list), or None.

    >>> published_value("rank_disadvantaged_p8", 2017, "core_cities")[:2]
    ['Birmingham', 'Leeds']
    """
    row = published(finding_id, year, key)
    return None if row is None else parse_value(row["value"], row["value_type"])


def input_value(finding_id: str, key: str = "england") -> Any:
    """A published figure the compendium uses as an input (kind ``input``), whatever its year.

    >>> input_value("epi_gcse_gap_months")
    19.3
    """
    table = published_figures()
    hit = table[(table["finding_id"] == finding_id) & (table["key"] == str(key)) & (table["kind"] == "input")]
    if len(hit) != 1:
        raise ValueError(f"Published inputs: expected one row for {finding_id!r} [{key}], found {len(hit)}")
    return parse_value(hit["value"].iloc[0], hit["value_type"].iloc[0])


def input_citation(finding_id: str, key: str = "england") -> str:
    """Where an input comes from: the document, the table and the quotation.

    >>> input_citation("dfe_ks4_gap_index")[:26]
    'Department for Education, '
    """
    table = published_figures()
    hit = table[(table["finding_id"] == finding_id) & (table["key"] == str(key)) & (table["kind"] == "input")]
    row = hit.iloc[0]
    return f"{row['source']}: \"{row['quote']}\"" if row["quote"] else str(row["source"])


def document_data_year(document_id: str) -> int:
    """The academic year (end) of the data a source document used (``documents.csv``, column ``data_year``).

    >>> document_data_year("smcpc_ctc_2014_release")
    2013
    """
    docs = pd.read_csv(paths.PUBLISHED / "documents.csv", dtype=str, keep_default_na=False)
    hit = docs.loc[docs["document_id"] == document_id, "data_year"]
    if hit.empty or not hit.iloc[0]:
        raise ValueError(f"documents.csv: no data_year for document {document_id!r}")
    return int(hit.iloc[0])


def parse_value(value: str, value_type: str) -> Any:
    """A transcribed value in its type: numbers -> float, a fraction "k/N" -> its percentage, ``list`` -> items
    split on ``|``, else the text; a blank value (the source states the claim but prints no figure) -> None.

    >>> parse_value("-0.4", "number"), parse_value("a|b", "list"), parse_value("", "number"), parse_value("1/8", "fraction")
    (-0.4, ['a', 'b'], None, 12.5)
    """
    if str(value).strip() == "":
        return None
    if value_type == "fraction":
        k, n = (float(x) for x in str(value).split("/"))
        return 100 * k / n
    if value_type in NUMERIC:
        return float(str(value).replace(",", ""))
    if value_type == "list":
        return value.split("|")
    return value


def half_unit(value: str) -> float:
    """Half a unit of the last printed digit of a transcribed number: the default tolerance.

    Trailing zeros of a whole number are read as rounding (14,000 is "to the thousand"): a source that means
    exactly 100 must say so with an explicit tolerance.

    >>> half_unit("-0.36"), half_unit("0.10"), half_unit("46.3"), half_unit("18"), half_unit("14000")
    (0.005, 0.005, 0.05, 0.5, 500.0)
    """
    text = str(value).strip().lstrip("+-").replace(",", "")
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        raise ValueError(f"half_unit: {value!r} is not a plain number")
    if "." in text:
        return 0.5 * 10 ** -len(text.split(".")[1])
    zeros = len(text) - len(text.rstrip("0")) if text.strip("0") else 0
    return 0.5 * 10 ** zeros


def tolerance(row: dict[str, Any]) -> float | None:
    """The tolerance of a published number: the stated one, else half a unit of its last printed digit.

    >>> tolerance({"value_type": "number", "value": "-0.36", "tolerance": ""})
    0.005
    >>> tolerance({"value_type": "list", "value": "a|b", "tolerance": ""}) is None
    True
    """
    if row["value_type"] not in NUMERIC or str(row["value"]).strip() == "":
        return None
    if row["value_type"] == "fraction" and not str(row.get("tolerance", "")).strip():
        low, high = bounds(row)
        return round(max(high - parse_value(row["value"], "fraction"), parse_value(row["value"], "fraction") - low), 4)
    if str(row.get("tolerance", "")).strip():
        return float(row["tolerance"])
    return half_unit(row["value"])


def bounds(row: dict[str, Any]) -> tuple[float, float] | None:
    """The range of reproduced values that match a published number (None for texts and lists).

    ``number``: value ± tolerance; ``number_below`` ("nearly 60"): value - tolerance up to value;
    ``number_above`` ("more than two thirds"): value up to value + tolerance; ``fraction`` "k/N" (a % written as
    "k in N"): 100k/(N+0.5) to 100k/(N-0.5), half a unit of the printed denominator, unless a tolerance is stated.

    >>> bounds({"value_type": "number_below", "value": "60", "tolerance": ""})
    (55.0, 60.0)
    >>> [round(b, 2) for b in bounds({"value_type": "fraction", "value": "1/9", "tolerance": ""})]
    [10.53, 11.76]
    """
    kind = row["value_type"]
    value = parse_value(row["value"], kind) if kind in NUMERIC else None
    if value is None:
        return None
    if kind == "fraction" and not str(row.get("tolerance", "")).strip():
        k, n = (float(x) for x in str(row["value"]).split("/"))
        return 100 * k / (n + 0.5), 100 * k / (n - 0.5)
    tol = float(row["tolerance"]) if str(row.get("tolerance", "")).strip() else half_unit(row["value"])
    low = value if kind == "number_above" else value - tol
    high = value if kind == "number_below" else value + tol
    return low, high
