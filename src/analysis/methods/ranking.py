"""Ranking local authorities on published two-decimal values, with a stated tie rule.

Tie rule (:func:`rank_las`): LAs are ranked on the published two-decimal value, best first; equal values share a
rank "competition style" (1, 2, 2, 4) and are shown as "2="; within a tie they are listed by LA name
(case-insensitive A-Z), then LA code. The rule never looks at the order of any published table.
"""

from __future__ import annotations

import difflib

import pandas as pd

from ..common import column_lists as _lists


def rank_las(table: pd.DataFrame, value: str = "value", *, higher_is_better: bool = True,
             decimals: int = 2) -> pd.DataFrame:
    """Rows ordered best first, with a competition-style ``rank`` (ties share it) and ``rank_label`` ("2=").

    Values are compared at ``decimals`` places (DfE's published precision), so -0.62 and -0.62 tie. Within a
    tie rows are ordered by ``la_name`` (case-insensitive), then ``la_code``. Rows without a value come last,
    unranked.

    >>> t = pd.DataFrame({"la_code": ["391", "341", "330", "999"],
    ...     "la_name": ["Newcastle upon Tyne", "Liverpool", "Birmingham", "Nowhere"],
    ...     "value": [-0.62, -0.62, -0.18, float("nan")]})
    >>> rank_las(t)[["la_name", "rank_label"]].values.tolist()
    [['Birmingham', '1'], ['Liverpool', '2='], ['Newcastle upon Tyne', '2='], ['Nowhere', '']]
    """
    rounded = table[value].astype("float64").round(decimals).to_numpy()
    sign = -1 if higher_is_better else 1
    # Sort keys in Python: tables are a few dozen LAs, where pandas' multi-key sort costs far more than it saves.
    keys = [((1, 0.0) if v != v else (0, sign * v), str(n).casefold(), str(c), i) for i, (v, n, c) in
            enumerate(zip(rounded, *_lists(table, "la_name", "la_code"), strict=True))]
    order = [k[-1] for k in sorted(keys)]
    out = table.iloc[order].reset_index(drop=True)
    ordered = rounded[order]
    counts: dict[float, int] = {}
    for v in ordered:
        if v == v:
            counts[v] = counts.get(v, 0) + 1
    ranks, labels, tied, seen = [], [], [], {}
    for position, v in enumerate(ordered, start=1):
        if v != v:  # no value: unranked
            ranks.append(pd.NA), labels.append(""), tied.append(False)
            continue
        rank = seen.setdefault(v, position)  # competition ranking: a tie takes the first position it reaches
        ranks.append(rank), tied.append(counts[v] > 1), labels.append(f"{rank}{'=' if counts[v] > 1 else ''}")
    out["rank"] = pd.array(ranks, dtype="Int64")
    out["tied"] = tied
    out["rank_label"] = labels
    return out


def rank_text(ranked: pd.DataFrame, la: str) -> str:
    """The LA's place as "1 of 8" ("7= of 8" when tied), counting only LAs with a value.

    >>> r = pd.DataFrame({"la_code": ["330", "391"], "rank": [1, 2], "rank_label": ["1", "2="]})
    >>> rank_text(r, "330"), rank_text(r, "391")
    ('1 of 2', '2= of 2')
    """
    ranks = dict(zip(ranked["la_code"].tolist(), zip(*_lists(ranked, "rank", "rank_label"), strict=True), strict=True))
    n = int(ranked["rank"].notna().sum())
    rank, label = ranks.get(str(la), (pd.NA, ""))
    if pd.isna(rank):
        return "not ranked: no value" if n else "not ranked: no LA has a value"
    return f"{label} of {n}"


def tie_note(ranked: pd.DataFrame, value: str = "value") -> str:
    """Plain-English list of tied LAs and how the rule ordered them ('' when there is no tie).

    >>> r = pd.DataFrame({"la_name": ["Liverpool", "Newcastle upon Tyne"], "value": [-0.62, -0.62],
    ...     "rank_label": ["7=", "7="], "tied": [True, True]})
    >>> tie_note(r)
    'Tied at -0.62 (rank 7=): Liverpool, Newcastle upon Tyne, listed A-Z by the tie rule.'
    """
    parts = []
    for label, part in ranked[ranked["tied"]].groupby("rank_label", sort=False):
        parts.append(f"Tied at {part[value].iloc[0]:.2f} (rank {label}): {', '.join(part['la_name'])}, "
                     "listed A-Z by the tie rule.")
    return " ".join(parts)


def order_note(ranked: pd.DataFrame, published: list[str] | None, value: str = "value") -> str:
    """How our ranked names differ from a published ranking: spelling, order within ties, or real differences.

    Published names are matched to the data's exactly (case-insensitive), else to the closest name (difflib),
    so a typo such as "olihull" is reported as a spelling difference, never silently corrected.

    >>> r = pd.DataFrame({"la_name": ["Birmingham", "Liverpool", "Newcastle upon Tyne"],
    ...     "value": [-0.18, -0.62, -0.62], "rank": [1, 2, 2]})
    >>> order_note(r, ["Birmingham", "Newcastle upon Tyne", "Liverpool"])
    'Same LAs; the order differs from the published one only within ties (published: Newcastle upon Tyne before Liverpool, equal at -0.62 in the data).'
    >>> order_note(r, ["Birmingham", "Liverpol", "Newcastle upon Tyne"])
    'Same order as published. Spelling: published "Liverpol" = data "Liverpool".'
    """
    if not published:
        return ""
    rows = ranked[ranked["rank"].notna()]
    ours = list(rows["la_name"].astype(str))
    by_fold = {n.casefold(): n for n in ours}
    mapped, spelling, unmatched = [], [], []
    for name in published:
        hit = by_fold.get(name.casefold()) or next(iter(difflib.get_close_matches(name, ours, n=1, cutoff=0.6)), None)
        if hit is None:
            unmatched.append(name)
        elif hit != name:
            spelling.append(f'published "{name}" = data "{hit}"')
        mapped.append(hit)
    parts = []
    values = dict(zip(ours, rows[value].round(2), strict=True))
    if unmatched or sorted(map(str, mapped)) != sorted(ours):
        parts.append(f"The LAs differ: published {published}, data {ours}.")
    elif mapped == ours:
        parts.append("Same order as published.")
    else:
        swaps = [(p, o) for p, o in zip(mapped, ours, strict=True) if p != o]
        if all(values[p] == values[o] for p, o in swaps):
            pairs = "; ".join(f"{a} before {b}, equal at {values[a]:.2f} in the data"
                              for (a, _), (b, _) in zip(swaps[::2], swaps[1::2], strict=False))
            parts.append(f"Same LAs; the order differs from the published one only within ties (published: {pairs}).")
        else:
            diff = ", ".join(f"{p} ({values[p]:.2f}) where the data ranks {o} ({values[o]:.2f})" for p, o in swaps)
            parts.append(f"The published order differs beyond ties: published puts {diff}.")
    if spelling:
        parts.append("Spelling: " + "; ".join(spelling) + ".")
    return " ".join(parts)
