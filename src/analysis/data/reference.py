"""Reference tables: LA lists, comparator groups, opportunity areas, LAIT indicator codes.

The tables live in ``data/reference/`` (human-made, each with its source) or come from the data itself
(LA names and regions from LAIT's LA code list, statistical neighbours from DfE's list).
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from .. import paths
from ..errors import ParameterError

ENGLAND_CODE = "970"


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(paths.REFERENCE / name, dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def lait_indicators() -> pd.DataFrame:
    """Stable (measure, pupil_group) → LAIT indicator code.

    >>> lait_indicators().set_index(["measure", "pupil_group"]).loc[("p8", "disadvantaged"), "indicator"]
    'DAP_KS4_Prog8'
    """
    return _read("lait_indicators.csv")


def indicator_codes(measure: str = "p8") -> dict[str, str]:
    """pupil_group → LAIT indicator for one measure ('p8' or 'a8')."""
    table = lait_indicators()
    rows = table[table["measure"] == measure]
    if rows.empty:
        raise ParameterError(f"measure {measure!r} is not in data/reference/lait_indicators.csv; valid: "
                             f"{sorted(table['measure'].unique())}")
    return dict(zip(rows["pupil_group"], rows["indicator"], strict=True))


@lru_cache(maxsize=1)
def core_cities() -> pd.DataFrame:
    """The eight English core cities (LA code, name)."""
    return _read("core_cities.csv")


@lru_cache(maxsize=1)
def opportunity_areas() -> pd.DataFrame:
    """The six 2016 opportunity areas, with the LA (and district) each lies in."""
    return _read("opportunity_areas.csv")


def local_authorities(lait: pd.DataFrame) -> pd.DataFrame:
    """LA code, name and region of every LA in the LAIT table (the data's own names).

    London's boroughs carry LAIT's "Inner London"/"Outer London"; ``region_group`` folds them into
    "London", the region DfE's regional rows use.
    """
    las = (
        lait.loc[lait["area_type"] == "la", ["la_code", "la_name", "region"]]
        .drop_duplicates("la_code")
        .sort_values("la_code")
        .reset_index(drop=True)
    )
    las["region_group"] = las["region"].replace({"Inner London": "London", "Outer London": "London"})
    return las


def validate_la(la: str, valid: pd.DataFrame, what: str = "la") -> str:
    """Return the LA code as a string, or raise (naming the parameter ``what``) listing valid codes.

    >>> validate_la("330", pd.DataFrame({"la_code": ["330"], "la_name": ["Birmingham"]}))
    '330'
    """
    la = str(la).strip()
    if la not in set(valid["la_code"].tolist()):  # tolist: iterating a pyarrow string column is slow
        examples = ", ".join(f"{c} ({n})" for c, n in
                             valid.sort_values("la_code")[["la_code", "la_name"]].head(5).itertuples(index=False))
        raise ParameterError(
            f"{what}: {la!r} is not a local authority code in the data; expected a 3-digit DfE LA code such as "
            f"{examples} ... ({len(valid)} valid codes; `compendium choices --las` lists them)"
        )
    return la


def validate_year(year: int, valid_years: list[int], what: str = "year") -> int:
    """Return the year, or raise listing the years the data holds.

    >>> validate_year(2017, [2016, 2017])
    2017
    """
    if int(year) not in valid_years:
        raise ParameterError(f"{what}: {year} is not in the data; valid years: {', '.join(map(str, valid_years))}")
    return int(year)


@lru_cache(maxsize=1)
def opportunity_area_wards() -> pd.DataFrame:
    """2022 wards of former districts (West Somerset), documented in ``opportunity_area_wards.md``."""
    return _read("opportunity_area_wards.csv")


def la_name(la: str, las: pd.DataFrame) -> str:
    """The name of LA ``la`` in a table of LAs (``la_code``, ``la_name``); the code itself if it is not there.

    >>> la_name("330", pd.DataFrame({"la_code": ["330"], "la_name": ["Birmingham"]}))
    'Birmingham'
    """
    hit = las.loc[las["la_code"] == str(la), "la_name"]
    return str(hit.iloc[0]) if len(hit) else str(la)


@lru_cache(maxsize=1)
def measure_gaps() -> pd.DataFrame:
    """Years in which a measure does not exist, and why (``measure_gaps.csv``: exams cancelled, no baseline)."""
    table = _read("measure_gaps.csv")
    table["year"] = table["year"].astype(int)
    return table


def measure_gap(measure: str, year: int) -> str | None:
    """Why ``measure`` does not exist in ``year`` (None when it does, as far as the table knows).

    >>> measure_gap("p8", 2020)[:30], measure_gap("p8", 2017)
    ('no Progress 8 in 2019/20: GCSE', None)
    """
    return _gap_reasons().get((measure, int(year)))


@lru_cache(maxsize=1)
def _gap_reasons() -> dict[tuple[str, int], str]:
    table = measure_gaps()
    return {(m, int(y)): str(r) for m, y, r in zip(table["measure"], table["year"], table["reason"], strict=True)}
