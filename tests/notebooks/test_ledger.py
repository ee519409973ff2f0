"""The findings ledger of the default reproduce: every claim of the five sources recorded once, with the status
worked out from the seed documents (../shared/seeds) and the independent audit of the raw data (issue 15).

The expected statuses are typed here, claim by claim, never pasted from a run: a change of status is a change
someone must explain.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis import findings
from analysis.data import published

pytestmark = pytest.mark.usefixtures("raw_data_present")

M, D, NF, NR = "match", "differs", "needs-public-file", "not-reproducible"
TABLE_4 = ["Al-Hijrah School", "Ark St Alban's Academy", "Aston Manor Academy", "Four Dwellings Academy",
           "George Dixon Academy", "Heartlands Academy", "Holyhead School", "Saltley Academy", "Washwood Heath Academy"]
CORE = ["383", "352", "373", "801", "892", "341", "391"]
WEST_MIDLANDS = ["336", "861", "333", "331", "937", "894", "893", "332", "885", "860", "334", "884", "335"]

EXPECTED: dict[tuple[str, int, str], str] = {
    # BEP KS4 note (seed 000). Table 1, LAIT: all match.
    **{(f"p8_{g}_{area}", 2017, key): M for g in ("all", "disadvantaged", "non_disadvantaged")
       for area, key in (("la", "330"), ("national", "england"))},
    ("gap_la", 2017, "330"): M,  # derived: 0.15 - (-0.18)
    ("p8_all_la_vs_national", 2016, "330"): M,  # "once again above": 0.00 against -0.03 in 2016
    # Table 4's 2016 column: 0.10, -0.38, -0.14 in LAIT
    ("p8_non_disadvantaged_national", 2016, "england"): M, ("p8_disadvantaged_national", 2016, "england"): M,
    ("p8_disadvantaged_la", 2016, "330"): M,
    # Table 5: England 46.3 / 37.0 (the performance tables' RECTYPE 7 row), Birmingham 46.1 / 40.1 (LAIT)
    **{(f"a8_{g}_{area}", 2017, key): M for g in ("all", "disadvantaged")
       for area, key in (("la", "330"), ("national", "england"))},
    # Table 2, core cities: the printed order differs from the tie rule only within the -0.62 tie
    ("rank_disadvantaged_p8", 2017, "core_cities"): D, ("la_rank", 2017, "core_cities:330"): M,
    ("group_average_disadvantaged_p8", 2017, "core_cities"): M,  # -0.3605 with TPUP x Ever6 weights
    **{("disadvantaged_p8_la", 2017, c): M for c in CORE}, ("smallest_gap_la", 2017, "core_cities"): M,
    # Table 3, West Midlands (the region run): ties within -0.51 and -0.55, and "olihull"
    ("rank_disadvantaged_p8", 2017, "region:West Midlands"): D, ("la_rank", 2017, "region:West Midlands:330"): M,
    ("group_average_disadvantaged_p8", 2017, "region:West Midlands"): M,  # DfE's region row -0.39
    **{("disadvantaged_p8_la", 2017, c): M for c in WEST_MIDLANDS},  # Worcestershire -0.52 within -0.5's 0.05
    ("smallest_gap_la", 2017, "region:West Midlands"): M,
    # Tables 4-5, schools: the disadvantaged splits need DfE's national england_ks4revised.csv
    ("schools_beating_benchmark", 2017, "330"): NF, ("schools_strong_attainment_progress", 2017, "330"): NF,
    **{("school_p8_disadvantaged", y, s): NF for s in TABLE_4 for y in (2016, 2017)},
    **{("school_p8_disadvantaged", 2017, s): NF for s in ("Queensbridge School", "Rockwood Academy")},
    **{("school_a8_disadvantaged", 2017, s): NF for s in ("Al-Hijrah School", "Queensbridge School", "Rockwood Academy")},
    **{("school_a8_all", 2017, s): M for s in ("Al-Hijrah School", "Queensbridge School", "Rockwood Academy")},
    ("school_p8_all", 2017, "Al-Hijrah School"): D,  # 0.42 final against 0.43 revised (A2)
    ("school_p8_all", 2017, "Queensbridge School"): M, ("school_p8_all", 2017, "Rockwood Academy"): M,
    # ASL (seed 001): NPD and Ofsted's inspection history, not public
    **{(fid, 2015, "opportunity_areas"): NR for fid in (
        "asl_persistent_gap_months", "asl_non_disadvantaged_gap_months", "asl_gap_growth_non_disadvantaged",
        "asl_gap_growth_persistent", "asl_gap_grew_every_year")},
    ("asl_leadership_downgraded_share", 2016, "opportunity_areas"): NR,
    ("asl_leadership_fall_most_likely", 2016, "opportunity_areas"): NR,
    # Cracking the Code (seeds 002, 003), 2013/14 data against the report's 2012/13
    ("national_5acem_disadvantaged", 2013, "england"): M,  # 38.1% within "two out of five" (36.4-44.4)
    ("national_5acem_other", 2013, "england"): D,  # 64.3%, not "more than two thirds"
    ("national_5acem_disadvantaged_miss_share", 2013, "england"): M,  # derived complement
    ("national_5acem_other_miss_share", 2013, "england"): M,  # derived complement
    ("code_breaker_share", 2013, "england"): M,  # 10.9% within "one in nine" (10.5-11.8)
    ("code_breakers_outside_london_share", 2013, "england"): D,  # 66%, not "nearly 60"
    ("code_breakers_every_region", 2013, "england"): M,
    ("london_disadvantaged_likelihood_ratio", 2013, "london"): D,  # 1.43 against 1.38
    ("half_gap_extra_disadvantaged", 2013, "england"): D, ("half_gap_extra_disadvantaged_pct", 2013, "england"): D,
    ("half_gap_extra_low_attainers", 2013, "england"): D, ("half_gap_extra_low_attainers_pct", 2013, "england"): D,
    ("league_far_fall_share", 2013, "england"): NR,  # the analogue is calibrated on it
    ("league_far_fall_share_north_east", 2013, "north_east"): D,  # 14%, not a fifth
    ("league_biggest_falls_disadvantage", 2013, "england"): D,  # the analogue contradicts the direction
    **{(fid, 2014, "england"): NR for fid in (
        "survey_teachers_polled", "survey_colleagues_lower_expectations",
        "survey_colleagues_lower_expectations_secondary", "survey_seek_challenging_role", "survey_pressure_deterrent",
        "survey_salary_factor")},
    ("child_poverty_millions", 2013, "england"): NF, ("education_spending_share", 2014, "england"): NF,
    # Families of Schools (seed 004)
    ("families_grouping", 2016, "330"): NR, ("contextual_families", 2016, "330:eal"): NF,
    ("contextual_families", 2016, "330:mobility"): NR, ("family_characteristic", 2016, "330:ethnicity"): NF,
    ("family_characteristic", 2016, "330:mobility"): NR, ("family_attainment_groups", 2016, "330"): NF,
    ("family_performance_map", 2016, "330:writing"): NF, ("family_tracking_map", 2016, "330"): NF,
}
DERIVED = {("gap_la", 2017, "330"), ("national_5acem_disadvantaged_miss_share", 2013, "england"),
           ("national_5acem_other_miss_share", 2013, "england")}


def _recorded(run: Path) -> pd.DataFrame:
    rows = []
    for f in sorted(run.glob("*/findings.json")):
        for r in json.loads(f.read_text(encoding="utf-8")):
            rows.append({**r, "report_set": f.parent.name})
    return pd.DataFrame(rows)


def test_every_claim_of_the_sources_is_in_the_table():
    claims = published.claims()
    assert set(zip(claims["finding_id"], claims["year"].astype(int), claims["key"], strict=True)) == set(EXPECTED)


def test_every_claim_recorded_once_with_its_expected_status(full_run):
    rec = _recorded(full_run)
    claims = rec[[(i, int(y), str(k)) in EXPECTED for i, y, k in zip(rec["id"], rec["year"], rec["key"], strict=True)]]
    dup = claims[claims.duplicated(["id", "year", "key"], keep=False)]
    assert dup.empty, dup[["id", "year", "key", "report_set", "notebook"]].to_dict("records")
    got = {(r.id, int(r.year), str(r.key)): r.status for r in claims.itertuples()}
    wrong = {k: (got.get(k), v) for k, v in EXPECTED.items() if got.get(k) != v}
    assert not wrong, wrong
    assert findings.unrecorded_claims(full_run).empty


def test_table_3_comes_from_the_region_run_and_table_2_from_the_default_one(full_run):
    rec = _recorded(full_run).set_index(["id", "key"])
    assert rec.loc[("group_average_disadvantaged_p8", "core_cities"), "report_set"] == "2017"
    region = rec.loc[("group_average_disadvantaged_p8", "region:West Midlands"), "report_set"]
    assert region.startswith("2017--") and "region" in region


def test_derived_findings_are_flagged_and_counted_apart(full_run):
    rec = _recorded(full_run)
    flagged = {(r.id, int(r.year), str(r.key)) for r in rec.itertuples() if r.derived is True}
    assert flagged == DERIVED
    counts = findings.status_counts(rec)
    assert counts["derived"] == len(DERIVED)


def test_nothing_true_by_construction_is_a_finding(full_run):
    rec = _recorded(full_run)
    inputs = published.published_figures().query("kind == 'input'")
    assert not set(rec["id"]) & set(inputs["finding_id"])  # n_families, the weights, EPI's 19.3, DfE's 3.78


def test_unreproducible_claims_name_what_they_need(full_run):
    rec = _recorded(full_run)
    for r in rec[rec["status"].isin([NF, NR])].itertuples():
        assert "Needs:" in r.note, (r.id, r.key)
    assert rec.loc[(rec["id"] == "school_p8_disadvantaged"), "note"].str.contains("england_ks4revised.csv").all()


def test_check_lists_no_missing_claim(full_run):
    text, _ = findings.check(full_run)
    assert "== published claims no notebook recorded: 0" in text


def test_code_breakers_prose_is_built_from_the_findings(full_run):
    # notebook 04's closing text: numbers from the recorded findings, none typed in the notebook
    nb = json.loads((full_run / "2014" / "notebooks" / "04_code_breakers.ipynb").read_text(encoding="utf-8"))
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    for typed in ("roughly 15,000", "about 79,000", "over 40%", "one in sixteen", "316,000"):
        assert typed not in markdown
    outputs = "\n".join("".join(o.get("data", {}).get("text/markdown", "")) for c in nb["cells"]
                        if c["cell_type"] == "code" for o in c.get("outputs", []))
    extra = _recorded(full_run).set_index(["id", "key"]).loc[("half_gap_extra_disadvantaged", "england"), "value"]
    assert f"{round(extra, -3):,.0f}" in outputs  # the run's own figure, rounded to the thousand


def test_every_main_point_renders_in_the_default_reproduce(full_run):
    # a briefing sentence whose finding is renamed or no longer recorded is dropped silently at run time (other
    # LAs' runs may lack a finding by design); in the default reproduce every one of them must render: each policy
    # report lists min(3, its templates) sentences plus the comparison with the published figures
    import re

    import yaml

    from analysis import paths

    templates = yaml.safe_load((paths.PROJECT_ROOT / "src/analysis/present/briefings.yml").read_text(encoding="utf-8"))
    reports = sorted(full_run.glob("*/policy/*.html"))
    assert reports
    for report in reports:
        points = re.search(r"Main points</h2>(.*?)</ul>", report.read_text(encoding="utf-8"), re.S)
        assert points, f"{report}: no main points"
        expected = min(3, len(templates.get(report.stem, []))) + 1
        assert len(re.findall(r"<li", points.group(1))) == expected, f"{report}: a main point did not render"
