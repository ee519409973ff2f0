"""'Cracking the Code' (Social Mobility and Child Poverty Commission, 2014): code-breaker schools and the
close-half-the-gap simulations, from school-level KS4 5ACEM data (role ``ks4_5acem_school``).

5ACEM = % of pupils achieving 5+ A*-C GCSEs (or equivalents) including English and maths. Disadvantaged =
eligible for free school meals in the last six years, or looked after. Every rate in the file is a whole
percentage of a known cohort, so national rates are rebuilt pupil-weighted: sum(rate x cohort) / sum(cohort).

Each school row used for a pupil group needs a cohort count > 0 and a reported rate; the rest are counted by
:func:`exclusions` with the reason, never silently dropped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..common import academic_year
from ..data import published
from ..errors import ParameterError
from . import league_tables, stats

ROLE = "ks4_5acem_school"
#: The press release whose data year (``documents.csv``: 2012/13) the published figures are stored under.
DOCUMENT = "smcpc_ctc_2014_release"
DOCUMENTS = [DOCUMENT, "smcpc_ctc_2014_seced"]

LONDON = "London"

#: pupil group -> (cohort column, 5ACEM rate column)
GROUPS = {
    "all": ("pupils", "pct_5acem_all"),
    "disadvantaged": ("pupils_disadvantaged", "pct_5acem_disadvantaged"),
    "other": ("pupils_other", "pct_5acem_other"),
    "low_prior": ("pupils_low_prior", "pct_5acem_low_prior"),
}

GROUP_LABELS = {
    "all": "All pupils",
    "disadvantaged": "Disadvantaged pupils",
    "other": "Other pupils",
    "low_prior": "Low prior attainers (KS2)",
}


def comparison_year(year: int) -> int:
    """The year to record findings under: the report's 2012/13 for its own year or the year after, else ``year``.

    We hold 2013/14, one year after the report's data; comparing it with the report is the point of the
    notebook, and the finding's note says so. Data two or more years away are recorded as unpublished.

    >>> comparison_year(2014), comparison_year(2013), comparison_year(2016)
    (2013, 2013, 2016)
    """
    report = published.document_data_year(DOCUMENT)
    return report if 0 <= int(year) - report <= 1 else int(year)


def year_note(year: int) -> str:
    """Plain-English note on how the data year relates to the report's.

    >>> year_note(2014)[:40]
    'Reproduced from KS4 2013/14 school data;'
    """
    label, report = academic_year(year), published.document_data_year(DOCUMENT)
    if year == report:
        return f"Reproduced from KS4 {label} school data, the year the report used."
    gap = year - report
    return (
        f"Reproduced from KS4 {label} school data; the report used {academic_year(report)} ({abs(gap)} year"
        f"{'s' if abs(gap) > 1 else ''} {'earlier' if gap > 0 else 'later'}), and 2013/14 results fell for "
        "some schools under the early-entry and Wolf reforms, so a small difference is expected."
    )


def school_rows(tidy: pd.DataFrame) -> pd.DataFrame:
    """School records, with rows that repeat an earlier row exactly (same URN, same values) removed.

    The 2013/14 file repeats 174 schools verbatim (a merge artefact of the third party); counting them twice
    would double their pupils. :func:`exclusions` counts them.
    """
    schools = tidy[tidy["level"] == "school"]
    return schools[~_repeated(schools)].reset_index(drop=True)


def _repeated(schools: pd.DataFrame) -> pd.Series:
    compare = [c for c in schools.columns if c not in ("row_in_file", "source_file")]
    return schools.duplicated(subset=compare, keep="first")


def usability(schools: pd.DataFrame, group: str) -> pd.Series:
    """Why each school row can or cannot give a 5ACEM rate for ``group`` ('used' when it can).

    >>> s = pd.DataFrame({"pupils_disadvantaged": [10, 0, np.nan, 3], "pct_5acem_disadvantaged": [40, np.nan, np.nan, np.nan]})
    >>> usability(s, "disadvantaged").tolist()
    ['used', 'zero cohort', 'cohort blank (no results)', 'rate blank (suppressed)']
    """
    cohort_col, rate_col = _group_columns(group)
    cohort, rate = schools[cohort_col], schools[rate_col]
    # First matching reason wins. np.select, not boolean-mask assignment on a Series: pandas' fallback path
    # for masks costs ~1 ms a call, and the half-gap sensitivity tables call this hundreds of times.
    reason = np.select([cohort.isna(), cohort.eq(0), rate.isna()],
                       ["cohort blank (no results)", "zero cohort", "rate blank (suppressed)"], "used")
    return pd.Series(reason, index=schools.index, dtype="object")


def usable(schools: pd.DataFrame, group: str) -> pd.DataFrame:
    """The school rows with a cohort > 0 and a reported rate for ``group``."""
    return schools[usability(schools, group) == "used"]


def exclusions(tidy: pd.DataFrame) -> pd.DataFrame:
    """Per pupil group, how many school rows are used or left out and why, with the pupils involved.

    Repeated rows are left out of every group; a blank cohort means the school has no KS4 results in the
    file; a zero cohort has no rate to give; a blank rate with a cohort > 0 was suppressed by DfE (groups of
    1-5 pupils, or whose complement is that small).
    """
    schools = tidy[tidy["level"] == "school"]
    repeated = _repeated(schools)
    rows = []
    for group in GROUPS:
        cohort_col, _ = GROUPS[group]
        reason = usability(schools, group).where(~repeated, "repeated row (duplicate of an earlier row)")
        for r, part in schools.groupby(reason, sort=True):
            rows.append(
                {"pupil_group": group, "reason": r, "schools": len(part), "pupils": float(part[cohort_col].sum())}
            )
    return pd.DataFrame(rows).sort_values(["pupil_group", "reason"], kind="stable").reset_index(drop=True)


def _group_columns(group: str) -> tuple[str, str]:
    if group not in GROUPS:
        raise ParameterError(f"group: {group!r} is not a pupil group; valid: {', '.join(GROUPS)}")
    return GROUPS[group]


def weighted_rate(rows: pd.DataFrame, group: str) -> float:
    """Pupil-weighted 5ACEM % of ``group`` over usable rows: sum(rate x cohort) / sum(cohort).

    >>> weighted_rate(pd.DataFrame({"pupils": [10, 30], "pct_5acem_all": [50, 10]}), "all")
    20.0
    """
    cohort_col, rate_col = _group_columns(group)
    rows = usable(rows, group)
    return stats.weighted_mean(rows[rate_col], rows[cohort_col])


def national_rates(schools: pd.DataFrame) -> pd.DataFrame:
    """All / disadvantaged / other pupils: schools used, pupils, achievers, 5ACEM % and % not reaching it."""
    rows = []
    for group in ("all", "disadvantaged", "other"):
        cohort_col, rate_col = GROUPS[group]
        used = usable(schools, group)
        pupils = float(used[cohort_col].sum())
        achievers = float((used[rate_col] / 100 * used[cohort_col]).sum())
        rows.append(
            {
                "pupil_group": group,
                "label": GROUP_LABELS[group],
                "schools": len(used),
                "pupils": pupils,
                "achievers": achievers,
                "pct_5acem": 100 * achievers / pupils if pupils else float("nan"),
            }
        )
    out = pd.DataFrame(rows)
    out["pct_not_reaching"] = 100 - out["pct_5acem"]
    return out


def _check_min_cohort(min_cohort: int) -> int:
    if not isinstance(min_cohort, (int, np.integer)) or min_cohort < 1:
        raise ParameterError(f"min_cohort: expected a whole number of pupils >= 1, got {min_cohort!r}")
    return int(min_cohort)


def code_breakers(schools: pd.DataFrame, national_rate: float, *, min_cohort: int = 10) -> pd.DataFrame:
    """Schools with a usable disadvantaged rate and at least ``min_cohort`` disadvantaged pupils, flagged
    ``is_code_breaker`` when that rate is strictly above ``national_rate`` (the all-pupil national %).

    Sorted by disadvantaged rate (highest first), then URN, so ties list in a fixed order.
    """
    min_cohort = _check_min_cohort(min_cohort)
    eligible = usable(schools, "disadvantaged")
    eligible = eligible[eligible["pupils_disadvantaged"] >= min_cohort].copy()
    eligible["is_code_breaker"] = eligible["pct_5acem_disadvantaged"] > national_rate
    eligible["in_london"] = eligible["region"] == LONDON
    return eligible.sort_values(["pct_5acem_disadvantaged", "urn"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )


def code_breaker_summary(flagged: pd.DataFrame) -> pd.DataFrame:
    """One row: eligible schools, code-breakers, their share, '1 in N', and how many are outside London.

    >>> f = pd.DataFrame({"is_code_breaker": [True, True, False, False, False, False, False, False],
    ...                   "in_london": [True, False, True, False, False, False, False, False]})
    >>> code_breaker_summary(f)[["code_breakers", "share_pct", "one_in_n", "outside_london_share_pct"]].iloc[0].tolist()
    [2.0, 25.0, 4.0, 50.0]
    """
    breakers = flagged[flagged["is_code_breaker"]]
    n, eligible = len(breakers), len(flagged)
    outside = int((~breakers["in_london"]).sum())
    return pd.DataFrame(
        {
            "eligible_schools": [eligible],
            "code_breakers": [n],
            "share_pct": [100 * n / eligible if eligible else float("nan")],
            "one_in_n": [eligible / n if n else float("nan")],
            "outside_london": [outside],
            "outside_london_share_pct": [100 * outside / n if n else float("nan")],
        }
    )


def threshold_sensitivity(schools: pd.DataFrame, national_rate: float, thresholds: list[int]) -> pd.DataFrame:
    """:func:`code_breaker_summary` for each minimum disadvantaged cohort in ``thresholds``."""
    rows = [
        code_breaker_summary(code_breakers(schools, national_rate, min_cohort=t)).assign(min_cohort=t)
        for t in sorted(set(thresholds))
    ]
    out = pd.concat(rows, ignore_index=True)
    return out[["min_cohort"] + [c for c in out.columns if c != "min_cohort"]]


def by_region(flagged: pd.DataFrame) -> pd.DataFrame:
    """Per region: eligible schools, code-breakers and the share of the region's schools that are one."""
    out = (
        flagged.groupby("region", sort=True)
        .agg(eligible_schools=("is_code_breaker", "size"), code_breakers=("is_code_breaker", "sum"))
        .reset_index()
    )
    out["code_breakers"] = out["code_breakers"].astype(int)
    out["share_pct"] = 100 * out["code_breakers"] / out["eligible_schools"]
    return out.sort_values(["code_breakers", "region"], ascending=[False, True], kind="stable").reset_index(drop=True)


def london_vs_rest(schools: pd.DataFrame) -> pd.DataFrame:
    """Disadvantaged 5ACEM % in London and in the rest of England (pupil-weighted), and London / rest.

    >>> s = pd.DataFrame({"region": ["London", "North East", "South West"], "pupils_disadvantaged": [10, 10, 30],
    ...                   "pct_5acem_disadvantaged": [60, 50, 30]})
    >>> london_vs_rest(s)[["area", "pct_5acem"]].values.tolist()
    [['London', 60.0], ['Rest of England', 35.0], ['London / rest', 1.7142857142857142]]
    """
    used = usable(schools, "disadvantaged")
    london = used[used["region"] == LONDON]
    rest = used[used["region"] != LONDON]
    rates = [weighted_rate(london, "disadvantaged"), weighted_rate(rest, "disadvantaged")]
    return pd.DataFrame(
        {
            "area": ["London", "Rest of England", "London / rest"],
            "schools": [len(london), len(rest), np.nan],
            "pupils": [london["pupils_disadvantaged"].sum(), rest["pupils_disadvantaged"].sum(), np.nan],
            "pct_5acem": rates + [rates[0] / rates[1]],
        }
    )


def national_rate(national: pd.DataFrame, group: str = "all") -> float:
    """One pupil group's national 5ACEM % from :func:`national_rates`.

    >>> national_rate(pd.DataFrame({"pupil_group": ["all"], "pct_5acem": [56.2]}))
    56.2
    """
    return float(national.set_index("pupil_group").loc[group, "pct_5acem"])


def every_region(regions: pd.DataFrame) -> str:
    """'every region' when each region has a code-breaker, else which regions have none.

    >>> every_region(pd.DataFrame({"region": ["A", "B"], "code_breakers": [3, 0]}))
    'not every region (none in B)'
    """
    none = sorted(regions.loc[regions["code_breakers"] == 0, "region"])
    return "every region" if not none else f"not every region (none in {', '.join(none)})"


def findings(national: pd.DataFrame, summary: pd.DataFrame, regions: pd.DataFrame, london: pd.DataFrame,
             total_disadvantaged: pd.DataFrame, total_low: pd.DataFrame, total_all: pd.DataFrame,
             league: pd.DataFrame, *, year: int, min_cohort: int, n_groups: int, banding: str,
             disadvantaged_benchmark: str) -> pd.DataFrame:
    """The headline figures of notebook 04 as a findings-ready table (see ``FindingsLog.record_all``), with the
    league-table analogue's rows (``league``: :func:`analysis.methods.league_tables.league_summary`) and the claims
    no data here can test (the teacher poll; two figures quoted from a union), recorded with no value.

    Published figures are for the report's year (2012/13); data one year either side are compared under that
    year (:func:`comparison_year`) and each note says how the data year relates to the report's.
    """
    nat, cb = national.set_index("pupil_group"), summary.iloc[0]
    rates, breakers = "National 5ACEM rates by disadvantage", "Code-breaker schools"
    extra_dis, extra_low = "Close half the gap: disadvantaged pupils", "Close half the gap: low attainers"
    regional = "Code-breakers by region, and London against the rest"
    reading = "A second reading of the low-attainer figure"
    headline = f"Headline: {n_groups} {banding} bands, benchmark {disadvantaged_benchmark}; see the sensitivity table."
    values = [
        ("national_5acem_all", nat.loc["all", "pct_5acem"], "England: % of all pupils achieving 5ACEM", rates, ""),
        ("national_5acem_achievers_all", nat.loc["all", "achievers"], "England: pupils achieving 5ACEM", rates, ""),
        ("national_5acem_disadvantaged", nat.loc["disadvantaged", "pct_5acem"],
         "England: % of disadvantaged pupils achieving 5ACEM", rates, ""),
        ("national_5acem_other", nat.loc["other", "pct_5acem"], "England: % of other pupils achieving 5ACEM", rates,
         "Published wording is 'more than two thirds'."),
        ("national_5acem_disadvantaged_miss_share", nat.loc["disadvantaged", "pct_not_reaching"],
         "England: % of disadvantaged pupils not reaching 5ACEM", rates, ""),
        ("national_5acem_other_miss_share", nat.loc["other", "pct_not_reaching"],
         "England: % of other pupils not reaching 5ACEM", rates, ""),
        ("code_breaker_count", cb["code_breakers"], f"Code-breaker schools ({min_cohort}+ disadvantaged pupils)",
         breakers, ""),
        ("code_breaker_share", cb["share_pct"], f"Code-breakers as % of schools (1 in {cb['one_in_n']:.1f})",
         breakers, f"Schools with {min_cohort}+ disadvantaged pupils; see the minimum-cohort table."),
        ("code_breakers_outside_london_share", cb["outside_london_share_pct"], "% of code-breakers outside London",
         breakers, "Falls as the minimum cohort rises (see the minimum-cohort table); the report's rule is not stated."),
        ("code_breakers_every_region", every_region(regions), "Regions with at least one code-breaker", regional, ""),
        ("london_disadvantaged_likelihood_ratio", london.set_index("area").loc["London / rest", "pct_5acem"],
         "London disadvantaged 5ACEM rate / rest of England's", regional, ""),
        ("half_gap_extra_disadvantaged", total_disadvantaged["extra"].item(),
         "Extra disadvantaged pupils reaching 5ACEM if half the gap closed", extra_dis, headline),
        ("half_gap_extra_disadvantaged_pct", total_disadvantaged["extra_pct"].item(),
         "... as % of disadvantaged pupils reaching 5ACEM now", extra_dis, ""),
        ("half_gap_extra_low_attainers", total_low["extra"].item(),
         "Extra low prior attainers reaching 5ACEM if half the gap closed", extra_low,
         "Computed as worded (low prior attainers only); see the second reading of the figure."),
        ("half_gap_extra_low_attainers_pct", total_low["extra_pct"].item(),
         "... as % of low prior attainers reaching 5ACEM now", extra_low, "Over current low-attainer achievers."),
        ("national_5acem_low_prior", total_low["current"].item() / total_low["pupils"].item() * 100,
         "England: % of low prior attainers achieving 5ACEM", reading, ""),
        ("half_gap_extra_all_pupils_by_ks2", total_all["extra"].item(),
         "Extra pupils (all prior attainment) reaching 5ACEM if half the gap closed", reading,
         "Not a published figure: the all-pupil reading of the report's 60,000."),
        ("half_gap_extra_all_pupils_by_ks2_pct", total_all["extra_pct"].item(),
         "... as % of all pupils reaching 5ACEM now", reading, "Not a published figure."),
    ]
    note, key = year_note(year), {"london_disadvantaged_likelihood_ratio": "london"}
    rows = [{"finding_id": fid, "key": key.get(fid, "england"), "year": comparison_year(year), "value": value,
             "label": label, "section": section, "note": f"{note} {extra}".strip()}
            for fid, value, label, section, extra in values]
    rows += league_tables.findings(league, year=comparison_year(year), data_note=note)
    rows += [{"finding_id": r.finding_id, "key": r.key, "year": r.year, "value": None, "label": r.label,
              "section": "Claims no data here can test"}
             for r in published.claims_needing(DOCUMENTS, ("survey", "public-file")).itertuples()]
    return pd.DataFrame(rows)
