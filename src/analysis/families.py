"""Families of Schools: primary schools grouped with others of similar intake (prior attainment and context).

The method (BEP 2017, after DfE's London/City Challenge Families of Schools): each factor is
z-standardised across the schools being grouped, the factors are combined with weights (prior attainment
66%, IDACI and free school meals 20%, EAL 10%, mobility 4%), and schools are cut into near-equal bands
on the weighted composite. We also give, for any school, its nearest neighbours on the weighted
standardised distance ("schools like yours") and measure how far the two groupings agree.

Factors and the columns that measure them (a factor whose columns are all absent from the data is dropped
and the other weights renormalised; a user's file with ``idaci`` or ``mobility`` columns is used):

* ``prior_attainment``: ``prior_attainment``, the school's average *expected* KS2 scaled score given its
  pupils' KS1 results (average score minus progress score, reading and maths; see :func:`prior_attainment`);
* ``idaci_fsm``: ``idaci`` and ``fsm_ever6_pct`` (each standardised, then averaged);
* ``eal``: ``eal_pct``;
* ``mobility``: ``mobility``.

Signs: the composite is oriented so that a *higher* value means a more advantaged intake (higher prior
attainment, less deprivation, fewer EAL pupils, less mobility); family 1 has the lowest composite.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths, reference, sources

DEFAULT_WEIGHTS = {"prior_attainment": 0.66, "idaci_fsm": 0.20, "eal": 0.10, "mobility": 0.04}

#: factor -> columns that measure it (any present are used)
FACTOR_COLUMNS = {
    "prior_attainment": ["prior_attainment"],
    "idaci_fsm": ["idaci", "fsm_ever6_pct"],
    "eal": ["eal_pct"],
    "mobility": ["mobility"],
}
#: +1: more is a more advantaged intake; -1: more is a more challenging intake
FACTOR_DIRECTION = {"prior_attainment": 1, "idaci_fsm": -1, "eal": -1, "mobility": -1}
FACTOR_LABELS = {
    "prior_attainment": "Prior attainment (expected KS2 score from KS1)",
    "idaci_fsm": "Income deprivation (IDACI) and free school meals",
    "eal": "English as an additional language",
    "mobility": "Pupil mobility",
}

SUBJECTS = {"read": "Reading", "writ": "Writing", "mat": "Maths"}


# --------------------------------------------------------------------------------------------- years, LAs


def available_years() -> list[int]:
    """Years with a KS2 school file in the registry (the runner checks ``--year`` against these)."""
    return sources.years_for("ks2_school_trimmed")


def available_las(year: int | None = None) -> pd.DataFrame:
    """LAs (``la_code``, ``la_name``) having at least one school in the KS2 file of ``year`` (default latest)."""
    from . import load

    year = year if year is not None else max(available_years())
    ks2 = load.read_ks2_trimmed(year=year)
    spine = load.read_school_spine()
    codes = set(spine.loc[spine["urn"].isin(ks2["urn"]), "la_code"].dropna())
    names = load.read_la_code_list()[["la_code", "la_name"]]
    out = names[names["la_code"].isin(codes)].drop_duplicates("la_code")
    return out.sort_values("la_code", kind="stable").reset_index(drop=True)


def _nearest_year(role: str, year: int) -> int:
    """The registry year of ``role`` closest to ``year`` (ties go to the later year)."""
    held = sources.years_for(role)
    if not held:
        raise sources.SourceError(f"No source of role {role!r} in data/sources.yml")
    return min(held, key=lambda y: (abs(y - year), -y))


def context_years(year: int) -> dict[str, int]:
    """Which census and absence years go with KS2 ``year`` (the closest held; said in the notebook).

    >>> context_years(2016)
    {'ks2': 2016, 'census': 2017, 'absence': 2016}
    """
    return {"ks2": int(year), "census": _nearest_year("census", year), "absence": _nearest_year("absence", year)}


# ------------------------------------------------------------------------------------------ the school table


def prior_attainment(ks2: pd.DataFrame) -> pd.DataFrame:
    """The school's average expected KS2 scaled score given its pupils' KS1 results, per subject and overall.

    KS2 progress = pupils' actual score minus the national average score of pupils with the same KS1
    results, averaged over the school; so average score minus progress = the average *expected* score,
    a measure of the school's intake (DfE's "similar schools" construct). Reading and maths only: writing
    is teacher-assessed (no scaled score), so it has no expected score on the same scale. The overall value
    is the mean of the subjects available (``prior_attainment_basis`` says which).
    Published scores are whole numbers and progress one decimal, so each is good to about +/-0.5.

    >>> ks2 = pd.DataFrame({"urn": ["1", "2"], "read_score": [106.0, 102.0], "read_progress": [2.7, None],
    ...                     "mat_score": [106.0, 101.0], "mat_progress": [3.0, -1.0]})
    >>> prior_attainment(ks2)[["read_expected", "mat_expected", "prior_attainment"]].round(2).values.tolist()
    [[103.3, 103.0, 103.15], [nan, 102.0, 102.0]]
    """
    out = pd.DataFrame({"urn": ks2["urn"]})
    basis = pd.Series("", index=ks2.index)
    for subject in ("read", "mat"):
        out[f"{subject}_expected"] = ks2[f"{subject}_score"] - ks2[f"{subject}_progress"]
        has = out[f"{subject}_expected"].notna()
        basis = basis.where(~has, basis + np.where(basis == "", "", "+") + SUBJECTS[subject].lower())
    out["prior_attainment"] = out[["read_expected", "mat_expected"]].mean(axis=1, skipna=True)
    out["prior_attainment_basis"] = basis.replace("", pd.NA).astype("string")
    return out


def assemble_schools(
    ks2: pd.DataFrame,
    census: pd.DataFrame,
    absence: pd.DataFrame,
    spine: pd.DataFrame,
    la_names: pd.DataFrame,
    *,
    user_factors: pd.DataFrame | None = None,
    mainstream_only: bool = True,
) -> pd.DataFrame:
    """One row per school with KS2 results: LA and name (spine), KS2 results, census, absence, factors.

    "KS2 results" = at least one reported % meeting the expected standard (reading, writing, maths or RWM).
    Special schools are left out by default: their intakes are not comparable with mainstream ones.
    ``user_factors``: a table with ``urn`` and any extra factor columns (``idaci``, ``mobility``), joined on URN.
    """
    meet = [f"{s}_meet_pct" for s in ("read", "writ", "mat", "rwm")]
    results = ks2[ks2[meet].notna().any(axis=1)]
    keep_spine = ["urn", "la_code", "estab", "school_name", "minor_group", "school_type"]
    table = results.merge(spine[keep_spine], on="urn", how="left", validate="one_to_one")
    table = table.merge(la_names[["la_code", "la_name"]].drop_duplicates("la_code"), on="la_code", how="left")
    table = table.merge(prior_attainment(results), on="urn", how="left", validate="one_to_one")
    census_cols = ["urn", "pupils", "girls_pct", "sen_ehcp_pct", "sen_support_pct", "eal_pct", "fsm_pct",
                   "fsm_ever6_pct", "fsm_ever6_pct_status"]
    schools_census = census.loc[census["level"] == "school", census_cols]
    table = table.merge(schools_census, on="urn", how="left", validate="one_to_one")
    abs_cols = ["urn", "absence_pct", "persistent_absence_pct"]
    table = table.merge(absence.loc[absence["level"] == "school", abs_cols], on="urn", how="left",
                        validate="one_to_one")
    if user_factors is not None:
        extra = [c for c in user_factors.columns if c != "urn" and c not in table.columns]
        table = table.merge(user_factors[["urn", *extra]], on="urn", how="left", validate="one_to_one")
    if mainstream_only:
        table = table[table["minor_group"].fillna("") != "Special School"]
    table["rwm_lowest_subject_pct"] = table[["read_meet_pct", "writ_meet_pct", "mat_meet_pct"]].min(axis=1)
    # Tracking measure: how far combined RWM falls below the weakest subject (0 = pupils who meet the
    # standard in the weakest subject meet it in all three).
    table["tracking_gap_pct"] = table["rwm_lowest_subject_pct"] - table["rwm_meet_pct"]
    return table.sort_values("urn", kind="stable").reset_index(drop=True)


def load_schools(year: int, *, la: str | None = None, user_factors_file: str | Path | None = None) -> pd.DataFrame:
    """:func:`assemble_schools` from the registry's files for KS2 ``year`` (census/absence: closest years)."""
    from . import load

    years = context_years(year)
    user = read_user_factors(user_factors_file) if user_factors_file else None
    table = assemble_schools(
        load.read_ks2_trimmed(year=years["ks2"]),
        load.read_census(year=years["census"]),
        load.read_absence(year=years["absence"]),
        load.read_school_spine(),
        load.read_la_code_list(),
        user_factors=user,
    )
    if la is not None:
        table = table[table["la_code"] == str(la)].reset_index(drop=True)
    return table


def read_user_factors(path: str | Path) -> pd.DataFrame:
    """A user's CSV of extra factors: a ``urn`` column and numeric columns such as ``idaci``, ``mobility``."""
    from . import dependencies
    from .load import DataFormatError, split_value_status
    from .load._dfe import read_text_table

    dependencies.record_file(path)  # the runner reruns the notebook when the user edits this file
    raw = read_text_table(path)
    raw.columns = [c.lower() for c in raw.columns]
    if "urn" not in raw.columns:
        raise DataFormatError(f"{path}: a user factors file needs a 'urn' column (has {list(raw.columns)})")
    out = pd.DataFrame({"urn": raw["urn"].str.strip().astype("string")})
    for col in raw.columns.drop("urn"):
        out[col], _ = split_value_status(raw[col], file=str(path), column=col)
    if out["urn"].duplicated().any():
        raise DataFormatError(f"{path}: column urn repeats a URN; expected one row per school")
    return out


def national_means(ks2: pd.DataFrame) -> pd.DataFrame:
    """England's values for the map lines: pupil-weighted mean over every school in the KS2 file.

    Progress is 0 by construction (it is measured against the national average).

    >>> ks2 = pd.DataFrame({"ks2_pupils": [10.0, 30.0], "read_meet_pct": [50.0, 70.0], "writ_meet_pct": [1, 1],
    ...     "mat_meet_pct": [1, 1], "rwm_meet_pct": [40.0, 60.0]})
    >>> national_means(ks2).set_index("measure").loc[["read_meet_pct", "read_progress"], "value"].tolist()
    [65.0, 0.0]
    """
    rows = []
    for col in ("read_meet_pct", "writ_meet_pct", "mat_meet_pct", "rwm_meet_pct"):
        ok = ks2[col].notna() & ks2["ks2_pupils"].gt(0)
        rows.append((col, float(np.average(ks2.loc[ok, col], weights=ks2.loc[ok, "ks2_pupils"]))))
    rows += [(f"{s}_progress", 0.0) for s in SUBJECTS]
    table = pd.DataFrame(rows, columns=["measure", "value"])
    lowest = ks2[["read_meet_pct", "writ_meet_pct", "mat_meet_pct"]].min(axis=1)
    ok = lowest.notna() & ks2["rwm_meet_pct"].notna() & ks2["ks2_pupils"].gt(0)
    gap = float(np.average((lowest - ks2["rwm_meet_pct"])[ok], weights=ks2.loc[ok, "ks2_pupils"]))
    return pd.concat([table, pd.DataFrame({"measure": ["tracking_gap_pct"], "value": [gap]})], ignore_index=True)


# ----------------------------------------------------------------------------------------------- the method


def weight_table(schools: pd.DataFrame, weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Per factor: requested weight, the columns found in ``schools``, and the weight used.

    A factor none of whose columns holds data gets weight 0 and the others are renormalised to sum to 1.

    >>> s = pd.DataFrame({"prior_attainment": [1.0, 2.0], "fsm_ever6_pct": [3.0, 4.0], "eal_pct": [5.0, 6.0]})
    >>> weight_table(s)[["factor", "weight_used"]].round(4).values.tolist()
    [['prior_attainment', 0.6875], ['idaci_fsm', 0.2083], ['eal', 0.1042], ['mobility', 0.0]]
    """
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    unknown = sorted(set(weights) - set(FACTOR_COLUMNS))
    if unknown:
        raise reference.ParameterError(f"weights: unknown factor(s) {unknown}; expected keys from {list(FACTOR_COLUMNS)}")
    bad = {k: v for k, v in weights.items() if not np.isfinite(float(v)) or float(v) < 0}
    if bad:
        raise reference.ParameterError(f"weights: values must be non-negative numbers, got {bad}")
    rows = []
    for factor, cols in FACTOR_COLUMNS.items():
        found = [c for c in cols if c in schools.columns and schools[c].notna().any()]
        absent = [c for c in cols if c not in found]
        rows.append({"factor": factor, "label": FACTOR_LABELS[factor], "weight_requested": float(weights.get(factor, 0)),
                     "columns_used": ", ".join(found), "columns_missing": ", ".join(absent)})
    table = pd.DataFrame(rows)
    usable = table["weight_requested"].where(table["columns_used"] != "", 0.0)
    if usable.sum() <= 0:
        raise reference.ParameterError(
            f"weights: no factor with a positive weight has data (weights {weights}; columns "
            f"{sorted(set(sum(FACTOR_COLUMNS.values(), [])) & set(schools.columns))})")
    table["weight_used"] = usable / usable.sum()
    table["note"] = np.select(
        [table["columns_used"] == "", table["columns_missing"] != ""],
        ["no data: weight 0, the other weights renormalised", "partly measured: missing " + table["columns_missing"]],
        "",
    )
    return table


def standardise(frame: pd.DataFrame, columns: list[str], *, by: str | None = None) -> pd.DataFrame:
    """z-scores of ``columns`` across the rows (within each ``by`` group): (x - mean) / SD.

    The SD is the population SD (ddof 0) of the non-missing values; a column that does not vary gets z 0
    (it cannot tell schools apart). Missing values stay missing.

    >>> standardise(pd.DataFrame({"x": [1.0, 2.0, 3.0, None]}), ["x"])["x"].round(4).tolist()
    [-1.2247, 0.0, 1.2247, nan]
    """
    data = frame[columns].astype("float64")
    groups = data.groupby(frame[by], sort=False) if by else data.groupby(np.zeros(len(frame)), sort=False)
    mean = groups.transform("mean")
    sd = groups.transform(lambda s: s.std(ddof=0))
    z = (data - mean) / sd.where(sd > 0)
    return z.where(~(sd == 0) | data.isna(), 0.0)


def factor_scores(schools: pd.DataFrame, weights: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Signed standardised score per factor (columns ``z_<factor>``), higher = more advantaged intake.

    A factor with two columns (IDACI and FSM) is the mean of their z-scores over those a school has.
    """
    used = weights[weights["weight_used"] > 0]
    out = pd.DataFrame(index=schools.index)
    for row in used.itertuples():
        cols = row.columns_used.split(", ")
        z = standardise(schools, cols, by=by)
        out[f"z_{row.factor}"] = FACTOR_DIRECTION[row.factor] * z.mean(axis=1, skipna=True)
    return out


def composite(scores: pd.DataFrame, weights: pd.DataFrame) -> pd.Series:
    """Weighted mean of the factor scores; a school missing a factor has the rest renormalised for it.

    >>> w = pd.DataFrame({"factor": ["a", "b"], "weight_used": [0.75, 0.25]})
    >>> composite(pd.DataFrame({"z_a": [1.0, None], "z_b": [-1.0, 2.0]}), w).tolist()
    [0.5, 2.0]
    """
    w = weights.set_index("factor")["weight_used"]
    cols = [c for c in scores.columns if c.startswith("z_") and w.get(c[2:], 0) > 0]
    z = scores[cols].to_numpy(dtype=float)
    wv = np.array([w[c[2:]] for c in cols])
    present = ~np.isnan(z)
    wsum = (present * wv).sum(axis=1)
    total = np.nansum(z * wv, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.Series(np.where(wsum > 0, total / wsum, np.nan), index=scores.index, name="composite")


def bands(values: pd.Series, n_bands: int, *, tie_break: pd.Series | None = None) -> pd.Series:
    """Near-equal bands 1..n on ``values`` (band 1 = lowest); sizes differ by at most one.

    Rank r (0-based, ties by ``tie_break`` then position) goes to band floor(r * n / N) + 1. Missing
    values get no band. ``n_bands`` larger than the number of schools is an error.

    >>> bands(pd.Series([5.0, 1.0, 3.0, 2.0, 4.0]), 2).tolist()
    [2, 1, 1, 1, 2]
    """
    if int(n_bands) < 1:
        raise reference.ParameterError(f"n_families: must be at least 1, got {n_bands}")
    ok = values.dropna()
    if int(n_bands) > len(ok):
        raise reference.ParameterError(f"n_families: {n_bands} families but only {len(ok)} schools to group")
    ties = tie_break.loc[ok.index].to_numpy() if tie_break is not None else np.arange(len(ok))
    order = np.lexsort((np.arange(len(ok)), ties, ok.to_numpy()))  # value, then tie_break, then position
    rank = np.empty(len(ok), dtype=int)
    rank[order] = np.arange(len(ok))
    band = rank * int(n_bands) // len(ok) + 1
    return pd.Series(band, index=ok.index, name="family").reindex(values.index).astype("Int64")


def _weighted_matrix(scores: pd.DataFrame, weights: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    w = weights.set_index("factor")["weight_used"]
    cols = [c for c in scores.columns if c.startswith("z_") and w.get(c[2:], 0) > 0]
    wv = np.array([w[c[2:]] for c in cols], dtype=float)
    return scores[cols].to_numpy(dtype=float) * np.sqrt(wv), wv


def _knn(x: np.ndarray, wv: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """k nearest other rows for every row, exactly, with missing factors allowed.

    Rows are grouped by which factors they have (few patterns); for each pair of patterns a k-d tree on
    the factors both share gives distances, rescaled by those factors' total weight. Ties go to the lower
    row index (rows are sorted by URN). A row sharing no factor with another never has it as neighbour.
    """
    from scipy.spatial import cKDTree  # scipy (a scikit-learn dependency) imports in ms, sklearn in seconds

    n = len(x)
    k = min(int(k), n - 1)
    present = ~np.isnan(x)
    patterns, inverse = np.unique(present, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    idx_out = np.full((n, k), -1)
    d_out = np.full((n, k), np.inf)
    for q_pat in range(len(patterns)):
        q_rows = np.flatnonzero(inverse == q_pat)
        cand_i, cand_d = [np.full((len(q_rows), k + 1), -1)], [np.full((len(q_rows), k + 1), np.inf)]
        for c_pat in range(len(patterns)):
            shared = patterns[q_pat] & patterns[c_pat]
            if not shared.any():
                continue
            c_rows = np.flatnonzero(inverse == c_pat)
            scale = 1 / np.sqrt(wv[shared].sum())
            d, i = _query_keeping_ties(cKDTree(x[np.ix_(c_rows, shared)]), x[np.ix_(q_rows, shared)], k, scale)
            cand_i.append(np.where(i < 0, -1, c_rows[np.maximum(i, 0)]))
            cand_d.append(d * scale)
        _pick(q_rows, np.hstack(cand_i), np.hstack(cand_d), k, idx_out, d_out)
    return idx_out, d_out


def _query_keeping_ties(tree, query: np.ndarray, k: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """The tree's nearest candidates for each query row: enough that no tie at the k-th place is cut.

    Ties go to the lower index, so every candidate tied with a row's k-th neighbour must be seen. A row whose
    last candidate ties (to 12 places, as ``_pick`` compares) with its (k+1)-th (k neighbours, and perhaps
    itself) may have more tied candidates beyond: ask again for those rows with twice as many. Schools with
    identical factors are common (hundreds share a distance of 0), so this is not a corner case.
    Missing candidates (padding) are index -1, distance inf.
    """
    n = tree.n
    m = min(n, k + 6)
    d, i = tree.query(query, k=list(range(1, m + 1)))
    while m < n:
        rounded = np.round(d * scale, 12)
        cut = rounded[:, -1] <= rounded[:, min(k, m - 1)]
        if not cut.any():
            break
        m = min(n, 2 * m)
        d_more, i_more = tree.query(query[cut], k=list(range(1, m + 1)))
        d = np.pad(d, ((0, 0), (0, m - d.shape[1])), constant_values=np.inf)
        i = np.pad(i, ((0, 0), (0, m - i.shape[1])), constant_values=-1)
        d[cut], i[cut] = d_more, i_more
    return d, i


def _pick(rows, cand_idx, cand_d, k, idx_out, d_out) -> None:
    cand_d = np.where((cand_idx == rows[:, None]) | (cand_idx < 0), np.inf, np.round(cand_d, 12))  # not oneself
    order = np.lexsort((np.where(cand_idx < 0, np.iinfo(int).max, cand_idx), cand_d), axis=1)[:, :k]
    idx_out[rows] = np.take_along_axis(cand_idx, order, axis=1)
    d_out[rows] = np.take_along_axis(cand_d, order, axis=1)


def nearest_neighbours(schools: pd.DataFrame, scores: pd.DataFrame, weights: pd.DataFrame, k: int, *,
                       by: str | None = None) -> pd.DataFrame:
    """Each school's k nearest schools (within its ``by`` group) on the weighted standardised distance.

    distance(i, j) = sqrt( sum_f w_f (z_if - z_jf)^2 / sum_f w_f ), over the factors both schools have.
    Ties are broken by URN. One row per (urn, rank): ``neighbour_urn``, ``distance``.
    """
    if int(k) < 1:
        raise reference.ParameterError(f"k_neighbours: must be at least 1, got {k}")
    frames = []
    groups = schools.groupby(by, sort=True).groups if by else {None: schools.index}
    for _, index in groups.items():
        part = schools.loc[index].sort_values("urn", kind="stable")
        if len(part) < 2:
            continue
        x, wv = _weighted_matrix(scores.loc[part.index], weights)
        idx, dist = _knn(x, wv, int(k))
        urns = part["urn"].to_numpy()
        kk = idx.shape[1]
        found = np.isfinite(dist.ravel())
        frames.append(pd.DataFrame({
            "urn": np.repeat(urns, kk)[found],
            "rank": np.tile(np.arange(1, kk + 1), len(urns))[found],
            "neighbour_urn": urns[idx.ravel()[found]],
            "distance": dist.ravel()[found],
        }))
    cols = ["urn", "rank", "neighbour_urn", "distance"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)


def agreement(families: pd.DataFrame, neighbours: pd.DataFrame) -> pd.Series:
    """Per school, the share of its nearest neighbours that are in its own family (band).

    >>> fam = pd.DataFrame({"urn": ["a", "b", "c"], "family": [1, 1, 2]})
    >>> nn = pd.DataFrame({"urn": ["a", "a", "b", "b"], "neighbour_urn": ["b", "c", "a", "c"]})
    >>> agreement(fam, nn).tolist()
    [0.5, 0.5]
    """
    fam = families.set_index("urn")["family"]
    same = fam.reindex(neighbours["urn"]).to_numpy() == fam.reindex(neighbours["neighbour_urn"]).to_numpy()
    return pd.Series(same, index=neighbours["urn"]).groupby(level=0, sort=True).mean().rename("share_neighbours_in_family")


def build_families(schools: pd.DataFrame, *, n_families: int = 22, weights: dict[str, float] | None = None,
                   k: int = 10, by: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The whole method: (families table, nearest neighbours, weight table).

    Factors are standardised within each ``by`` group (e.g. ``"la_code"`` for every LA's own families;
    None = all the schools given as one group). Families table: every school, its factor values, signed
    z-scores, composite, family (1 = lowest composite) and the share of its k neighbours in its family.
    """
    w = weight_table(schools, weights)
    scores = factor_scores(schools, w, by=by)
    table = pd.concat([schools, scores], axis=1)
    table["composite"] = composite(scores, w)
    z_cols = list(scores.columns)
    table["factors_missing"] = scores.isna().apply(
        lambda r: ", ".join(c[2:] for c, m in zip(z_cols, r, strict=True) if m), axis=1).astype("string")
    if by:
        table["family"] = pd.concat(
            [bands(g["composite"], min(int(n_families), int(g["composite"].notna().sum())), tie_break=g["urn"])
             for _, g in table.groupby(by, sort=True)]).reindex(table.index)
    else:
        table["family"] = bands(table["composite"], int(n_families), tie_break=table["urn"])
    nn = nearest_neighbours(table, scores, w, k, by=by)
    table = table.merge(agreement(table, nn).reset_index(), on="urn", how="left")
    table = table.sort_values([by, "family", "composite", "urn"] if by else ["family", "composite", "urn"],
                              kind="stable").reset_index(drop=True)
    return table, nn, w


def agreement_summary(families: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Mean share of neighbours in one's family, against the share expected if families were random.

    By chance a neighbour lands in one's family with probability (family size - 1) / (group size - 1).
    """
    grouped = families[families["family"].notna()]
    keys = [by, "family"] if by else ["family"]
    sizes = grouped.groupby(keys)["urn"].transform("size")
    group_n = grouped.groupby(by)["urn"].transform("size") if by else pd.Series(len(grouped), index=grouped.index)
    chance = ((sizes - 1) / (group_n - 1).clip(lower=1)).mean()
    n = len(grouped)
    return pd.DataFrame({
        "measure": ["schools", "families", "mean share of a school's neighbours in its family",
                    "share expected by chance (random families of these sizes)"],
        "value": [float(n), float(families["family"].nunique()), families["share_neighbours_in_family"].mean(), chance],
    })


def family_sizes(families: pd.DataFrame) -> pd.DataFrame:
    """Schools per family with the family's composite range."""
    g = families.groupby("family", sort=True)
    return pd.DataFrame({"schools": g["urn"].size(), "composite_min": g["composite"].min(),
                         "composite_max": g["composite"].max(),
                         "prior_attainment_mean": g["prior_attainment"].mean(),
                         "fsm_ever6_pct_mean": g["fsm_ever6_pct"].mean(), "eal_pct_mean": g["eal_pct"].mean()}
                        ).reset_index()


# ------------------------------------------------------------------------------------------------- sheets

CHARACTERISTICS = {
    "pupils": "Pupils on roll", "girls_pct": "Girls %", "fsm_ever6_pct": "FSM ever-6 %", "eal_pct": "EAL %",
    "sen_ehcp_pct": "SEN statement/EHC plan %", "sen_support_pct": "SEN support %",
    "prior_attainment": "Expected KS2 score (prior attainment)", "absence_pct": "Overall absence %",
    "persistent_absence_pct": "Persistent absentees %",
}
ATTAINMENT = {
    "ks2_pupils": "KS2 pupils", "read_meet_pct": "Reading: expected %", "read_progress": "Reading progress",
    "writ_meet_pct": "Writing: expected %", "writ_progress": "Writing progress",
    "mat_meet_pct": "Maths: expected %", "mat_progress": "Maths progress",
    "rwm_meet_pct": "RWM combined: expected %", "rwm_exceed_pct": "RWM combined: higher %",
}


def _sheet(families: pd.DataFrame, columns: dict[str, str], family: int | None) -> pd.DataFrame:
    rows = families if family is None else families[families["family"] == family]
    cols = ["family", "urn", "school_name", *columns]
    return rows[cols].rename(columns={"school_name": "school", **columns}).reset_index(drop=True)


def characteristics_sheet(families: pd.DataFrame, family: int | None = None) -> pd.DataFrame:
    """Pupils, gender, FSM, EAL, SEN, prior attainment and absence of every school (of one family)."""
    return _sheet(families, CHARACTERISTICS, family)


def attainment_sheet(families: pd.DataFrame, family: int | None = None) -> pd.DataFrame:
    """Reading, writing, maths and combined results of every school (of one family)."""
    return _sheet(families, ATTAINMENT, family)


def family_means(families: pd.DataFrame, columns: dict[str, str] | None = None) -> pd.DataFrame:
    """Per family, the mean of each sheet column over its schools (unweighted: each school counts once)."""
    columns = columns or {**CHARACTERISTICS, **ATTAINMENT}
    means = families.groupby("family", sort=True)[list(columns)].mean().round(1)
    return means.rename(columns=columns).reset_index()


def contextual_families(schools: pd.DataFrame, factor: str, n_families: int) -> pd.DataFrame:
    """Families on one contextual factor alone (e.g. EAL, mobility): near-equal bands of its value.

    Empty (with the factor named) if the data has no column for it: say so rather than invent it.
    """
    if factor not in FACTOR_COLUMNS:
        raise reference.ParameterError(f"factor: {factor!r} is not one of {list(FACTOR_COLUMNS)}")
    cols = [c for c in FACTOR_COLUMNS[factor] if c in schools.columns and schools[c].notna().any()]
    out_cols = ["factor", "family", "urn", "school_name", "value"]
    if not cols:
        return pd.DataFrame(columns=out_cols)
    value = schools[cols[0]] if len(cols) == 1 else standardise(schools, cols).mean(axis=1)
    n = min(int(n_families), int(value.notna().sum()))
    out = pd.DataFrame({"factor": factor, "family": bands(value, n, tie_break=schools["urn"]),
                        "urn": schools["urn"], "school_name": schools["school_name"], "value": value})
    return out.dropna(subset=["family"]).sort_values(["family", "value", "urn"], kind="stable").reset_index(drop=True)


def find_my_school(families: pd.DataFrame, neighbours: pd.DataFrame, urn: str) -> pd.DataFrame:
    """The school, then its nearest neighbours: family, distance, and whether each shares its family."""
    urn = str(urn).strip()
    if urn not in set(families["urn"]):
        examples = ", ".join(families["urn"].head(3))
        raise reference.ParameterError(
            f"urn: {urn!r} is not a school in these families (schools with KS2 results in the LA); e.g. {examples}")
    me = families[families["urn"] == urn].assign(rank=0, distance=0.0)
    nn = neighbours[neighbours["urn"] == urn][["rank", "neighbour_urn", "distance"]]
    near = nn.merge(families, left_on="neighbour_urn", right_on="urn", how="left")
    out = pd.concat([me, near], ignore_index=True)
    out["same_family"] = out["family"] == me["family"].iloc[0]
    cols = ["rank", "urn", "school_name", "family", "same_family", "distance", "composite", "prior_attainment",
            "fsm_ever6_pct", "eal_pct", "rwm_meet_pct", "read_progress", "writ_progress", "mat_progress"]
    return out[[c for c in cols if c in out.columns]].reset_index(drop=True)


def write_families(families: pd.DataFrame, la: str, year: int, directory: Path | str | None = None) -> Path:
    """Write ``data/processed/families_<la>_<year>.csv`` atomically (temp file in place, then rename)."""
    base = Path(directory) if directory else paths.processed_dir()
    base.mkdir(parents=True, exist_ok=True)
    target = base / f"families_{la}_{year}.csv"
    fd, tmp = tempfile.mkstemp(dir=base, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    try:
        families.to_csv(tmp, index=False, float_format="%.6g", lineterminator="\n")
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


def england_families(year: int, *, n_families: int = 22, weights: dict[str, float] | None = None, k: int = 10,
                     by: str | None = "la_code", schools: pd.DataFrame | None = None):
    """Families for every primary school in England (each LA's own families when ``by='la_code'``)."""
    schools = load_schools(year) if schools is None else schools
    if by:
        schools = schools[schools[by].notna()]
    return build_families(schools, n_families=n_families, weights=weights, k=k, by=by)


# ------------------------------------------------------------------------------------------------- charts

MAPS = {
    "read": ("read_progress", "read_meet_pct", "Reading progress", "Reading: % meeting expected standard"),
    "writ": ("writ_progress", "writ_meet_pct", "Writing progress", "Writing: % meeting expected standard"),
    "mat": ("mat_progress", "mat_meet_pct", "Maths progress", "Maths: % meeting expected standard"),
    "tracking": ("rwm_meet_pct", "tracking_gap_pct", "Reading, writing and maths combined: % expected",
                 "Lowest subject % minus combined %"),
}


def family_map(families: pd.DataFrame, national: pd.DataFrame, kind: str, *, label: str = "estab",
               col_wrap: int = 6, title: str = ""):
    """Small multiples, one panel per family: a performance map (kind read/writ/mat: attainment against
    progress) or the tracking map (combined attainment against lowest subject minus combined).

    Dashed lines: the family's mean; dotted: England's. Points are labelled with ``label`` (ESTAB number
    by default, to keep panels readable; the families table gives the school).
    """
    import matplotlib.pyplot as plt

    from . import plots

    if kind not in MAPS:
        raise reference.ParameterError(f"kind: {kind!r} is not one of {list(MAPS)}")
    x, y, xlabel, ylabel = MAPS[kind]
    plots.use_style()
    nat = national.set_index("measure")["value"]
    data = families.dropna(subset=[x, y]).sort_values(["family", "urn"], kind="stable")
    fams = sorted(data["family"].unique())
    one = len(fams) == 1
    ncols = min(col_wrap, len(fams))
    nrows = -(-len(fams) // ncols)
    size = (9.0, 5.0) if one else (2.3 * ncols, 2.2 * nrows + 0.8)
    # Plain subplots with a fixed layout: tight_layout over 20+ panels costs seconds per figure.
    fig, axes = plt.subplots(nrows, ncols, figsize=size, sharex=True, sharey=True, squeeze=False)
    for ax in axes.ravel()[len(fams):]:
        ax.set_visible(False)
    family_lines = {"color": plots.HIGHLIGHT, "linestyle": "--", "linewidth": 0.9}
    england_lines = {"color": plots.ENGLAND, "linestyle": ":", "linewidth": 0.9}
    # Autoscaling is off while the panels are filled, then on again for one pass at the end: with shared
    # axes each scatter and reference line otherwise rescales all 22 panels (O(panels^2), ~0.3 s a map).
    # The limits then cover every panel's points and its family and England lines.
    for ax in axes.flat:
        ax.set_autoscale_on(False)
    for fam, ax in zip(fams, axes.ravel(), strict=False):
        part = data[data["family"] == fam]
        # ax.scatter with the arguments sns.scatterplot passes (same points, white edge of width 0): seaborn
        # adds per-panel set-up (units, axis labels that query the tick labels) costing tens of ms a panel.
        ax.scatter(part[x].to_numpy(dtype=float), part[y].to_numpy(dtype=float), color=plots.BASE,
                   s=30 if one else 16, linewidth=0, edgecolor="w")
        ax.axvline(part[x].mean(), **family_lines)
        ax.axhline(part[y].mean(), **family_lines)
        ax.axvline(nat[x], **england_lines)
        ax.axhline(nat[y], **england_lines)
        # One artist for the panel's labels, 2 points up and right of each point as annotate(xytext=(2, 2),
        # textcoords="offset points") put them: the same pixels as a Text per school, at a fraction of the
        # drawing cost (see plots.PointLabels).
        plots.label_points(ax, part[x], part[y], part[label], offset=(2, 2), fontsize=7 if one else 5,
                           color="#333333")
        # y=1.0 is where automatic placement puts it (no tick labels above the panel); fixing it skips the
        # per-draw measuring of every axis that automatic placement does.
        ax.set_title(f"Family {fam}", fontsize=11 if one else 9, y=1.0)
    for ax in axes.flat:
        ax.autoscale(True)
    fig.supxlabel(xlabel, fontsize=11)
    fig.supylabel(ylabel, fontsize=11)
    fig.suptitle(plots._plain(title or f"{ylabel} against {xlabel}"), fontweight="bold")
    fig.text(0.01, 0.005, "Dashed: family mean; dotted: England. Labels: "
             + ("school" if label == "school_name" else "ESTAB number (see the families table)"),
             ha="left", fontsize=8)
    top = 0.88 if one else 1 - 0.9 / size[1]
    fig.subplots_adjust(left=0.08 if one else 0.06, right=0.98, bottom=0.12 if one else 0.6 / size[1] + 0.02,
                        top=top, hspace=0.35, wspace=0.12)
    # Ticks computed once, after the layout (their number depends on the panel size); the panels share
    # their axes, so this fixes them all.
    plots.freeze_ticks(axes[0, 0])
    return fig


def resolve_urn(families: pd.DataFrame, urn: str) -> tuple[str, str]:
    """The URN to show in "find my school", and a note when it had to be replaced.

    A URN not among these schools (another LA's, or no KS2 results) is replaced, visibly, by the school
    with the median composite, so a run for another LA still shows the view; the note says so.

    >>> fam = pd.DataFrame({"urn": ["1", "2", "3"], "composite": [0.1, 0.5, 0.9]})
    >>> resolve_urn(fam, "2")
    ('2', '')
    >>> resolve_urn(fam, "999")[0]
    '2'
    """
    urn = str(urn).strip()
    if urn in set(families["urn"]):
        return urn, ""
    ranked = families.dropna(subset=["composite"]).sort_values(["composite", "urn"], kind="stable")
    if ranked.empty:
        raise reference.ParameterError("urn: there are no schools with a composite to show")
    chosen = str(ranked["urn"].iloc[(len(ranked) - 1) // 2])
    return chosen, (f"URN {urn} is not among these schools (schools with KS2 results in the LA); showing "
                    f"URN {chosen}, the school with the median composite, instead.")
