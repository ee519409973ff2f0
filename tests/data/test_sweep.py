"""Every LA, every year: the calculations behind notebooks 01 and 02, run through the library (no kernels), give
a result or a named refusal for every LA in the LAIT data and every year 2016-2025 (02 with its default
comparator for every LA, and every region's group once; every comparator is run as a notebook for a sample of LA
types in tests/notebooks/test_la_types.py).

Properties, not today's values: the chosen LA is always in its comparison group; every LA value recorded is
LAIT's own; a refusal says why; the sweep never raises anything else. The intervals and plausible ranks of
every group (issue 19) hold their own invariants: each interval contains its value and narrows with more pupils,
every plausible range lies within 1..n, the shares of draws in which each LA comes first sum to one, and the
flags are one of the three words.
"""

from __future__ import annotations

import math
import re

import numpy as np

import pytest

from analysis import data
from analysis.data import coverage, reference
from analysis.errors import ParameterError
from analysis.methods import comparisons, la_weights, progress8, ranking, stats, uncertainty, uncertainty_findings

pytestmark = pytest.mark.data
YEARS = range(2016, 2026)


@pytest.fixture(scope="module")
def inputs():
    lait = data.read_lait(indicators=[*reference.indicator_codes("p8").values(), la_weights.SHARE_INDICATOR])
    p8 = progress8.select_measure(lait, "p8")
    schools = la_weights.schools_with_la(data.read_ks4_trimmed_all_years(), data.read_school_spine())
    return {"p8": p8, "las": reference.local_authorities(lait), "neighbours": data.read_statistical_neighbours(),
            "pupils": la_weights.ks4_pupils_by_la(schools),
            "shares": lait[lait["indicator"] == la_weights.SHARE_INDICATOR],
            "sd": stats.p8_sd(data.read_full_schema_files())}


FLAGS = {"above", "below", "not distinguishable", "no value"}


def check_uncertainty(values, weights, sd, published, england_rows):
    """The interval and rank invariants for one group (few draws: the properties hold for any number)."""
    intervals = uncertainty.la_intervals(values, weights, sd, published=published)
    value, se = intervals["value"].to_numpy(float), intervals["se"].to_numpy(float)
    low, high, pupils = intervals["low"].to_numpy(float), intervals["high"].to_numpy(float), intervals["pupils"].to_numpy(float)
    got = ~np.isnan(value) & ~np.isnan(se)
    assert (low[got] < value[got]).all() and (value[got] < high[got]).all()
    estimated = got & intervals["interval_source"].str.startswith("estimated").to_numpy() & (pupils > 0)
    # half-width x sqrt(pupils) is the same for every estimated interval (one SD), the rounding term aside
    spread = (high[estimated] - value[estimated]) * np.sqrt(pupils[estimated])
    if len(spread):
        assert spread.max() - spread.min() < 1.96 * 0.005 * np.sqrt(pupils[estimated].max()) + 1e-9
    simulation = uncertainty.rank_simulation(intervals, draws=200, seed=3)
    n = len(simulation)
    if n:
        rank_low, rank_high = simulation["rank_low"].to_numpy(), simulation["rank_high"].to_numpy()
        assert (1 <= rank_low).all() and (rank_low <= rank_high).all() and (rank_high <= n).all()
        assert math.isclose(simulation["p_first"].sum(), 1.0, abs_tol=1e-9)
    flags = uncertainty.la_flags(intervals, england_rows)
    assert set(flags["vs_england"]) <= FLAGS and set(flags["vs_others"]) <= FLAGS
    return simulation


def test_every_group_of_every_la_and_year_has_intervals_and_plausible_ranks(inputs):
    """Issue 19 over the same sweep: each LA's default group (and each region once), every year with data."""
    p8, las = inputs["p8"], inputs["las"]
    checked = 0
    for year in YEARS:
        if coverage.p8_year_reason(year):
            continue
        year_rows = p8[p8["year"] == year]
        weights = la_weights.disadvantaged_weights(inputs["pupils"], inputs["shares"], year)
        sd = stats.sd_by_year(inputs["sd"], [year])
        published = data.published_la_intervals(year)
        england = uncertainty.england_intervals(year_rows, weights, sd, year)
        groups = [comparisons.comparison_group("core_cities", la, las) for la in las["la_code"]
                  if not coverage.la_progress8(year, la)]
        groups += [comparisons.comparison_group("region", members.iloc[0], las)
                   for _, members in las.groupby("region_group")["la_code"]]
        for group in groups:
            values = comparisons.group_values(year_rows, group, year)
            simulation = check_uncertainty(values, weights, sd, published, england)
            for la in group.loc[group["is_chosen"], "la_code"]:
                if la in set(simulation["la_code"]):
                    assert uncertainty_findings.place_summary(simulation, la)["holds"] in {"holds", "does not hold"}
            checked += 1
    assert checked > len(las)  # at least one full year of LAs


def test_the_sweep_covers_every_la_and_year_with_a_result_or_a_reason(inputs):
    p8, las = inputs["p8"], inputs["las"]
    lait_value = p8.set_index(["year", "la_code", "pupil_group"])["value"]
    # the same rows as plain lookups (year, LA, pupil group) -> (value, status), for every group's values below
    lait_row = {(int(y), c, g): (v, st) for y, c, g, v, st in
                zip(*(p8[col].tolist() for col in ("year", "la_code", "pupil_group", "value", "status")), strict=True)}
    ran = refused = 0
    for year in YEARS:
        year_rows = p8[p8["year"] == year]  # as the notebooks filter, once per year
        weights = la_weights.disadvantaged_weights(inputs["pupils"], inputs["shares"], year)
        for la in las["la_code"]:
            reason = coverage.la_progress8(year, la)
            if reason:
                assert isinstance(reason, str) and len(reason) > 20
                refused += 1
                continue
            comparison = progress8.la_vs_england(year_rows, la, year)
            rows = progress8.findings(comparison, progress8.disadvantage_gap(comparison), comparison.iloc[0:0],
                                      comparison.iloc[0:0], la=la, year=year)
            for row in rows.itertuples():
                figure = re.fullmatch(r"p8_(disadvantaged|non_disadvantaged|all)_(la|national)", row.finding_id)
                if figure and row.value is not None and not math.isnan(row.value):
                    group, area = figure.groups()
                    assert row.value == lait_value[(year, la if area == "la" else reference.ENGLAND_CODE, group)]
            # 02 with its default comparator: the LA against the core cities, itself always in the group
            group = comparisons.comparison_group("core_cities", la, las)
            assert la in set(group["la_code"]) and group.loc[group["la_code"] == la, "is_chosen"].all()
            values = comparisons.group_values(year_rows, group, year)
            # each member's value and status is LAIT's own row ('missing' where LAIT has none)
            for member in zip(*(values[c].tolist() for c in ("la_code", "disadvantaged", "disadvantaged_status",
                                                             "non_disadvantaged", "non_disadvantaged_status",
                                                             "all", "all_status")), strict=True):
                for g, got, got_status in zip(("disadvantaged", "non_disadvantaged", "all"), member[1::2],
                                              member[2::2], strict=True):
                    held, held_status = lait_row.get((year, member[0], g), (math.nan, "missing"))
                    assert got_status == held_status and (got == held or (math.isnan(got) and math.isnan(held)))
            ranked = ranking.rank_las(values, "disadvantaged")
            place = ranking.rank_text(ranked, la)
            assert place.endswith(f"of {int(ranked['rank'].notna().sum())}") or place.startswith("not ranked")
            averages = comparisons.group_average_table(values, weights, group, year_rows, year)
            assert set(averages["kind"]) >= {"england", "estimate", "unweighted"}
            ran += 1
        # the region comparator: one group per region (the same LAs whichever member is chosen), every member placed
        for region, members in las.groupby("region_group")["la_code"]:
            if coverage.la_progress8(year, members.iloc[0]) or coverage.p8_year_reason(year):
                continue
            group = comparisons.comparison_group("region", members.iloc[0], las)
            assert set(group["la_code"]) == set(members), region
            ranked = ranking.rank_las(comparisons.group_values(year_rows, group, year), "disadvantaged")
            for la in members:
                assert ranking.rank_text(ranked, la).split(" of ")[-1] == str(int(ranked["rank"].notna().sum())) \
                    or ranking.rank_text(ranked, la).startswith("not ranked")
    # every year 2016-2025 is decided one way or the other for every LA; the stated gap years refuse for all LAs
    assert ran + refused == len(list(YEARS)) * len(las)
    gap_years = [y for y in YEARS if reference.measure_gap("p8", y)]
    assert ran > 0 and refused >= len(gap_years) * len(las) and len(gap_years) >= 3
