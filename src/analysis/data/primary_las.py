"""Which local authority each primary school with KS2 results belongs to, and which schools an LA's families
leave out and why.

The KS2 file has no LA column. The January census of the year does (``LA``), so each school's LA is the
census's; the c. 2019 school spine is the fallback, for schools the census lacks. Taking the LA from the spine
alone loses every school that closed or changed URN (e.g. became an academy) before the spine's snapshot:
in Birmingham, 10 primaries with 2016 results (assumption A12). A school's name comes from the spine, else
from the GIAS links file (the name its successor's link gives it). A special school is one the spine calls
so, or (not in the spine) one whose census establishment number is in DfE's special-school range 7000-7999.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MEET = [f"{s}_meet_pct" for s in ("read", "gps", "mat", "rwm")]
#: DfE establishment numbers 7000-7999 are special schools (the census has no type column).
SPECIAL_ESTAB = (7000, 7999)


def _meet_columns(ks2: pd.DataFrame) -> list[str]:
    # The trimmed file's GPS columns were once (wrongly) named writ_*: accept either name.
    return [c for c in [*MEET, "writ_meet_pct"] if c in ks2.columns]


def school_las(ks2: pd.DataFrame, census: pd.DataFrame, spine: pd.DataFrame,
               links: pd.DataFrame | None = None, *, census_year: int | None = None) -> pd.DataFrame:
    """Every school in the KS2 file: urn, la_code (census, else spine), la_source, spine_la_code, estab,
    school_name, minor_group, school_type, is_special, has_ks2_results (any % meeting the standard reported).

    >>> ks2 = pd.DataFrame({"urn": ["1", "2", "3"], "read_meet_pct": [60.0, 70.0, np.nan]})
    >>> census = pd.DataFrame({"level": "school", "urn": ["1", "3"], "la_code": ["330", "330"], "estab": ["2001", "7027"]})
    >>> spine = pd.DataFrame({"urn": ["2"], "la_code": ["331"], "estab": ["2002"], "school_name": ["B"],
    ...     "minor_group": ["Academy"], "school_type": ["Academy converter"]})
    >>> school_las(ks2, census, spine)[["urn", "la_code", "la_source", "is_special", "has_ks2_results"]].values.tolist()
    [['1', '330', 'census', False, True], ['2', '331', 'spine', False, True], ['3', '330', 'census', True, False]]
    """
    label = f"census {census_year}" if census_year else "census"
    cen = census.loc[census["level"] == "school", ["urn", "la_code", "estab"]].drop_duplicates("urn")
    cen = cen.rename(columns={"la_code": "census_la_code", "estab": "census_estab"})
    spi = spine.drop_duplicates("urn")[["urn", "la_code", "estab", "school_name", "minor_group", "school_type"]]
    out = ks2[["urn"]].merge(cen, on="urn", how="left").merge(spi.rename(columns={"la_code": "spine_la_code"}),
                                                               on="urn", how="left")
    in_census = out["census_la_code"].notna() & (out["census_la_code"].astype(str).str.strip() != "")
    out["la_code"] = out["census_la_code"].where(in_census, out["spine_la_code"])
    out["la_source"] = np.select([in_census, out["spine_la_code"].notna()], [label, "spine"], "none")
    out["estab"] = out["census_estab"].where(in_census, out["estab"])
    if links is not None:  # a closed school's name: the link from its successor names it
        named = links.dropna(subset=["linked_name"]).drop_duplicates("linked_urn").set_index("linked_urn")
        out["school_name"] = out["school_name"].fillna(out["urn"].map(named["linked_name"]))
    estab = pd.to_numeric(out["estab"], errors="coerce")
    by_number = estab.between(*SPECIAL_ESTAB) & out["minor_group"].isna()
    out["is_special"] = (out["minor_group"] == "Special School").fillna(False).astype(bool) | by_number
    out["has_ks2_results"] = ks2[_meet_columns(ks2)].notna().any(axis=1).to_numpy()
    cols = ["urn", "la_code", "la_source", "spine_la_code", "estab", "school_name", "minor_group", "school_type",
            "is_special", "has_ks2_results"]
    return out[cols]


def exclusions(las: pd.DataFrame, la: str) -> pd.DataFrame:
    """The schools of ``la`` (by census or spine) that its families leave out, each with its reason.

    >>> las = pd.DataFrame({"urn": ["1", "2", "3"], "la_code": ["330", "330", "331"], "spine_la_code": [None, "330", "330"],
    ...     "la_source": ["census", "census", "census"], "school_name": ["A", "B", "C"], "is_special": [True, False, False],
    ...     "has_ks2_results": [True, False, True]})
    >>> exclusions(las, "330")[["urn", "reason"]].values.tolist()
    [['3', 'in LA 331 by the census (the spine says 330)'], ['2', 'no KS2 results: every % meeting the expected standard is blank'], ['1', 'special school: the families group mainstream schools']]
    """
    la = str(la)
    mine = las[(las["la_code"] == la) | (las["spine_la_code"] == la)].copy()
    reason = np.select(
        [mine["la_code"] != la, ~mine["has_ks2_results"], mine["is_special"]],
        ["in LA " + mine["la_code"].astype(str) + " by the census (the spine says " + la + ")",
         "no KS2 results: every % meeting the expected standard is blank",
         "special school: the families group mainstream schools"], "")
    out = mine.assign(reason=reason)
    out = out[out["reason"] != ""]
    cols = ["urn", "school_name", "la_code", "la_source", "reason"]
    return out[cols].sort_values(["reason", "urn"], kind="stable").reset_index(drop=True)


def read_primary_exclusions(year: int, *, la: str) -> pd.DataFrame:
    """:func:`exclusions` from the registry's files for KS2 ``year`` (census of the nearest year)."""
    from .gias import read_gias_links, read_school_spine
    from .primary import context_years, read_census, read_ks2_trimmed

    years = context_years(year)
    las = school_las(read_ks2_trimmed(year=years["ks2"]), read_census(year=years["census"]), read_school_spine(),
                     read_gias_links(), census_year=years["census"])
    return exclusions(las, la)
