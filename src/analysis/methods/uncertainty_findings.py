"""How sure notebook 02's comparison is, in words: shares of draws, the chosen LA's place, and the findings.

Split from :mod:`.uncertainty` (which computes the intervals and draws): this module only reads their tables.
"""

from __future__ import annotations

import pandas as pd

from ..common import short_of_bound


def share_text(p: float) -> str:
    """A share of draws in words, never rounding a near-certainty up to "100%" (the findings table's rule:
    :func:`analysis.common.short_of_bound`).

    >>> share_text(1.0), share_text(0.99996), share_text(0.9994), share_text(0.769), share_text(0.0004)
    ('every draw', 'more than 99.9% of draws', '99.9% of draws', '76.9% of draws', 'less than 0.1% of draws')
    """
    if p >= 1:
        return "every draw"
    if p <= 0:
        return "no draw"
    return f"{short_of_bound(100 * p, 1) or f'{100 * p:.1f}'}% of draws"


def place_summary(simulation: pd.DataFrame, code: str, *, code_column: str = "la_code") -> dict:
    """The chosen entry's observed rank, plausible ranks, share of draws first and at its rank, and whether its
    place holds: 'holds' when every plausible rank is its observed one, otherwise 'does not hold'.

    >>> sim = pd.DataFrame({"la_code": ["A", "B"], "rank": [1, 2], "rank_low": [1, 1], "rank_high": [2, 2],
    ...     "p_first": [0.8, 0.2], "p_rank": [0.8, 0.8]})
    >>> place_summary(sim, "A")["holds"]
    'does not hold'
    """
    hit = simulation[simulation[code_column].astype(str) == str(code)]
    if hit.empty:
        return {"rank": None, "n": len(simulation), "low": None, "high": None, "p_first": None, "p_rank": None,
                "holds": "not ranked"}
    me = hit.iloc[0]
    low, high = int(me["rank_low"]), int(me["rank_high"])
    return {"rank": int(me["rank"]), "n": len(simulation), "low": low, "high": high, "p_first": float(me["p_first"]),
            "p_rank": float(me["p_rank"]), "holds": "holds" if low == high == int(me["rank"]) else "does not hold"}


def findings(simulation: pd.DataFrame, gap_simulation: pd.DataFrame, flags: pd.DataFrame, average: pd.DataFrame,
             group: pd.DataFrame, *, la: str) -> pd.DataFrame:
    """How sure notebook 02's comparison is, as findings (none is published: they say how much the published
    ones can bear). Keys carry the group, as in ``comparisons.findings``."""
    key, label = str(group["group_key"].iloc[0]), str(group["group_label"].iloc[0])
    name = str(group.loc[group["la_code"] == str(la), "la_name"].iloc[0])
    section = "How sure is the ranking? Plausible ranks"
    draws, seed = simulation.attrs.get("draws", 0), simulation.attrs.get("seed", 0)
    rows = []
    for measure, sim, what in (("disadvantaged_p8", simulation, "by disadvantaged Progress 8"),
                               ("gap", gap_simulation, "by the disadvantage gap (smallest first)")):
        place = place_summary(sim, la)
        if place["rank"] is None:
            continue
        rows.append({
            "finding_id": f"plausible_ranks_{measure}", "key": f"{key}:{la}", "section": section,
            "value": f"{place['low']} to {place['high']} of {place['n']}",
            "label": f"{name}: plausible ranks in {label} {what} (95% of draws)",
            "note": (f"Observed rank {place['rank']} of {place['n']}; at that rank in {share_text(place['p_rank'])} and "
                     f"first in {share_text(place['p_first'])}: {draws:,} draws (seed {seed}) from each LA's interval."),
        })
        if place["rank"] == 1:
            rows += [{"finding_id": f"first_place_holds_{measure}", "key": f"{key}:{la}", "section": section,
                      "value": place["holds"],
                      "label": f"{name}: first place in {label} {what}, across its plausible ranks",
                      "note": f"First in {share_text(place['p_first'])} ({draws:,} draws)."},
                     {"finding_id": f"share_first_{measure}", "key": f"{key}:{la}", "section": section,
                      "value": 100 * place["p_first"], "unit": "%",
                      "label": f"{name}: share of draws in which it ranks first in {label} {what}"}]
    me = flags[flags["la_code"].astype(str) == str(la)]
    avg = average[average["pupil_group"] == "disadvantaged"]
    if len(me) and len(avg):
        row, a = me.iloc[0], avg.iloc[0]
        rows.append({"finding_id": "la_vs_other_las_disadvantaged_p8", "key": f"{key}:{la}",
                     "section": "Above or below: each LA against England and the rest of its group",
                     "value": row["vs_others"],
                     "label": f"{name}: disadvantaged Progress 8 against the other LAs of {label}",
                     "note": (f"{row['value']:.2f} (95% interval {row['low']:.2f} to {row['high']:.2f}) against the "
                              f"others' pupil-weighted average {row['others_average']:.2f}; the group average "
                              f"{a['value']:.2f} ({a['low']:.2f} to {a['high']:.2f}).")})
    return pd.DataFrame(rows)
