# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Local authorities compared: core cities, regions and statistical neighbours
#
# **Finding (BEP, 2017 revised KS4):** Birmingham's disadvantaged pupils made more progress than those of
# every other core city (-0.18 against a core-cities average of -0.36 and -0.40 nationally) and of every
# other West Midlands LA (region -0.39); its gap between disadvantaged and other pupils was the smallest in
# both groups.
#
# This notebook ranks the LAs of a comparison group by the Progress 8 of their disadvantaged pupils, puts
# the group average next to England's, ranks the disadvantage gaps and follows the LA, the group and England
# over every year in the data. It works for any LA, any year and any group.

# %% tags=["parameters"]
year: int = 2017  # academic year END, e.g. 2017 for 2016/17
la: str = "330"  # DfE local authority code as a string, e.g. "330" for Birmingham
comparator = "core_cities"  # "core_cities", "region", "statistical_neighbours", or LA codes like "330,331,332"

# %%
from analysis import comparisons, findings, load, plots, progress8, reference

log = findings.FindingsLog("02_la_comparisons", year=year)

# %% [markdown]
# ## Load the LAIT data and check the parameters
#
# LAIT (DfE's Local Authority Interactive Tool) holds every LA's, region's and England's published Progress 8
# for disadvantaged and non-disadvantaged pupils, to two decimals, but no pupil counts. "Disadvantaged" =
# eligible for free school meals in the last six years, or looked after (DfE's definition since 2015).

# %%
codes = reference.indicator_codes("p8")
lait = load.read_lait(indicators=[*codes.values(), comparisons.SHARE_INDICATOR])
p8 = progress8.select_measure(lait, "p8")
las = reference.local_authorities(lait)
la = reference.validate_la(la, las)
year = reference.validate_year(year, progress8.available_years(p8))
no_data_years = sorted(set(progress8.available_years(p8)) - set(progress8.years_with_data(p8)))
p8.query("year == @year and la_code in [@la, '970']")[["la_name", "pupil_group", "value", "status"]]

# %% [markdown]
# ## The comparison group
#
# Core cities are the eight English members of Core Cities UK; a region is the LA's own (London boroughs
# together); statistical neighbours are DfE's April 2021 list (the LA and its ten nearest neighbours; the
# list is used for every year). An explicit list always includes the chosen LA.

# %%
group = comparisons.comparison_group(comparator, la, las, neighbours=load.read_statistical_neighbours())
group_key, group_label = group["group_key"].iloc[0], group["group_label"].iloc[0]
la_name = group.loc[group["is_chosen"], "la_name"].iloc[0]
group

# %% [markdown]
# ## Estimate each LA's number of disadvantaged KS4 pupils (the weights)
#
# DfE averages over pupils, not over LAs, so a big LA counts for more. LAIT has no pupil counts, so we
# estimate them: KS4 pupils in each state-funded school (school-level KS4 file, joined to its LA through the
# school spine on URN; independent and non-maintained schools left out) times the LA's share of secondary
# pupils eligible for free school meals in the last six years (LAIT `Ever6_FSM_Sec`, that January's
# census). **These weights are estimates**; the LA values themselves are DfE's. We hold school files only for
# some years: other years use the nearest year's pupil counts (shown in `pupils_year`).

# %%
school_rows = comparisons.school_rows_all_years(load.read_school_spine())
comparisons.coverage(school_rows)

# %%
pupils = comparisons.ks4_pupils_by_la(school_rows)
shares = lait.query("indicator == @comparisons.SHARE_INDICATOR")
weights = comparisons.disadvantaged_weights(pupils, shares, year)
weights_note = (
    "" if weights["pupils_year"].iloc[0] == year else
    f"No school-level KS4 file for {year}: pupil counts are from {weights['pupils_year'].iloc[0]} (nearest year)."
)
print(weights_note or f"Pupil counts from the {year} school file.")
weights.merge(group[["la_code", "la_name"]], on="la_code")

# %% [markdown]
# ## Rank the group by disadvantaged Progress 8
#
# Tie rule: LAs are ranked on DfE's two-decimal value, highest first. Equal values share a rank (1, 2, 2, 4,
# shown "2="), and within a tie LAs are listed A-Z by name. The rule does not look at the order of any
# published table, so it may list tied LAs differently from one.

# %%
values = comparisons.group_values(p8, group, year)
ranked = comparisons.rank_las(values, "disadvantaged")
if ranked["disadvantaged"].isna().all():
    print(f"No Progress 8 for {year}: KS4 exams were cancelled in 2019/20 and 2020/21, so there is nothing to rank.")
ranked[["rank_label", "la_code", "la_name", "disadvantaged", "disadvantaged_status"]]

# %% [markdown]
# ## The group average, the way DfE computes it
#
# England and (for a region) DfE's own region row are official, pupil-weighted figures. The pupil-weighted
# group average is our estimate (above); the unweighted mean of the LA figures is shown to see how much the
# weighting matters.

# %%
averages = comparisons.group_average_table(
    values, weights, group_label=group_label,
    official=comparisons.official_area_value(p8, group_label, year) if group_key.startswith("region:") else None,
    england=comparisons.official_area_value(p8, "England", year),
)
group_avg, group_estimate = comparisons.group_average(averages)
averages

# %%
comparisons.ranked_chart(
    ranked, "disadvantaged", la_name,
    f"Disadvantaged pupils' Progress 8, {year - 1}/{str(year)[-2:]}: {group_label}",
    reference_lines=dict(zip(averages["area"].iloc[:3], averages["value"].iloc[:3], strict=False)),
);

# %% [markdown]
# ## The disadvantage gap in every LA of the group
#
# The gap is non-disadvantaged minus disadvantaged Progress 8: how much more progress other pupils made in
# the same LA. Smallest gap first; ties as above.

# %%
gaps = comparisons.rank_las(values, "gap", higher_is_better=False)
gaps[["rank_label", "la_code", "la_name", "disadvantaged", "non_disadvantaged", "gap"]]

# %%
comparisons.ranked_chart(
    gaps, "gap", la_name, f"Disadvantage gap in Progress 8, {year - 1}/{str(year)[-2:]}: {group_label}",
    reference_lines={"England": progress8.disadvantage_gap(progress8.la_vs_england(p8, la, year))["gap"].iloc[1]},
    value_label="Gap (non-disadvantaged minus disadvantaged)",
);

# %% [markdown]
# ## Every year in the data
#
# The LA, the group average and England, for disadvantaged pupils. KS4 exams were cancelled in 2019/20 and
# 2020/21, so those years are gaps (status `no_data`), never zeros. The group is today's group in every
# year; its average is DfE's row for a region, otherwise our pupil-weighted estimate (school pupil counts
# from the nearest year we hold, `pupils_year`).

# %%
series = comparisons.trend(p8, group, pupils, shares, la)
series.pivot_table(index="year", columns="area", values="value", dropna=False, sort=False)

# %%
plots.trend_lines(
    series, f"Disadvantaged pupils' Progress 8 over time: {la_name}, {group_label} and England",
    no_data_years=no_data_years,
);

# %% [markdown]
# ## Record the findings
#
# Each headline figure next to its published value (BEP's tables 2 and 3 for 2017 core cities and West
# Midlands); other groups, LAs and years have no published figure and are recorded as `not-published`.

# %%
rank_section = "Rank the group by disadvantaged Progress 8"
published_order = findings.published("rank_disadvantaged_p8", year, group_key)
order_note = " ".join([
    "Ranked by the stated tie rule (equal two-decimal values share a rank; A-Z within a tie).",
    comparisons.tie_note(ranked, "disadvantaged"),
    comparisons.order_note(ranked, published_order["value"].split("|") if published_order else None, "disadvantaged"),
]).strip()
log.record("rank_disadvantaged_p8", list(ranked.loc[ranked["rank"].notna(), "la_name"]), key=group_key,
           label=f"{group_label}: LAs ranked by disadvantaged Progress 8, highest first", section=rank_section,
           note=order_note)
log.record("la_rank", comparisons.rank_text(ranked, la), key=f"{group_key}:{la}",
           label=f"{la_name}'s place in {group_label} by disadvantaged Progress 8", section=rank_section)
is_official = averages["area"].str.endswith("(official)").any()
log.record("group_average_disadvantaged_p8", group_avg, key=group_key,
           label=f"{group_label}: average disadvantaged Progress 8 (pupil-weighted)",
           section="The group average, the way DfE computes it",
           note="No values this year." if group_estimate is None else
           ("DfE's own region row. " if is_official else "Estimate from estimated pupil weights. ")
           + f"Pupil-weighted estimate {group_estimate:.3f}; unweighted mean {averages['value'].iloc[-1]:.3f}. "
           + weights_note)
log.record("p8_disadvantaged_national", averages["value"].iloc[0], key="england:table2",
           label="England: Progress 8, disadvantaged pupils", section="The group average, the way DfE computes it")
for code, name, value in ranked[["la_code", "la_name", "disadvantaged"]].itertuples(index=False):
    log.record("disadvantaged_p8_la", value, key=code, label=f"{name}: Progress 8, disadvantaged pupils",
               section=rank_section)
log.record("gap_la", values.set_index("la_code").loc[la, "gap"], key=la,
           label=f"{la_name}: disadvantage gap in Progress 8 (non-disadvantaged minus disadvantaged)",
           section="The disadvantage gap in every LA of the group")
log.record("smallest_gap_la", gaps["la_name"].iloc[0] if gaps["rank"].notna().any() else None, key=group_key,
           label=f"{group_label}: LA with the smallest disadvantage gap",
           section="The disadvantage gap in every LA of the group",
           note=comparisons.tie_note(gaps[gaps["rank"] == 1], "gap"))
log.save()
log.table()
