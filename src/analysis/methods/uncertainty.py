"""How sure is a comparison? Intervals for LA figures, plausible ranks by simulation, flags against a benchmark.

An LA's Progress 8 is the mean of its pupils' scores. Treating its pupils as a sample of the pupils the LA's
schools could have taught (DfE's own reasoning for school confidence intervals), the mean has a standard error
``sd / sqrt(n)``: ``sd`` is the national pupil-level SD of P8 (:func:`.stats.p8_sd`, one estimator for the
whole compendium) and ``n`` the LA's pupils in the group. DfE publishes P8 to two decimals, so the published
value is the mean to within ±0.005: that rounding (a uniform error, SD 0.005/sqrt(3)) is added in quadrature.
The pupil counts are estimates where DfE gives none for the group (:mod:`.la_weights`): all pupils = KS4
pupils; disadvantaged = KS4 pupils x the LA's disadvantaged share; non-disadvantaged = the rest.

Assumptions (docs/ASSUMPTIONS.md, A15): pupils' scores independent within an LA (no allowance for clustering
in schools, which would widen intervals), the national SD for every LA and group, the normal approximation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..common import column_lists as _lists
from ..errors import ParameterError
from . import stats

#: SD of the rounding error of a value published to two decimals (uniform on ±0.005).
ROUNDING_SD = 0.005 / np.sqrt(3)
Z = {0.95: 1.96, 0.998: 3.09}


def standard_error(sd: float, n, rounding: float = ROUNDING_SD) -> np.ndarray:
    """Standard error of a published mean of ``n`` pupils: sqrt(sd^2 / n + rounding^2).

    >>> round(float(standard_error(1.2, 144, rounding=0)), 4)  # 1.2 / 12
    0.1
    """
    n = np.asarray(n, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(np.where(n > 0, sd**2 / n, np.nan) + rounding**2)


def sd_value(sd) -> float:
    """The SD as a number, from a number or a one-year :func:`.stats.sd_by_year` table (``sd_p8``)."""
    if isinstance(sd, pd.DataFrame):
        if len(sd) != 1:
            raise ParameterError(f"p8_sd: expected the SD table of one year, got {len(sd)} rows")
        sd = sd["sd_p8"].iloc[0]
    sd = float(sd) if sd is not None and not pd.isna(sd) else float("nan")
    if not sd > 0:
        raise ParameterError(f"p8_sd: expected a positive pupil-level SD of Progress 8, got {sd!r}")
    return sd


def la_intervals(values: pd.DataFrame, weights: pd.DataFrame, sd, *, published: pd.DataFrame | None = None,
                 z: float = 1.96) -> pd.DataFrame:
    """A 95% interval for each LA's P8, per pupil group, and for its disadvantage gap.

    ``values`` (``comparisons.group_values``): disadvantaged, non_disadvantaged (and all, if present) P8.
    ``weights`` (``la_weights.disadvantaged_weights``): ks4_pupils and weight (= estimated disadvantaged pupils).
    ``sd``: the national pupil-level SD (a number or a one-year :func:`.stats.sd_by_year` table). The gap's
    standard error combines the two groups' (their pupils are different pupils, so the errors are independent).
    ``published`` (``data.published_la_intervals``): where DfE publishes the LA's interval for the same
    value, DfE's interval and pupil count are used instead (``interval_source`` says which).

    Hand example: sd 1.2, 144 disadvantaged pupils, value -0.18 -> se = sqrt(1.2^2/144 + 0.0029^2) = sqrt(0.01 +
    0.0000083) = 0.10004, interval -0.18 ± 1.96 x 0.10004 = -0.18 ± 0.196: -0.376 to 0.016.

    >>> v = pd.DataFrame({"la_code": ["A"], "la_name": ["A"], "disadvantaged": [-0.18], "non_disadvantaged": [0.1]})
    >>> w = pd.DataFrame({"la_code": ["A"], "ks4_pupils": [400.0], "weight": [144.0]})
    >>> out = la_intervals(v, w, 1.2).set_index("pupil_group")
    >>> out.loc["disadvantaged", ["pupils", "low", "high"]].round(3).tolist()
    [144.0, -0.376, 0.016]
    """
    sd = sd_value(sd)
    # Plain lookups, not merges: the sweep calls this for every LA and year (a few LAs each time).
    # (tolist: iterating a pyarrow column converts element by element, and the weights and DfE's intervals cover
    # every LA however few the group has)
    by_la = dict(zip(weights["la_code"].astype(str).tolist(), zip(*_lists(weights, "ks4_pupils", "weight"),
                                                                   strict=True), strict=True))
    codes = values["la_code"].astype(str).to_numpy()
    ks4, disadvantaged = (np.array([float(by_la.get(c, (np.nan, np.nan))[i]) for c in codes]) for i in (0, 1))
    counts = {"disadvantaged": disadvantaged, "non_disadvantaged": ks4 - disadvantaged, "all": ks4}
    dfe = {} if published is None or not len(published) else {
        (c, g): (v, n, lo, hi, src) for c, g, v, n, lo, hi, src in zip(
            published["la_code"].astype(str).tolist(), *_lists(published, "pupil_group", "dfe_value", "dfe_pupils",
                                                               "dfe_low", "dfe_high", "dfe_source"), strict=True)}
    parts, se_of = [], {}
    for group, pupils in counts.items():
        if group not in values:
            continue
        value = values[group].to_numpy(dtype="float64")
        pupils = pupils.copy()
        se = standard_error(sd, pupils)
        source = np.full(len(codes), "estimated: national SD, estimated pupils", dtype=object)
        for i, code in enumerate(codes):  # DfE's interval where it is for the very value we use
            hit = dfe.get((code, group))
            if hit is not None and not np.isnan(value[i]) and round(float(hit[0]), 2) == round(float(value[i]), 2):
                # DfE's interval is around the unrounded mean; our value is the rounded one
                se[i] = np.hypot((float(hit[3]) - float(hit[2])) / 2 / z, ROUNDING_SD)
                pupils[i], source[i] = float(hit[1]), f"DfE: {hit[4]}"
        se_of[group] = se
        parts.append((group, value, pupils, se, source))
    if "disadvantaged" in se_of and "non_disadvantaged" in se_of:
        gap = (values["non_disadvantaged"].to_numpy(dtype="float64") - values["disadvantaged"].to_numpy(dtype="float64"))
        parts.append(("gap", np.round(gap, 2), np.full(len(codes), np.nan),
                      np.hypot(se_of["disadvantaged"], se_of["non_disadvantaged"]),
                      np.full(len(codes), "from the two groups' intervals", dtype=object)))
    names = values["la_name"].to_numpy()
    out = pd.DataFrame({
        "la_code": np.concatenate([codes] * len(parts)), "la_name": np.concatenate([names] * len(parts)),
        "pupil_group": np.concatenate([[g] * len(codes) for g, *_ in parts]),
        "value": np.concatenate([p[1] for p in parts]), "pupils": np.concatenate([p[2] for p in parts]),
        "se": np.concatenate([p[3] for p in parts]), "interval_source": np.concatenate([p[4] for p in parts])})
    out["low"], out["high"] = out["value"] - z * out["se"], out["value"] + z * out["se"]
    return out


def compare_published(intervals: pd.DataFrame, published: pd.DataFrame, *, sd, weights: pd.DataFrame,
                      z: float = 1.96) -> pd.DataFrame:
    """Our estimated interval next to DfE's published one, for every LA and group where DfE publishes one:
    pupils (ours estimated, DfE's counted), low and high each way."""
    ours = intervals[intervals["la_code"].isin(published["la_code"])]
    cols = ["la_name", "pupil_group", "value", "pupils_estimated", "low_estimated", "high_estimated",
            "dfe_value", "dfe_pupils", "dfe_low", "dfe_high", "dfe_source"]
    if ours.empty:
        return pd.DataFrame(columns=cols)
    sd = sd_value(sd)
    table = ours[ours["pupil_group"] != "gap"].merge(published, on=["la_code", "pupil_group"], how="inner")
    w = weights.set_index("la_code")
    n = {"disadvantaged": w["weight"], "non_disadvantaged": w["ks4_pupils"] - w["weight"], "all": w["ks4_pupils"]}
    table["pupils_estimated"] = [float(n[g].get(c, np.nan)) for c, g in zip(table["la_code"], table["pupil_group"],
                                                                          strict=True)]
    se = standard_error(sd, table["pupils_estimated"])
    table["low_estimated"], table["high_estimated"] = table["value"] - z * se, table["value"] + z * se
    return table[cols].reset_index(drop=True)


def england_intervals(measure_rows: pd.DataFrame, weights: pd.DataFrame, sd, year: int) -> pd.DataFrame:
    """England's P8 per pupil group (DfE's row, code 970) with its interval: every LA's pupils together."""
    rows = measure_rows[(measure_rows["la_code"] == "970") & (measure_rows["year"] == year)]
    values = pd.DataFrame({"la_code": ["970"], "la_name": ["England"]})
    for group in ("disadvantaged", "non_disadvantaged", "all"):
        hit = rows.loc[rows["pupil_group"] == group, "value"]
        values[group] = float(hit.iloc[0]) if len(hit) else np.nan
    las = weights[weights["la_code"] != "970"]
    total = pd.DataFrame({"la_code": ["970"], "ks4_pupils": [las["ks4_pupils"].sum(min_count=1)],
                          "weight": [las["weight"].sum(min_count=1)]})
    return la_intervals(values, total, sd)


def average_interval(intervals: pd.DataFrame, group: str = "disadvantaged", *, z: float = 1.96) -> dict[str, float]:
    """The pupil-weighted average of the LAs' values and its interval: the LAs' errors are independent, so the
    average's variance is sum(n_i^2 se_i^2) / (sum n_i)^2.

    >>> t = pd.DataFrame({"pupil_group": "disadvantaged", "value": [0.0, 1.0], "pupils": [100.0, 300.0],
    ...     "se": [0.1, 0.1]})
    >>> {k: round(v, 4) for k, v in average_interval(t).items()}  # (0*100 + 1*300)/400; sqrt(0.01*(1e4+9e4))/400
    {'value': 0.75, 'se': 0.0791, 'low': 0.595, 'high': 0.905}
    """
    rows = intervals[(intervals["pupil_group"] == group) & intervals["value"].notna() & intervals["pupils"].gt(0)]
    n = rows["pupils"].to_numpy(dtype=float)
    value = stats.weighted_mean(rows["value"], n)
    se = float(np.sqrt((n**2 * rows["se"].to_numpy(dtype=float) ** 2).sum()) / n.sum()) if n.sum() else float("nan")
    return {"value": value, "se": se, "low": value - z * se, "high": value + z * se}


def rank_simulation(intervals: pd.DataFrame, group: str = "disadvantaged", *, draws: int = 10_000, seed: int = 1,
                    higher_is_better: bool = True, level: float = 0.95, code: str = "la_code",
                    name: str = "la_name") -> pd.DataFrame:
    """Each LA's plausible ranks: draw every LA's true value from N(value, se) ``draws`` times (seeded), rank each
    draw (1 = best), and report the central ``level`` range of the ranks and how often each LA comes first.

    LAs without a value or an interval are left out. Hand example in the tests: three LAs far apart with tiny
    errors always rank 1, 2, 3; two LAs with equal values and errors each come first half the time. ``code``
    and ``name`` name the identifying columns (schools: ``urn``, ``school_name``).
    """
    keep = ((intervals["pupil_group"] == group) & intervals["value"].notna() & intervals["se"].notna()).to_numpy()
    codes = intervals[code].to_numpy()[keep]
    if not len(codes):
        return pd.DataFrame(columns=[code, name, "value", "rank", "rank_low", "rank_high", "plausible_ranks",
                                     "p_first", "p_rank", "p_ahead_of_next"])
    by_code = np.argsort(codes.astype(str), kind="stable")  # the draws' columns in code order: seed-stable
    codes, names = codes[by_code], intervals[name].to_numpy()[keep][by_code]
    value = intervals["value"].to_numpy(dtype=float)[keep][by_code]
    se = intervals["se"].to_numpy(dtype=float)[keep][by_code]
    rng = np.random.default_rng(seed)
    sims = rng.normal(value, se, size=(int(draws), len(codes)))
    order = np.argsort(-sims if higher_is_better else sims, axis=1, kind="stable")
    ranks = np.empty_like(order)
    ranks[np.arange(len(sims))[:, None], order] = np.arange(1, len(codes) + 1)
    tail = (1 - level) / 2 * 100
    key = np.round(-value if higher_is_better else value, 2)
    observed = np.searchsorted(np.sort(key), key, side="left") + 1  # "min" ranks: ties share the best rank
    low = np.percentile(ranks, tail, axis=0, method="lower").astype(int)
    high = np.percentile(ranks, 100 - tail, axis=0, method="higher").astype(int)
    shown = np.lexsort((names.astype(str), observed))  # by rank, then name
    # How often each LA is ahead of the next one down the observed ranking: under 95%, the data do not settle
    # which of the two is ahead (a near-tie); an exact tie in the published values is a tie whatever the draws.
    ahead = [float((ranks[:, i] < ranks[:, j]).mean()) for i, j in zip(shown[:-1], shown[1:], strict=True)]
    out = pd.DataFrame({
        code: codes[shown], name: names[shown], "value": value[shown], "rank": observed[shown],
        "rank_low": low[shown], "rank_high": high[shown],
        "plausible_ranks": [f"{lo} to {hi}" for lo, hi in zip(low[shown], high[shown], strict=True)],
        "p_first": (ranks == 1).mean(axis=0)[shown],
        "p_rank": (ranks == observed[None, :]).mean(axis=0)[shown], "p_ahead_of_next": [*ahead, np.nan]})
    out.attrs.update(draws=int(draws), seed=int(seed), level=level, name=name)
    return out


def flag(value: float, se: float, reference: float, reference_se: float = 0.0, *, z: float = 1.96) -> str:
    """'above', 'below' or 'not distinguishable' from ``reference``: the difference's interval excludes zero or not.

    >>> flag(-0.18, 0.02, -0.40), flag(-0.38, 0.02, -0.40), flag(-0.50, 0.02, -0.40)
    ('above', 'not distinguishable', 'below')
    """
    if any(pd.isna(x) for x in (value, se, reference)):
        return "no value"
    half = z * float(np.hypot(se, reference_se))
    diff = value - reference
    return "above" if diff - half > 0 else "below" if diff + half < 0 else "not distinguishable"


def la_flags(intervals: pd.DataFrame, england: pd.DataFrame, group: str = "disadvantaged") -> pd.DataFrame:
    """Each LA against England (``england_intervals``) and against the pupil-weighted average of the *other*
    LAs of its group (leave one out, so an LA is never compared with an average it is part of), with the
    intervals.

    >>> t = pd.DataFrame({"la_code": ["A", "B"], "la_name": ["A", "B"], "pupil_group": "disadvantaged",
    ...     "value": [0.2, -0.2], "pupils": [100.0, 100.0], "se": [0.05, 0.05]}).assign(low=0, high=0)
    >>> e = pd.DataFrame({"pupil_group": ["disadvantaged"], "value": [0.0], "se": [0.001]})
    >>> la_flags(t, e)[["la_name", "vs_england", "vs_others"]].values.tolist()
    [['A', 'above', 'above'], ['B', 'below', 'below']]
    """
    rows = intervals[intervals["pupil_group"] == group].reset_index(drop=True)
    eng = england[england["pupil_group"] == group]
    eng_value, eng_se = (float(eng["value"].iloc[0]), float(eng["se"].iloc[0])) if len(eng) else (np.nan, np.nan)
    value, se = rows["value"].to_numpy(dtype=float), rows["se"].to_numpy(dtype=float)
    n = rows["pupils"].to_numpy(dtype=float)
    usable = ~np.isnan(value) & (n > 0) & ~np.isnan(se)
    n_use = np.where(usable, n, 0.0)
    # leave one out: the group's totals minus the LA's own share (as average_interval over the others would give)
    total_n, total_nv = n_use.sum(), (n_use * np.where(usable, value, 0)).sum()
    total_var = (n_use**2 * np.where(usable, se, 0) ** 2).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        others_n = total_n - n_use
        others = np.where(others_n > 0, (total_nv - n_use * np.where(usable, value, 0)) / others_n, np.nan)
        others_se = np.where(others_n > 0, np.sqrt(np.maximum(total_var - n_use**2 * np.where(usable, se, 0) ** 2, 0))
                             / others_n, np.nan)
    return pd.DataFrame({
        "la_code": rows["la_code"], "la_name": rows["la_name"], "value": value, "low": rows["low"],
        "high": rows["high"], "england": eng_value,
        "vs_england": [flag(v, e, eng_value, eng_se) for v, e in zip(value, se, strict=True)],
        "others_average": others,
        "vs_others": [flag(v, e, o, oe) for v, e, o, oe in zip(value, se, others, others_se, strict=True)]})


def near_ties(simulation: pd.DataFrame, *, settled: float = 0.95) -> pd.DataFrame:
    """Neighbouring entries in the ranking whose order the data do not settle: tied in the published values, or
    the better-placed one ahead in fewer than ``settled`` of the draws.

    >>> sim = pd.DataFrame({"la_name": ["A", "B", "C"], "value": [0.5, 0.49, 0.1], "rank": [1, 2, 3],
    ...     "p_ahead_of_next": [0.62, 1.0, float("nan")]})
    >>> near_ties(sim).values.tolist()
    [['A', 'B', 0.62, 'near-tie']]
    """
    name = simulation.attrs.get("name", "la_name")
    ordered = simulation.sort_values("rank", kind="stable").reset_index(drop=True)
    rows = []
    for (_, a), (_, b) in zip(ordered.iloc[:-1].iterrows(), ordered.iloc[1:].iterrows(), strict=True):
        if round(a["value"], 2) == round(b["value"], 2):
            rows.append((a[name], b[name], a["p_ahead_of_next"], "tie (equal published values)"))
        elif a["p_ahead_of_next"] < settled:
            rows.append((a[name], b[name], a["p_ahead_of_next"], "near-tie"))
    return pd.DataFrame(rows, columns=["ahead", "behind", "p_ahead", "kind"])


def group_average_intervals(intervals: pd.DataFrame, label: str) -> pd.DataFrame:
    """The group's pupil-weighted average per pupil group, with its interval (:func:`average_interval`)."""
    rows = [{"area": label, "pupil_group": g, **average_interval(intervals, g)}
            for g in ("disadvantaged", "non_disadvantaged") if (intervals["pupil_group"] == g).any()]
    return pd.DataFrame(rows, columns=["area", "pupil_group", "value", "se", "low", "high"])
