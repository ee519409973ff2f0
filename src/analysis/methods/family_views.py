"""What a family looks like to a school: characteristics and attainment sheets, family means, contextual
(single-factor) families, and "find my school" with its nearest neighbours."""

from __future__ import annotations

import pandas as pd

from ..errors import ParameterError
from .families import FACTOR_COLUMNS, family_bands, standardise

CHARACTERISTICS = {
    "pupils": "Pupils on roll", "girls_pct": "Girls %", "fsm_ever6_pct": "FSM ever-6 %", "eal_pct": "EAL %",
    "sen_ehcp_pct": "SEN statement/EHC plan %", "sen_support_pct": "SEN support %",
    "prior_attainment": "Expected KS2 score (prior attainment)", "absence_pct": "Overall absence %",
    "persistent_absence_pct": "Persistent absentees %",
}


ATTAINMENT = {
    "ks2_pupils": "KS2 pupils", "read_meet_pct": "Reading: expected %", "read_progress": "Reading progress",
    "gps_meet_pct": "Grammar, punctuation and spelling test: expected %",
    "writ_progress": "Writing progress (writing teacher assessment itself is not in the file held)",
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
        raise ParameterError(f"factor: {factor!r} is not one of {list(FACTOR_COLUMNS)}")
    cols = [c for c in FACTOR_COLUMNS[factor] if c in schools.columns and schools[c].notna().any()]
    out_cols = ["factor", "family", "urn", "school_name", "value"]
    if not cols:
        return pd.DataFrame(columns=out_cols)
    value = schools[cols[0]] if len(cols) == 1 else standardise(schools, cols).mean(axis=1)
    n = min(int(n_families), int(value.notna().sum()))
    out = pd.DataFrame({"factor": factor, "family": family_bands(value, n, schools["urn"]),
                        "urn": schools["urn"], "school_name": schools["school_name"], "value": value})
    return out.dropna(subset=["family"]).sort_values(["family", "value", "urn"], kind="stable").reset_index(drop=True)


def find_my_school(families: pd.DataFrame, neighbours: pd.DataFrame, urn: str) -> pd.DataFrame:
    """The school, then its nearest neighbours: family, distance, and whether each shares its family."""
    urn = str(urn).strip()
    if urn not in set(families["urn"]):
        examples = ", ".join(families["urn"].head(3))
        raise ParameterError(
            f"urn: {urn!r} is not a school in these families (schools with KS2 results in the LA); e.g. {examples}")
    me = families[families["urn"] == urn].assign(rank=0, distance=0.0)
    nn = neighbours[neighbours["urn"] == urn][["rank", "neighbour_urn", "distance"]]
    near = nn.merge(families, left_on="neighbour_urn", right_on="urn", how="left")
    out = pd.concat([me, near], ignore_index=True)
    out["same_family"] = out["family"] == me["family"].iloc[0]
    cols = ["rank", "urn", "school_name", "family", "same_family", "distance", "composite", "prior_attainment",
            "fsm_ever6_pct", "eal_pct", "rwm_meet_pct", "read_progress", "writ_progress", "mat_progress"]
    return out[[c for c in cols if c in out.columns]].reset_index(drop=True)


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
        raise ParameterError("urn: there are no schools with a composite to show")
    chosen = str(ranked["urn"].iloc[(len(ranked) - 1) // 2])
    return chosen, (f"URN {urn} is not among these schools (schools with KS2 results in the LA); showing "
                    f"URN {chosen}, the school with the median composite, instead.")


def family_of(families: pd.DataFrame, urn: str) -> int:
    """The family of school ``urn``.

    >>> family_of(pd.DataFrame({"urn": ["1", "2"], "family": [3, 4]}), "2")
    4
    """
    hit = families.loc[families["urn"] == str(urn), "family"]
    if hit.empty:
        raise ParameterError(f"urn: {urn!r} is not a school in these families")
    return int(hit.iloc[0])


def contextual_summary(contextual: pd.DataFrame) -> pd.DataFrame:
    """Per contextual family: its schools and the range of the factor (empty, with the columns, without data).

    >>> contextual_summary(pd.DataFrame({"factor": "eal", "family": [1, 1, 2], "value": [1.0, 3.0, 9.0]})).values.tolist()
    [['eal', 1, 2, 1.0, 3.0], ['eal', 2, 1, 9.0, 9.0]]
    """
    cols = ["factor", "family", "schools", "min", "max"]
    if contextual.empty:
        return pd.DataFrame(columns=cols)
    out = contextual.groupby(["factor", "family"], sort=True)["value"].agg(schools="size", min="min", max="max")
    return out.reset_index()[cols]


def family_sheet(families: pd.DataFrame, family: int) -> pd.DataFrame:
    """One family's characteristics and attainment sheets side by side (one row per school)."""
    return characteristics_sheet(families, family).merge(attainment_sheet(families, family))
