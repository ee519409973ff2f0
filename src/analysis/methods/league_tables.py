"""'Cracking the Code' (2014): "the new system will lead to 8 per cent of secondary schools falling far down the
league table rankings, including a fifth of schools in the North East. The schools with the biggest falls are
those with the greatest proportion of disadvantaged students." A public *analogue*, not the Commission's method.

The Commission re-scored 2012/13 results under the 2016 rules (Progress 8, new qualification lists): that needs
pupil-level data. What the public 2013/14 school file allows is a move from an attainment ranking to a progress
ranking: each school's percentile rank on 5ACEM (% with five A*-C including English and maths, the old headline)
against its percentile rank on best-8 value added (``B8VAMEA_PTQ``, a progress measure over eight subjects, the
nearest thing in the file to Progress 8). ``fall`` = 5ACEM rank minus VA rank, in percentile points (positive:
the school falls when the table ranks progress).

What "falling far" means is not published. The analogue calibrates it on the national claim: the threshold is
the fall exceeded by the published share of schools (8%: :func:`far_fall_threshold`), so the national share is
true by construction and is *not* a test; the North East share and the link with disadvantage, at that
threshold, are. Caveats: a year later than the report's data; VA is not Progress 8 (different subjects, KS2
baseline and scale); the new qualification lists (the "gaming" the Commission mentions) are not modelled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import published
from . import stats

NORTH_EAST = "North East"
DOCUMENT = "smcpc_ctc_2014_release"
#: The published claim the threshold is calibrated on.
CALIBRATION_CLAIM = ("league_far_fall_share", "england")
#: Thresholds (percentile points) of the sensitivity table.
SENSITIVITY_THRESHOLDS = [20.0, 25.0, 30.0, 35.0, 40.0]


def league_moves(schools: pd.DataFrame) -> pd.DataFrame:
    """Schools with a 5ACEM %, a best-8 VA score and a % disadvantaged: percentile ranks (0-100, ties averaged,
    higher = better) on each, and ``fall`` = 5ACEM rank - VA rank; plus the school's fifth by % disadvantaged
    (``disadvantage_fifth`` 1 = least disadvantaged, 5 = most; ties by URN).

    >>> s = pd.DataFrame({"urn": list("abcde"), "region": "X", "pct_5acem_all": [80.0, 60, 40, 20, 0],
    ...     "best8_va": [990.0, 1000, 1010, 1020, 1030], "pct_disadvantaged": [10.0, 20, 30, 40, 50]})
    >>> league_moves(s)[["fall", "disadvantage_fifth"]].values.tolist()  # ranks 100..20 against 20..100
    [[80.0, 1], [40.0, 2], [0.0, 3], [-40.0, 4], [-80.0, 5]]
    """
    rows = schools.dropna(subset=["pct_5acem_all", "best8_va", "pct_disadvantaged"]).copy()
    rows["rank_5acem"] = rows["pct_5acem_all"].rank(pct=True) * 100
    rows["rank_va"] = rows["best8_va"].rank(pct=True) * 100
    rows["fall"] = rows["rank_5acem"] - rows["rank_va"]
    rows["disadvantage_fifth"] = stats.bands(rows["pct_disadvantaged"], 5, tie_break=rows["urn"])
    cols = ["urn", "school_name", "region", "pct_disadvantaged", "disadvantage_fifth", "pct_5acem_all", "best8_va",
            "rank_5acem", "rank_va", "fall"]
    return rows[[c for c in cols if c in rows]].sort_values(["fall", "urn"], ascending=[False, True],
                                                            kind="stable").reset_index(drop=True)


def far_fall_threshold(moves: pd.DataFrame, share: float | None = None) -> float:
    """The fall (percentile points) exceeded by ``share`` % of schools: by default the published national share
    (the analogue's calibration, so that share can never be a finding).

    >>> far_fall_threshold(pd.DataFrame({"fall": [float(x) for x in range(101)]}), share=10)
    90.0
    """
    if share is None:
        share = published.published_value(CALIBRATION_CLAIM[0], published.document_data_year(DOCUMENT),
                                          CALIBRATION_CLAIM[1])
    return float(np.percentile(moves["fall"].to_numpy(dtype=float), 100 - float(share)))


def league_summary(moves: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Share of schools falling more than ``threshold`` points: in England, in the North East, and by fifth of
    % disadvantaged (with each fifth's mean fall).

    >>> m = pd.DataFrame({"region": ["North East", "X", "X", "X"], "disadvantage_fifth": [1, 1, 5, 5],
    ...     "fall": [40.0, 0.0, -10.0, 35.0]})
    >>> league_summary(m, 30)[["group", "schools", "falling_far_pct"]].values.tolist()[:2]
    [['England', 4, 50.0], ['North East', 1, 100.0]]
    """
    far = moves["fall"] > threshold
    rows = [("England", moves.index), (NORTH_EAST, moves.index[moves["region"] == NORTH_EAST])]
    rows += [(f"disadvantage fifth {int(q)}", part.index)
             for q, part in moves.groupby("disadvantage_fifth", sort=True)]
    out = pd.DataFrame([{"group": g, "schools": len(idx), "falling_far": int(far[idx].sum()),
                         "falling_far_pct": 100 * far[idx].mean() if len(idx) else np.nan,
                         "mean_fall": moves.loc[idx, "fall"].mean()} for g, idx in rows])
    out["threshold"] = threshold
    return out


def biggest_falls(summary: pd.DataFrame) -> str:
    """Which fifth of schools by % disadvantaged falls most on average: 'highest', 'lowest' or a middle fifth.

    >>> biggest_falls(pd.DataFrame({"group": ["disadvantage fifth 1", "disadvantage fifth 5"], "mean_fall": [9.0, -9.0]}))
    'lowest'
    """
    fifths = summary[summary["group"].str.startswith("disadvantage fifth")]
    top = int(fifths.loc[fifths["mean_fall"].idxmax(), "group"].rsplit(" ", 1)[1])
    n = len(fifths)
    return "highest" if top == n else "lowest" if top == 1 else f"middle (fifth {top} of {n})"


def threshold_sensitivity(moves: pd.DataFrame, thresholds: list[float]) -> pd.DataFrame:
    """England's and the North East's share falling far for each threshold (percentile points)."""
    rows = []
    for t in sorted(thresholds):
        s = league_summary(moves, t).set_index("group")
        rows.append({"threshold": t, "england_pct": s.loc["England", "falling_far_pct"],
                     "north_east_pct": s.loc[NORTH_EAST, "falling_far_pct"],
                     "correlation_fall_disadvantage": moves["fall"].corr(moves["pct_disadvantaged"])})
    return pd.DataFrame(rows)


def findings(summary: pd.DataFrame, *, year: int, data_note: str) -> list[dict]:
    """The league-table claims as findings rows (the national share is the calibration: recorded with no value,
    the published table says what reproducing it needs)."""
    s = summary.set_index("group")
    t = float(summary["threshold"].iloc[0])
    section = "League tables: from attainment to progress (an analogue)"
    method = (f"Analogue: 5ACEM rank against best-8 VA rank. {data_note} 'Falling far' = a fall of more than "
              f"{t:.1f} percentile points, the fall exceeded by the published 8% of schools nationally "
              f"({s.loc['England', 'falling_far_pct']:.1f}% here, by construction).")
    fifths = summary[summary["group"].str.startswith("disadvantage fifth")]
    pattern = "; ".join(f"{g.rsplit(' ', 1)[1]}: {m:+.1f}" for g, m in zip(fifths["group"], fifths["mean_fall"],
                                                                            strict=True))
    return [
        {"finding_id": "league_far_fall_share", "key": "england", "year": year, "value": None, "section": section,
         "label": "% of schools falling far down the league table under the new measures", "note": method},
        {"finding_id": "league_far_fall_threshold", "key": "england", "year": year, "value": t, "section": section,
         "unit": "percentile points", "label": "Analogue: the fall that counts as 'far' (calibrated)", "note": method},
        {"finding_id": "league_far_fall_share_north_east", "key": "north_east", "year": year, "section": section,
         "value": s.loc[NORTH_EAST, "falling_far_pct"], "label": "% of North East schools falling far (analogue)",
         "note": method},
        {"finding_id": "league_biggest_falls_disadvantage", "key": "england", "year": year, "section": section,
         "value": biggest_falls(summary), "label": "Fifth of schools by % disadvantaged with the biggest falls (analogue)",
         "note": f"{method} Mean fall by fifth of % disadvantaged (1 least, 5 most): {pattern}; the analogue "
                 "contradicts the claim: under a progress measure the most disadvantaged schools rise."},
    ]
