"""Pupil weights for DfE-style (pupil-weighted) averages over local authorities.

LAIT gives every LA's Progress 8 by disadvantage but no pupil counts, so a group average over LAs needs
weights: each LA's KS4 pupils times the LA's share of secondary pupils who are disadvantaged (LAIT
``Ever6_FSM_Sec``, January census). The KS4 pupils are DfE's own count, ``TPUP`` on the LA rows of the
provisional KS4 file (:func:`pupils_from_la_rows`); the older estimate, summing the school-level files' pupils
by the LA the school spine gives each URN (:func:`schools_with_la`, :func:`ks4_pupils_by_la`), is kept as a
check. Ever-6 FSM is the main part of DfE's "disadvantaged" definition (the rest, looked-after and adopted
children, is about 1-2% of pupils), and the secondary-school share stands in for the Year 11 share, so the
weights remain estimates; the LA values are DfE's own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..common import nearest_year
from . import stats

#: LAIT indicator of the share (%) of secondary pupils known to be eligible for FSM in the last six years.
SHARE_INDICATOR = "Ever6_FSM_Sec"

#: School types that are not state-funded: DfE's LA Progress 8 covers state-funded schools only.
NOT_STATE_FUNDED = r"independent|non-maintained"


def schools_with_la(ks4: pd.DataFrame, spine: pd.DataFrame) -> pd.DataFrame:
    """KS4 schools (trimmed file) with their LA and whether they are state-funded, joined on URN.

    ``la_code`` is missing for URNs the spine does not hold (schools closed before its c. 2019 snapshot);
    ``state_funded`` is False for independent and non-maintained special schools.

    >>> ks4 = pd.DataFrame({"year": 2017, "urn": ["1", "2", "3"], "ks4_pupils": [100.0, 50.0, 7.0]})
    >>> spine = pd.DataFrame({"urn": ["1", "2"], "la_code": ["330", "330"],
    ...     "school_type": ["Academy - Converter mainstream", "Other independent school"]})
    >>> schools_with_la(ks4, spine)[["urn", "la_code", "state_funded"]].values.tolist()
    [['1', '330', True], ['2', '330', False], ['3', nan, True]]
    """
    spine = spine.drop_duplicates("urn")[["urn", "la_code", "school_type"]]
    out = ks4[["year", "urn", "ks4_pupils"]].merge(spine, on="urn", how="left", validate="many_to_one")
    out["state_funded"] = ~out["school_type"].fillna("").str.contains(NOT_STATE_FUNDED, case=False, regex=True)
    out["la_code"] = out["la_code"].astype(object).where(out["la_code"].notna(), np.nan)
    return out


def coverage(schools: pd.DataFrame) -> pd.DataFrame:
    """Per year: schools and KS4 pupils used for the weights, and those left out (not state-funded, no LA).

    >>> schools = pd.DataFrame({"year": 2017, "urn": ["1", "2", "3"], "la_code": ["330", "330", np.nan],
    ...     "ks4_pupils": [100.0, 50.0, 9.0], "state_funded": [True, False, True]})
    >>> coverage(schools)[["used", "schools", "ks4_pupils"]].values.tolist()
    [['left out: no LA in the spine', 1, 9.0], ['left out: not state-funded', 1, 50.0], ['used', 1, 100.0]]
    """
    why = np.where(~schools["state_funded"], "left out: not state-funded",
                   np.where(schools["la_code"].isna(), "left out: no LA in the spine", "used"))
    return (schools.assign(used=why).groupby(["year", "used"], as_index=False)
            .agg(schools=("urn", "size"), ks4_pupils=("ks4_pupils", "sum")))


def ks4_pupils_by_la(schools: pd.DataFrame) -> pd.DataFrame:
    """KS4 pupils in state-funded schools per (year, LA); schools without an LA are left out (and counted).

    >>> schools = pd.DataFrame({"year": 2017, "urn": ["1", "2", "3", "4"], "la_code": ["330", "330", "331", None],
    ...     "ks4_pupils": [100.0, 50.0, 7.0, 9.0], "state_funded": [True, False, True, True]})
    >>> ks4_pupils_by_la(schools).values.tolist()
    [[2017, '330', 100.0, 1], [2017, '331', 7.0, 1]]
    """
    kept = schools[schools["state_funded"] & schools["la_code"].notna()]
    return (
        kept.groupby(["year", "la_code"], as_index=False)
        .agg(ks4_pupils=("ks4_pupils", "sum"), schools=("urn", "size"))
        .sort_values(["year", "la_code"])
        .reset_index(drop=True)
    )


def pupils_from_la_rows(la_rows: pd.DataFrame) -> pd.DataFrame:
    """KS4 pupils per (year, LA) from DfE's LA rows (``data.ks4_provisional.read_ks4_provisional_la``: TPUP);
    LAs without a reported count are left out.

    >>> rows = pd.DataFrame({"year": 2017, "la_code": ["330", "201"], "ks4_pupils": [12193.0, np.nan],
    ...     "ks4_pupils_status": ["reported", "missing"]})
    >>> pupils_from_la_rows(rows).values.tolist()
    [[2017, '330', 12193.0]]
    """
    kept = la_rows[(la_rows["ks4_pupils_status"] == "reported") & la_rows["ks4_pupils"].notna()]
    return kept[["year", "la_code", "ks4_pupils"]].sort_values(["year", "la_code"]).reset_index(drop=True)


def disadvantaged_weights(pupils: pd.DataFrame, shares: pd.DataFrame, year: int) -> pd.DataFrame:
    """Estimated disadvantaged KS4 pupils per LA for ``year``: KS4 pupils x disadvantaged share / 100.

    ``pupils``: year, la_code, ks4_pupils (from :func:`ks4_pupils_by_la`); the nearest year's counts are used
    when ``year`` has no school file (``pupils_year`` says which). ``shares``: LAIT rows of
    ``Ever6_FSM_Sec`` (la_code, year, value in %). LAs missing either part get weight NaN.

    >>> pupils = pd.DataFrame({"year": [2017, 2017], "la_code": ["A", "B"], "ks4_pupils": [1000.0, 200.0]})
    >>> shares = pd.DataFrame({"la_code": ["A", "B"], "year": [2019, 2019], "value": [40.0, 25.0]})
    >>> w = disadvantaged_weights(pupils, shares, 2019)
    >>> w[["la_code", "pupils_year", "weight"]].values.tolist()  # 1000 x 0.40 = 400; 200 x 0.25 = 50
    [['A', 2017, 400.0], ['B', 2017, 50.0]]
    """
    pupils_year = nearest_year(year, list(pupils["year"].unique()))
    counts = pupils[pupils["year"] == pupils_year][["la_code", "ks4_pupils"]]
    share = shares[shares["year"] == year][["la_code", "value"]].rename(columns={"value": "disadvantaged_share"})
    out = counts.merge(share, on="la_code", how="outer", validate="one_to_one")
    out.insert(0, "year", int(year))
    out["pupils_year"] = pupils_year
    out["weight"] = out["ks4_pupils"] * out["disadvantaged_share"] / 100
    return out.sort_values("la_code").reset_index(drop=True)


def weighted_average(table: pd.DataFrame, value: str = "value", weight: str = "weight") -> pd.DataFrame:
    """The pupil-weighted and unweighted means of ``value`` over LAs with a value, and how far apart they are.

    LAs with a value but no weight are left out of the weighted mean and listed in ``missing_weights``.

    >>> t = pd.DataFrame({"la_name": ["A", "B", "C"], "value": [-0.2, -0.6, np.nan], "weight": [300, 100, 50]})
    >>> weighted_average(t).round(3).iloc[0].to_dict()  # (-0.2*300 - 0.6*100) / 400 = -0.3; mean -0.4
    {'weighted': -0.3, 'unweighted': -0.4, 'difference': -0.1, 'las': 2, 'las_weighted': 2, 'missing_weights': ''}
    """
    return pd.DataFrame({k: [v] for k, v in weighted_average_row(
        table[value].to_numpy(dtype="float64"), table[weight].to_numpy(dtype="float64"),
        table["la_name"].tolist()).items()})


def weighted_average_row(values: np.ndarray, weights: np.ndarray, names: list) -> dict:
    """:func:`weighted_average`'s one row as a dict, from the values, weights and LA names as arrays (what a
    method that needs the figures, not a table, calls: a one-row frame costs more than the arithmetic)."""
    has_value = ~np.isnan(values)
    weighted = has_value & ~np.isnan(weights) & (weights > 0)
    w_mean = stats.weighted_mean(values[weighted], weights[weighted])
    u_mean = float(values[has_value].mean()) if has_value.any() else np.nan
    missing = [str(n) for n, h, k in zip(names, has_value, weighted, strict=True) if h and not k]
    return {"weighted": w_mean, "unweighted": u_mean, "difference": u_mean - w_mean, "las": int(has_value.sum()),
            "las_weighted": int(weighted.sum()), "missing_weights": "; ".join(missing)}


def weights_note(weights: pd.DataFrame, year: int) -> str:
    """Says which year's school file gave the pupil counts, when it is not ``year`` ('' when it is).

    >>> weights_note(pd.DataFrame({"pupils_year": [2017]}), 2019)
    'No school-level KS4 file for 2019: pupil counts are from 2017 (nearest year).'
    """
    used = int(weights["pupils_year"].iloc[0])
    return "" if used == int(year) else (
        f"No school-level KS4 file for {year}: pupil counts are from {used} (nearest year).")
