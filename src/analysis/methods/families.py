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

import numpy as np
import pandas as pd

from ..errors import ParameterError
from . import stats
from .neighbours import nearest_neighbours

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
#: Subjects with a % meeting the expected standard in the KS2 file held: its "Writing" % columns are the grammar,
#: punctuation and spelling test (gps_*), and writing teacher assessment is not in it (england_ks2final.csv has it).
ATTAINMENT_SUBJECTS = ("read", "mat")


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


def intake_measures(schools: pd.DataFrame, *, mainstream_only: bool = True) -> pd.DataFrame:
    """The joined school table (``data.read_primary_schools``) with the measures the families use.

    Adds prior attainment (:func:`prior_attainment`) and the tracking measure (how far combined RWM falls
    below the weaker of reading and maths: the lowest of the three subjects needs writing teacher assessment,
    which the file held does not have). Special schools (``is_special``, or the spine's type) are left out by
    default (listed by ``data.primary_las.read_primary_exclusions``): their intakes are not comparable.
    """
    table = schools.merge(prior_attainment(schools), on="urn", how="left", validate="one_to_one")
    if mainstream_only:
        by_type = table["minor_group"].fillna("").eq("Special School") if "minor_group" in table else False
        # is_special is unknown (NA) for schools the register does not list: fall back on the spine's type
        special = table["is_special"].astype("boolean").fillna(by_type).astype(bool) if "is_special" in table \
            else by_type
        table = table[~special]
    table = table.copy()
    table["rwm_lowest_subject_pct"] = table[[f"{s}_meet_pct" for s in ATTAINMENT_SUBJECTS]].min(axis=1)
    table["tracking_gap_pct"] = table["rwm_lowest_subject_pct"] - table["rwm_meet_pct"]
    return table.sort_values("urn", kind="stable").reset_index(drop=True)


def national_means(ks2: pd.DataFrame) -> pd.DataFrame:
    """England's values for the map lines: pupil-weighted mean over every school in the KS2 file.

    Progress is 0 by construction (it is measured against the national average).

    >>> ks2 = pd.DataFrame({"ks2_pupils": [10.0, 30.0], "read_meet_pct": [50.0, 70.0], "gps_meet_pct": [1, 1],
    ...     "mat_meet_pct": [1, 1], "rwm_meet_pct": [40.0, 60.0]})
    >>> national_means(ks2).set_index("measure").loc[["read_meet_pct", "read_progress"], "value"].tolist()
    [65.0, 0.0]
    """
    rows = []
    for col in ("read_meet_pct", "gps_meet_pct", "mat_meet_pct", "rwm_meet_pct"):
        rows.append((col, stats.weighted_mean(ks2[col], ks2["ks2_pupils"])))
    rows += [(f"{s}_progress", 0.0) for s in SUBJECTS]
    table = pd.DataFrame(rows, columns=["measure", "value"])
    lowest = ks2[[f"{s}_meet_pct" for s in ATTAINMENT_SUBJECTS]].min(axis=1)
    gap = stats.weighted_mean(lowest - ks2["rwm_meet_pct"], ks2["ks2_pupils"])
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
        raise ParameterError(f"weights: unknown factor(s) {unknown}; expected keys from {list(FACTOR_COLUMNS)}")
    bad = {k: v for k, v in weights.items() if not np.isfinite(float(v)) or float(v) < 0}
    if bad:
        raise ParameterError(f"weights: values must be non-negative numbers, got {bad}")
    rows = []
    for factor, cols in FACTOR_COLUMNS.items():
        found = [c for c in cols if c in schools.columns and schools[c].notna().any()]
        absent = [c for c in cols if c not in found]
        rows.append({"factor": factor, "label": FACTOR_LABELS[factor], "weight_requested": float(weights.get(factor, 0)),
                     "columns_used": ", ".join(found), "columns_missing": ", ".join(absent)})
    table = pd.DataFrame(rows)
    usable = table["weight_requested"].where(table["columns_used"] != "", 0.0)
    if usable.sum() <= 0:
        raise ParameterError(
            f"weights: no factor with a positive weight has data (weights {weights}; columns "
            f"{sorted(set(sum(FACTOR_COLUMNS.values(), [])) & set(schools.columns))})")
    table["weight_used"] = usable / usable.sum()
    table["note"] = np.select(
        [table["columns_used"] == "", table["columns_missing"] != ""],
        # in words: the missing columns themselves are in columns_missing (codes there, words in a report)
        ["no data: weight 0, the other weights renormalised",
         "partly measured: the weight rests on the columns used, the others have no data"],
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


def family_bands(composite: pd.Series, n_families: int, urns: pd.Series) -> pd.Series:
    """Near-equal families 1..n on the composite (family 1 = lowest; ties by URN): ``stats.bands`` equal_count.

    >>> family_bands(pd.Series([5.0, 1.0, 3.0, 2.0, 4.0]), 2, pd.Series(list("abcde"))).tolist()
    [2, 1, 1, 1, 2]
    """
    if int(n_families) < 1:
        raise ParameterError(f"n_families: must be at least 1, got {n_families}")
    if int(n_families) > int(composite.notna().sum()):
        raise ParameterError(f"n_families: {n_families} families but only {int(composite.notna().sum())} schools "
                             "to group")
    return stats.bands(composite, int(n_families), method="equal_count", tie_break=urns).rename("family")


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
            [family_bands(g["composite"], min(int(n_families), int(g["composite"].notna().sum())), g["urn"])
             for _, g in table.groupby(by, sort=True)]).reindex(table.index)
    else:
        table["family"] = family_bands(table["composite"], int(n_families), table["urn"])
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
        "measure": ["schools", "families", "share_neighbours_in_family", "share_in_family_by_chance"],
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


def england_families(schools: pd.DataFrame, *, n_families: int = 22, weights: dict[str, float] | None = None,
                     k: int = 10, by: str | None = "la_code"):
    """Families for every primary school in England (each LA's own families when ``by='la_code'``)."""
    if by:
        schools = schools[schools[by].notna()]
    return build_families(schools, n_families=n_families, weights=weights, k=k, by=by)


def findings(families: pd.DataFrame, sizes: pd.DataFrame, eal_families: pd.DataFrame,
             mobility_families: pd.DataFrame, *, la: str, la_name: str) -> pd.DataFrame:
    """The headline figures of notebook 06 as a findings-ready table (see ``FindingsLog.record_all``).

    The number of families and the weights are parameters (published *inputs*), never findings: a family
    count equal to ``n_families`` is true by construction. What BEP describes but the public files cannot
    give (the weighted grouping itself, mobility, ethnicity, writing teacher assessment, attainment by pupil
    group) is recorded with no value; the published table names what each needs.

    >>> fam = pd.DataFrame({"urn": ["a", "b", "c"], "family": [1, 1, 2]})
    >>> sizes = family_sizes(fam.assign(composite=0.0, prior_attainment=0.0, fsm_ever6_pct=0.0, eal_pct=0.0))
    >>> eal = pd.DataFrame({"family": [1, 2, 2]})
    >>> findings(fam, sizes, eal, eal.iloc[0:0], la="330", la_name="B")["value"].tolist()[:4]  # 3 schools; sizes 2, 1
    [3, 1, 2, 2]
    """
    section = "Build the families"
    values = [
        ("n_schools", la, int(families["family"].notna().sum()), "primary schools with KS2 results grouped into families",
         section),
        ("family_size_min", la, int(sizes["schools"].min()), "schools in the smallest family", section),
        ("family_size_max", la, int(sizes["schools"].max()), "schools in the largest family", section),
        ("contextual_families", f"{la}:eal", int(eal_families["family"].nunique()) if len(eal_families) else None,
         "EAL families built (census EAL share)", "Contextual families: EAL and mobility"),
        ("contextual_families", f"{la}:mobility",
         int(mobility_families["family"].nunique()) if len(mobility_families) else None,
         "mobility families (needs a mobility measure per school)", "Contextual families: EAL and mobility"),
        ("families_grouping", la, None, "families with BEP's weights on all four factors", section),
        ("family_characteristic", f"{la}:ethnicity", None, "ethnicity breakdown on the characteristics sheets",
         "Characteristics sheets"),
        ("family_characteristic", f"{la}:mobility",
         float(families["mobility"].mean()) if "mobility" in families and families["mobility"].notna().any() else None,
         "mobility on the characteristics sheets (mean, from a user's file)", "Characteristics sheets"),
        ("family_attainment_groups", la, None, "combined attainment of contextual pupil groups", "Attainment sheets"),
        ("family_performance_map", f"{la}:writing", None, "writing performance map (writing attainment against progress)",
         "Performance maps"),
        ("family_tracking_map", la, None, "tracking map on the lowest of reading, writing and maths", "Tracking maps"),
    ]
    return pd.DataFrame([{"finding_id": fid, "key": key, "value": value, "label": f"{la_name}: {label}",
                          "section": sec} for fid, key, value, label, sec in values], dtype=object)
