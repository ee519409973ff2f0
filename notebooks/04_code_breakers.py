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
# # Cracking the Code: code-breaker schools and closing half the gap
#
# **Findings (Social Mobility and Child Poverty Commission, "Cracking the Code", 6 October 2014, KS4 2012/13):**
# only two in five disadvantaged children get five good GCSEs including English and maths ("5ACEM"), against
# more than two thirds of other children; in one in nine secondary schools disadvantaged pupils beat the
# national average for *all* pupils ("code-breakers"), nearly 60% of them outside London; if schools closed
# half the gap with the best similar schools, 14,000 more disadvantaged pupils (+25%) and 60,000 more low
# attainers (+19%) would reach the benchmark each year.
#
# **Data:** DfE's school-level KS4 performance tables for state-funded mainstream schools. The compendium
# holds **2013/14**, one year *after* the report's 2012/13 data: expect small differences (2013/14 also
# brought the early-entry and Wolf rules, which lowered some schools' results). Add the 2012/13 file to the
# registry (role `ks4_5acem_school`, with its column-map rows) and run with `year = 2013` for the like-for-like
# comparison. "Disadvantaged" = free school meals in the last six years, or looked after.

# %% tags=["parameters"]
year: int = 2014  # academic year END of the KS4 data: 2014 means 2013/14
min_cohort: int = 10  # fewest disadvantaged pupils for a school's rate to count (code-breakers, model, benchmarks)
thresholds: list = [1, 6, 10, 15, 20, 30]  # minimum cohorts to compare in the sensitivity of the count
far_above: float = 2.0  # standard errors above prediction that count as "far above"
n_groups: int = 10  # bands of similar schools in the half-gap simulations (headline)
banding: str = "quantile"  # "quantile" (equal numbers of schools) or "fixed" (equal-width bands)
disadvantaged_benchmark: str = "top20_weighted"  # "top20_weighted" or "p80_school"
low_attainer_benchmark: str = "best"  # "best", "top20_weighted" or "p80_school"

# %%
from analysis import data, findings
from analysis.common import academic_year
from analysis.data import coverage, reference
from analysis.methods import beyond_prediction, codebreakers, codebreakers_text, half_gap, league_tables, narrative
from analysis.present import charts, tables

year = reference.validate_year(year, coverage.ks4_5acem_years())
log = findings.FindingsLog("04_code_breakers", year=year)
year_label = academic_year(year)

# %% [markdown]
# ## Load the school-level KS4 file
#
# One row per school (RECTYPE `SCH`) or local authority (`LA`). Blank cells keep an explicit status
# (`missing`): in this file a blank means suppressed (groups of 1 to 5 pupils, or whose complement is that
# small), no pupils, or no results. The file's `_weighted` columns were added by a third party and are not read.

# %%
tidy = data.read_ks4_5acem(year=year)
tables.show(tidy.groupby(["level", "pct_5acem_disadvantaged_status"]).size().rename("rows").reset_index())

# %% [markdown]
# ## Which school rows are used, and why others are left out
#
# Each pupil group needs a cohort count above zero and a reported rate. Rows left out, by reason:
# *repeated row* (the file repeats some schools verbatim: counting them twice would double their pupils);
# *cohort blank* (no KS4 results in the file, e.g. a school too new to have a cohort); *zero cohort* (no pupils
# in the group, so no rate exists); *rate blank* (DfE suppressed a small group). The pupils column shows how
# few pupils the suppressed groups hold.

# %%
excluded = codebreakers.exclusions(tidy)
schools = codebreakers.school_rows(tidy)
tables.show(excluded)

# %% [markdown]
# ## National 5ACEM rates by disadvantage
#
# Pupil-weighted from school rows: each school's rate times its cohort, summed, over the pupils.

# %%
national = codebreakers.national_rates(schools)
national_all = codebreakers.national_rate(national)
tables.show(national)

# %% [markdown]
# ## Code-breaker schools
#
# A code-breaker is a school whose disadvantaged pupils' 5ACEM rate is above the national rate for **all**
# pupils. A school with 3 disadvantaged pupils crosses the line by luck as easily as by teaching, so the
# headline counts only schools with at least `min_cohort` disadvantaged pupils (10 by default, the size below
# which DfE treats disadvantaged splits as too small to publish reliably). Share and "1 in N" are out of the
# schools that pass the same rule.

# %%
flagged = codebreakers.code_breakers(schools, national_all, min_cohort=min_cohort)
summary = codebreakers.code_breaker_summary(flagged)
tables.show(summary)

# %% tags=["headline-chart"]
charts.plot_rate_distribution(
    flagged, national_all,
    f"Disadvantaged pupils' 5ACEM by school, {year_label} (schools with {min_cohort}+ disadvantaged pupils)");

# %% [markdown]
# ## How the count moves with the minimum cohort
#
# Lower thresholds admit small, noisy cohorts (more schools above the line by chance); higher ones keep
# mostly large schools, which are more often in cities. The report does not state its rule.

# %%
by_threshold = codebreakers.threshold_sensitivity(schools, national_all, thresholds)
tables.show(by_threshold)

# %%
charts.plot_threshold(by_threshold, f"Code-breaker schools by minimum disadvantaged cohort, {year_label}");

# %% [markdown]
# ## Code-breakers by region, and London against the rest
#
# London has the most code-breakers; its disadvantaged pupils' rate is compared with that of disadvantaged
# pupils in the rest of England (pupil-weighted, every school with a usable rate).

# %%
regions = codebreakers.by_region(flagged)
tables.show(regions)

# %%
charts.plot_by_region(regions, f"Code-breaker schools by region, {year_label}");

# %%
london = codebreakers.london_vs_rest(schools)
tables.show(london)

# %% [markdown]
# ## Beyond prediction: disadvantaged results against the school's intake
#
# Weighted least squares of a school's disadvantaged 5ACEM % on its KS2 average point score and its %
# disadvantaged pupils, each school weighted by its disadvantaged cohort (a rate from 100 pupils is more
# precise than one from 10). A school is *far above prediction* when its rate is more than `far_above`
# standard errors (for its cohort size) above the model's prediction.

# %%
model = beyond_prediction.fit_prediction_model(schools, min_cohort=min_cohort)
tables.show(beyond_prediction.model_table(model))

# %%
predicted = beyond_prediction.beyond_prediction(model, far_above=far_above)
tables.show(predicted[predicted["far_above_prediction"]])

# %% [markdown]
# ## Close half the gap: disadvantaged pupils
#
# Schools are grouped by their % disadvantaged pupils into `n_groups` bands. Each band's benchmark is the
# pupil-weighted disadvantaged rate of its top 20% of schools (schools with `min_cohort`+ disadvantaged pupils
# set benchmarks). Every school below gains half its gap times its disadvantaged cohort; the percentage is
# the extra over today's disadvantaged achievers.

# %%
gap_disadvantaged = half_gap.half_gap(
    schools, group="disadvantaged", band_by="pct_disadvantaged", n_groups=n_groups, banding=banding,
    benchmark=disadvantaged_benchmark, benchmark_min_cohort=min_cohort)
total_disadvantaged = half_gap.half_gap_total(gap_disadvantaged)
tables.show(gap_disadvantaged)

# %%
tables.show(total_disadvantaged)

# %% [markdown]
# ## Close half the gap: low attainers
#
# Schools are grouped by their intake's KS2 average point score. Benchmark = the best rate for low prior
# attainers of any school in the band (with `min_cohort`+ low prior attainers); every school below gains half
# its gap times its low-prior-attainer cohort; the percentage is over today's low-attainer achievers.

# %%
gap_low = half_gap.half_gap(
    schools, group="low_prior", band_by="ks2_aps", n_groups=n_groups, banding=banding,
    benchmark=low_attainer_benchmark, benchmark_min_cohort=min_cohort)
total_low = half_gap.half_gap_total(gap_low)
tables.show(gap_low)

# %%
tables.show(total_low)

# %% [markdown]
# ### A second reading of the low-attainer figure
#
# Can the report's 60,000 (+19%) describe low prior attainers at all? Few of them reach 5ACEM (the rate is
# recorded below, and "What this shows" works the comparison through), so the same simulation is also run on
# all pupils, grouped by KS2 intake:

# %%
gap_all = half_gap.half_gap(
    schools, group="all", band_by="ks2_aps", n_groups=n_groups, banding=banding,
    benchmark=low_attainer_benchmark, benchmark_min_cohort=min_cohort)
total_all = half_gap.half_gap_total(gap_all)
tables.show(total_all)

# %%
charts.plot_half_gap(
    {"Disadvantaged pupils, by % disadvantaged": gap_disadvantaged,
     "Low prior attainers, by KS2 average points": gap_low,
     "All pupils, by KS2 average points": gap_all},
    f"Extra pupils reaching 5ACEM if schools closed half the gap, {year_label}");

# %% [markdown]
# ## Sensitivity of the half-gap results
#
# The report does not publish its grouping. Each table varies the number of bands, quantile against
# fixed-width bands, and the benchmark (top 20% of schools pupil-weighted, the 80th-percentile school, the
# best school). The **headline** row uses 10 quantile bands (deciles: narrow enough that schools are
# "similar", with enough schools each that a benchmark never rests on a handful), the top-20% pupil-weighted
# benchmark for disadvantaged pupils (the report's "top 20 per cent of schools", counting their pupils, not
# the 80th-percentile school whose rate ignores cohort size) and the best school for low attainers (the
# report's "best performing school"). The headline was chosen before comparing with the published figures.

# %%
sensitivity_disadvantaged = half_gap.sensitivity(
    schools, group="disadvantaged", band_by="pct_disadvantaged", n_groups=[3, 5, 10, 20],
    bandings=["quantile", "fixed"], benchmarks=["top20_weighted", "p80_school"], benchmark_min_cohort=min_cohort,
    headline={"n_groups": n_groups, "banding": banding, "benchmark": disadvantaged_benchmark})
tables.show(sensitivity_disadvantaged)

# %%
sensitivity_low = half_gap.sensitivity(
    schools, group="low_prior", band_by="ks2_aps", n_groups=[3, 5, 10, 20],
    bandings=["quantile", "fixed"], benchmarks=["best", "top20_weighted", "p80_school"],
    benchmark_min_cohort=min_cohort,
    headline={"n_groups": n_groups, "banding": banding, "benchmark": low_attainer_benchmark})
tables.show(sensitivity_low)

# %% [markdown]
# ## League tables: from attainment to progress (an analogue)
#
# The Commission re-scored 2012/13 results under the 2016 rules (Progress 8 and the new qualification lists)
# and found 8% of schools "falling far down the league table rankings", a fifth of North East schools, the
# biggest falls in the most disadvantaged schools. That needs pupil-level data. The public **analogue**: each
# school's percentile rank on 5ACEM (the old headline) against its percentile rank on best-8 value added
# (`B8VAMEA_PTQ`, the file's progress measure over eight subjects, nearest to Progress 8); the fall is the
# first minus the second, in percentile points. "Falling far" is not defined by the report, so the threshold
# is **calibrated** on its national 8%: that share holds here by construction and is no test; the North East
# share and the pattern by disadvantage, at that threshold, are. Caveats: one year later than the report's data;
# value added is not Progress 8 (other subjects, baseline and scale); the new qualification rules are not
# modelled. Schools by fifth of their % disadvantaged pupils (1 = least, 5 = most):

# %%
moves = league_tables.league_moves(schools)
league = league_tables.league_summary(moves, league_tables.far_fall_threshold(moves))
league

# %% [markdown]
# How the shares move with the threshold (percentile points), and the correlation of the fall with the school's
# share of disadvantaged pupils (negative: more disadvantaged schools rise under the progress ranking):

# %%
league_tables.threshold_sensitivity(moves, league_tables.SENSITIVITY_THRESHOLDS)

# %% [markdown]
# ## Record the findings
#
# Published figures are for 2012/13; with 2013/14 data they are compared under the report's year and each
# note says the data are one year later. The teacher poll and two figures a union is quoted giving are claims
# no data here can test: they are recorded with no value, and the note names what would test them.

# %%
log.record_all(codebreakers.findings(
    national, summary, regions, london, total_disadvantaged, total_low, total_all, league, year=year,
    min_cohort=min_cohort, n_groups=n_groups, banding=banding, disadvantaged_benchmark=disadvantaged_benchmark))

# %% [markdown]
# ## What this shows
#
# Every number below is read from the findings just recorded (`analysis.methods.codebreakers_text`), so it is
# this run's own.

# %%
narrative.render(log.table(), codebreakers_text.LOW_ATTAINER_READING)

# %%
narrative.render(log.table(), codebreakers_text.SUMMARY)
