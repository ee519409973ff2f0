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
comparator: str = "core_cities"  # "core_cities", "region", "statistical_neighbours", or LA codes like "330,331,332"
rank_draws: int = 10_000  # simulated draws for the plausible ranks (more draws, steadier shares, slower)
seed: int = 1  # seed of the draws: the same seed gives the same plausible ranks

# %%
from analysis import data, findings
from analysis.common import academic_year
from analysis.data import ks4_provisional, reference
from analysis.methods import comparisons, la_weights, progress8, ranking, stats, uncertainty, uncertainty_findings
from analysis.present import charts, tables, uncertainty_charts

log = findings.FindingsLog("02_la_comparisons", year=year)

# %% [markdown]
# ## Load the LAIT data and check the parameters
#
# LAIT (DfE's Local Authority Interactive Tool) holds every LA's, region's and England's published Progress 8
# for disadvantaged and non-disadvantaged pupils, to two decimals, but no pupil counts. "Disadvantaged" =
# eligible for free school meals in the last six years, or looked after (DfE's definition since 2015).

# %%
codes = reference.indicator_codes("p8")
lait = data.read_lait(indicators=[*codes.values(), la_weights.SHARE_INDICATOR])
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
group = comparisons.comparison_group(comparator, la, las, neighbours=data.read_statistical_neighbours())
group_key, group_label = comparisons.group_names(group)
la_name = reference.la_name(la, las)
tables.show(group, columns=["la_code", "la_name", "region", "is_chosen"])

# %% [markdown]
# ## Each LA's number of disadvantaged KS4 pupils (the weights)
#
# DfE averages over pupils, not over LAs, so a big LA counts for more. LAIT has no pupil counts. DfE's own
# count of each LA's KS4 pupils is `TPUP` on the LA rows of the provisional KS4 file; times the LA's share of
# secondary pupils eligible for free school meals in the last six years (LAIT `Ever6_FSM_Sec`, that
# January's census) it estimates the LA's disadvantaged KS4 pupils. **The weights are estimates** (the share
# is of all secondary pupils, and Ever-6 FSM is most, not all, of "disadvantaged": assumption A1); the LA
# values themselves are DfE's. Years without a provisional file use the nearest year's counts (`pupils_year`).

# %%
pupils = la_weights.pupils_from_la_rows(ks4_provisional.read_ks4_provisional_la())
shares = lait.query("indicator == @la_weights.SHARE_INDICATOR")
weights = la_weights.disadvantaged_weights(pupils, shares, year)
weights_note = la_weights.weights_note(weights, year)
tables.show(weights.merge(group[["la_code", "la_name"]], on="la_code"))

# %% [markdown]
# **A check on the pupil counts.** The same weights with each LA's KS4 pupils summed from the school-level
# files instead (each school joined to its LA through the c.2019 school spine on URN; schools that closed
# before the spine's snapshot have no LA and are left out, counted below: assumption A12).

# %%
school_rows = la_weights.schools_with_la(data.read_ks4_trimmed_all_years(), data.read_school_spine())
la_weights.coverage(school_rows)

# %%
check_weights = la_weights.disadvantaged_weights(la_weights.ks4_pupils_by_la(school_rows), shares, year)
check_weights.merge(group[["la_code", "la_name"]], on="la_code")

# %% [markdown]
# ## Rank the group by disadvantaged Progress 8
#
# Tie rule: LAs are ranked on DfE's two-decimal value, highest first. Equal values share a rank (1, 2, 2, 4,
# shown "2="), and within a tie LAs are listed A-Z by name. The rule does not look at the order of any
# published table, so it may list tied LAs differently from one.

# %%
values = comparisons.group_values(p8, group, year)
ranked = ranking.rank_las(values, "disadvantaged")
tables.show(ranked, columns=["rank_label", "la_code", "la_name", "disadvantaged", "disadvantaged_status"])

# %% [markdown]
# ## The group average, the way DfE computes it
#
# England and (for a region) DfE's own region row are official, pupil-weighted figures. The pupil-weighted
# group average is our estimate (above), shown with the check weights too; the unweighted mean of the LA
# figures is shown to see how much the weighting matters.

# %%
averages = comparisons.group_average_table(values, weights, group, p8, year, check_weights=check_weights)
tables.show(averages)

# %% tags=["headline-chart"]
charts.ranked_bars(
    ranked, "disadvantaged", "la_name", f"Disadvantaged pupils' Progress 8, {academic_year(year)}: {group_label}",
    highlight=la_name, rank="rank_label", reference_lines=comparisons.reference_lines(averages),
);

# %% [markdown]
# ## The disadvantage gap in every LA of the group
#
# The gap is non-disadvantaged minus disadvantaged Progress 8: how much more progress other pupils made in
# the same LA. Smallest gap first; ties as above.

# %%
gaps = ranking.rank_las(values, "gap", higher_is_better=False)
tables.show(gaps, columns=["rank_label", "la_code", "la_name", "disadvantaged", "non_disadvantaged", "gap"])

# %%
charts.ranked_bars(
    gaps, "gap", "la_name", f"Disadvantage gap in Progress 8, {academic_year(year)}: {group_label}",
    highlight=la_name, rank="rank_label", reference_lines={"England": progress8.england_gap(p8, year)},
    value_label="Gap (non-disadvantaged minus disadvantaged)",
);

# %% [markdown]
# ## How sure is the ranking? A 95% interval for each LA
#
# A published LA figure is the mean of its pupils' Progress 8 scores, so it would differ a little with other
# pupils, as DfE's school intervals say. Each LA's 95% interval is its value ± 1.96 × σ / √n, with σ the national
# pupil-level SD of Progress 8 (backed out of DfE's school intervals, the one estimate notebooks 03 and 05 use)
# and n its pupils in the group: **the estimated counts above, so the intervals are estimates too**; two-decimal
# rounding is allowed for. Where DfE publishes the LA's own interval for the same value, DfE's is used
# (`interval_source`). The gap's interval combines its two groups' (assumption A15).

# %% tags=["review-only"]
sd = stats.sd_by_year(stats.p8_sd(data.read_full_schema_files()), [year])
tables.show(sd)

# %%
dfe_intervals = data.published_la_intervals(year)
intervals = uncertainty.la_intervals(values, weights, sd, published=dfe_intervals)
england = uncertainty.england_intervals(p8, weights, sd, year)
tables.show(intervals.query("pupil_group in ['disadvantaged', 'gap']"),
            columns=["la_name", "pupil_group", "value", "pupils", "low", "high", "interval_source"])

# %%
uncertainty_charts.interval_chart(
    intervals, f"Disadvantaged pupils' Progress 8 with 95% intervals, {academic_year(year)}: {group_label}",
    highlight=la_name, reference_lines=comparisons.reference_lines(averages),
);

# %% [markdown]
# ## DfE's own LA intervals next to ours
#
# DfE publishes an LA's interval on the LA row of its school-level files: every pupil group in a full-schema
# (revised) file, all pupils in the provisional file. Where one is held, ours (estimated pupils, national σ) is
# shown next to it, a check on the estimate.

# %% tags=["review-only"]
tables.show(uncertainty.compare_published(intervals, dfe_intervals, sd=sd, weights=weights),
            empty="No file held publishes an interval for these LAs in this year.")

# %% [markdown]
# ## Plausible ranks
#
# Each LA's true value is drawn from its interval (a normal distribution) `rank_draws` times, seeded, and the
# LAs ranked in every draw: the ranks an LA takes in the middle 95% of draws are its plausible ranks. A rank that
# holds across them is not an accident of which pupils sat the exams that year.

# %%
simulation = uncertainty.rank_simulation(intervals, "disadvantaged", draws=rank_draws, seed=seed)
tables.show(simulation, columns=["rank", "la_name", "value", "plausible_ranks", "p_first", "p_rank"])

# %%
uncertainty_charts.caterpillar(
    simulation, f"Plausible ranks by disadvantaged pupils' Progress 8, {academic_year(year)}: {group_label}",
    highlight=la_name,
);

# %% [markdown]
# The same for the disadvantage gap (smallest first): its interval combines both groups', so it is wider.

# %%
gap_simulation = uncertainty.rank_simulation(intervals, "gap", draws=rank_draws, seed=seed, higher_is_better=False)
tables.show(gap_simulation, columns=["rank", "la_name", "value", "plausible_ranks", "p_first", "p_rank"])

# %% [markdown]
# **Ties and near-ties.** Neighbours in the ranking with equal published values are tied whatever the draws;
# where the higher-placed LA is ahead in fewer than 95% of draws, the data do not settle their order.

# %%
tables.show(uncertainty.near_ties(simulation), empty="Every neighbouring pair is settled in at least 95% of draws.")

# %% [markdown]
# ## Above or below: each LA against England and the rest of its group
#
# "Above" or "below" when the interval of the difference excludes zero; otherwise "not distinguishable". Each LA
# is compared with the pupil-weighted average of the *other* LAs of the group (never an average it is part of).

# %%
flags = uncertainty.la_flags(intervals, england)
average = uncertainty.group_average_intervals(intervals, group_label)
tables.show(flags, columns=["la_name", "value", "low", "high", "england", "vs_england", "others_average", "vs_others"])

# %% [markdown]
# ## Every year in the data
#
# The LA, the group average and England, for disadvantaged pupils. KS4 exams were cancelled in 2019/20 and
# 2020/21, so those years are gaps (status `no_data`), never zeros. The group is today's group in every
# year; its average is DfE's row for a region, otherwise our pupil-weighted estimate (school pupil counts
# from the nearest year we hold, `pupils_year`).

# %%
series = comparisons.trend(p8, group, pupils, shares, la)
tables.show(series.pivot_table(index="year", columns="area", values="value", dropna=False, sort=False), kind="p8")

# %%
charts.trend_lines(
    series, f"Disadvantaged pupils' Progress 8 over time: {la_name}, {group_label} and England",
    no_data_years=no_data_years,
);

# %% [markdown]
# ## Record the findings
#
# Each headline figure next to its published value (BEP's table 2 for the 2017 core cities, table 3 for the
# West Midlands: the default reproduce runs this notebook once for each, and each run records only its own
# group's claims); other groups, LAs and years have no published figure and are recorded as `not-published`.
# The chosen LA's own Progress 8 and England's are recorded once, by notebook 01. How sure the ranking is (the
# LA's plausible ranks, whether a first place holds, the LA against the rest of its group) is recorded too:
# nothing published to compare it with, it says how much weight the published ranking bears.

# %%
log.record_all(comparisons.findings(ranked, gaps, values, averages, group, la=la, year=year,
                                    weights_note=weights_note))

# %%
log.record_all(uncertainty_findings.findings(simulation, gap_simulation, flags, average, group, la=la))
