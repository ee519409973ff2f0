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
# # Opportunity areas: progress gaps in months
#
# **Finding (Ambition School Leadership with the Education Policy Institute, "Ambitious for Every Child",
# November 2016):** in the six opportunity areas (Norwich, Blackpool, Derby, Oldham, Scarborough, West
# Somerset) persistently disadvantaged pupils (on free school meals for 80%+ of their secondary years) were
# 20.1 months behind non-disadvantaged pupils nationally by 16; non-disadvantaged pupils there made almost
# five months less progress than elsewhere; the gaps grew every year 2010-2015, by 3.6 and 8.3 months.
#
# Those figures rank every pupil in the National Pupil Database (NPD), which is not public. This notebook
# (1) shows the pupil-level method, ready for anyone holding an NPD extract (`pupil_file`), on a synthetic
# cohort whose gaps are known; and (2) builds the closest public analogue: published Progress 8 averages
# of each area against England's non-disadvantaged pupils, converted to months, 2016 onward.

# %% tags=["parameters"]
year: int = 2017  # academic year END: 2017 is 2016/17, from 2016 onward
months_per_sd: str = "epi_gcse_2016"  # preset in analysis.methods.months.PRESETS ("generic_one_year_per_sd" or "epi_gcse_2016")
p8_sd: float = 0.0  # pupil-level SD of Progress 8, or 0 to back it out of DfE confidence intervals
pupil_file: str = ""  # CSV/parquet of pupils (year, area, score, disadvantaged, fsm_share), empty for the synthetic cohort
synthetic_pupils_per_year: int = 200000  # size of each synthetic national cohort
seed: int = 1  # random seed of the synthetic cohort

# %%
from analysis import data, findings
from analysis.data import coverage, reference
from analysis.methods import months, progress8, stats
from analysis.methods import opportunity_areas as oa
from analysis.present import charts, tables

log = findings.FindingsLog("05_opportunity_areas", year=year)

# %% [markdown]
# ## Load Progress 8 and check the year
#
# LAIT holds DfE's published LA and England Progress 8 by disadvantage. KS4 exams were cancelled in 2019/20
# and 2020/21: those years are valid choices but have no Progress 8, so every figure below is empty (a dash)
# for them, never zero.

# %%
lait = data.read_lait(indicators=list(reference.indicator_codes("p8").values()))
p8 = progress8.select_measure(lait, "p8")
year = reference.validate_year(year, coverage.opportunity_area_years())
has_ks4 = year in oa.years_with_ks4(p8)
oa.areas()[["area_id", "area_name", "geography", "la_code", "la_name", "district_name", "note"]]

# %% [markdown]
# ## From Progress 8 to standard deviations: the pupil-level SD of P8
#
# Progress 8 is in grades per subject. To express a gap in standard deviations we need the SD of pupils'
# P8 scores, which DfE does not publish directly; but every school's 95% confidence interval is built from
# it: CI = P8 ± 1.96 × sd / √n, so
#
# $$ sd = \frac{CI_{high} - CI_{low}}{2} \times \frac{\sqrt{n}}{1.96} $$
#
# with n the school's P8 pupils. We back it out of every interval in every full-schema file the registry holds
# (each file also has the year before in its back-columns), by least squares of half-width on 1/√n: the same
# estimate notebook 03 uses. CIs are rounded to 2 dp, so single schools scatter a little around it.

# %%
full_schema = data.read_full_schema_files()
sd_table = stats.p8_sd(full_schema)
tables.show(sd_table)

# %% [markdown]
# The SD changed between 2016 and 2017 (new 9-1 grades in English and maths), so each year uses its own; a
# year without CI data uses the nearest year that has them (flagged in `basis`), unless `p8_sd` is set.

# %%
sd_years = stats.sd_by_year(sd_table, coverage.opportunity_area_years(), override=p8_sd)
tables.show(sd_years)

# %% [markdown]
# ## From standard deviations to months
#
# $$ gap_{months} = gap_{SD} \times months\_per\_SD $$
#
# `months_per_SD` is a parameter with named presets, never a hidden constant. The calibrated preset makes
# England's 2016 GCSE disadvantage gap equal EPI's published 19.3 months. DfE's KS4 disadvantage gap index
# (3.78 in 2016) is 20 × the difference in mean percentile rank; with the disadvantaged share p the two mean
# ranks follow, and the rank formula turns them into SD (next section):

# %%
tables.show(months.presets_table())

# %%
tables.show(months.calibration_table())

# %%
conversion = months.resolve_months_per_sd(months_per_sd)
conversion

# %% [markdown]
# ## The pupil-level method (what ASL/EPI did), on a synthetic cohort
#
# 1. Rank all pupils of a year nationally: percentile rank $r = (rank - 0.5)/n$, ties sharing their mean rank.
# 2. Mean rank of the group ($\bar r_g$) and of the comparison group ($\bar r_c$: non-disadvantaged pupils
#    nationally, or outside the area).
# 3. If scores are normal, a pupil $d$ SD above the mean out-ranks a random pupil with probability
#    $\Phi(d/\sqrt{2})$, so
#    $$ gap_{SD} = \sqrt{2}\,\left(\Phi^{-1}(\bar r_c) - \Phi^{-1}(\bar r_g)\right) $$
# 4. $gap_{months} = gap_{SD} \times months\_per\_SD$.
#
# The synthetic cohort is built with known gaps (in SD); with `pupil_file` set, the same call runs on a
# researcher's NPD extract (columns year, area, score, disadvantaged, fsm_share: share of years on FSM).

# %%
pupils = (data.read_pupils(pupil_file) if pupil_file
          else data.synthetic_pupils(synthetic_pupils_per_year, years=(2015,), seed=seed))
pupil_gaps = months.rank_gaps(pupils, months_per_sd=conversion.months_per_sd)
tables.show(pupil_gaps)

# %% [markdown]
# Against the gaps built into the synthetic cohort (area `oa_1`; the formula assumes one common SD, so with a
# mixture of groups it reads a few percent low: see `analysis.methods.months`). Non-disadvantaged pupils are also
# compared with non-disadvantaged pupils elsewhere, ASL's second figure.

# %%
elsewhere = months.rank_gaps(pupils, months_per_sd=conversion.months_per_sd, comparison="non_disadvantaged_elsewhere",
                             include_national=False)
tables.show(months.check_against_design(data.synthetic_true_gaps(), pupil_gaps, elsewhere, area="oa_1"))

# %% [markdown]
# ## Public analogue: each area's Progress 8 against England's non-disadvantaged pupils
#
# $gap_{P8}$ = England non-disadvantaged P8 − area group P8 (positive = behind), then
# $gap_{SD} = gap_{P8} / sd_{P8}$ and months as above. Blackpool, Derby and Oldham are whole LAs. Norwich,
# Scarborough and West Somerset are districts: LAIT only has their counties (Norfolk, North Yorkshire,
# Somerset), shown as a **labelled proxy**. What this approximates: published means of all disadvantaged
# (FSM in any of 6 years, or looked after), not the persistently disadvantaged; progress from KS2 (P8), not
# attainment at 16; a mean difference, equal to the rank gap only if P8 is normal.

# %%
la_table = oa.la_gaps(p8, sd_years, months_per_sd=conversion.months_per_sd)
tables.show(la_table.query("year == @year"), columns=["area_name", "figure", "disadvantaged", "england_non_disadvantaged", "gap_disadvantaged_p8", "sd_p8", "gap_disadvantaged_months", "gap_non_disadvantaged_months"])

# %% [markdown]
# ## Has the gap grown since 2016? Against England
#
# Change = gap in months in each year − gap in 2016, for each area and for England's own disadvantage gap
# (England includes the six areas, about 1-2% of pupils: LAIT has no pupil counts to take them out).
# The SD differs between 2016 and 2017, so part of any change in months is the change of scale.

# %%
trend = oa.trend_since(la_table)
tables.show(trend.pivot_table(index="year", columns="area_name", values="change", dropna=False, sort=False), kind="months")

# %% tags=["headline-chart"]
charts.trend_lines(
    oa.trend_chart_table(trend),
    "Disadvantaged pupils' Progress 8 gap, in months, behind England's non-disadvantaged pupils",
    value_label=f"Months ({conversion.months_per_sd:.1f} months per SD)",
    no_data_years=sorted(set(coverage.opportunity_area_years()) - set(oa.years_with_ks4(p8))),
);

# %% [markdown]
# ## District figures from school rows
#
# Schools are placed in districts by the GIAS extract (April 2022): Norwich and Scarborough by administrative
# district; West Somerset, merged into Somerset West and Taunton in 2019, by the 2022 wards of the former
# district (`data/reference/opportunity_area_wards.csv`, documented beside it). Schools that closed or changed
# URN before 2022 are followed to their successor URN (GIAS links) first.

# %%
trimmed = data.read_ks4_trimmed_all_years()
full_schools = oa.school_rows(full_schema, year)
mapping = oa.school_districts(trimmed["urn"].tolist() + full_schools["urn"].tolist(), data.read_gias_schools(),
                              data.read_gias_links())
tables.show(mapping.dropna(subset=["area_id"]).sort_values(["area_id", "urn"]))

# %% [markdown]
# **All-pupil P8 by district** (Norwich, Scarborough, West Somerset), from the trimmed national files (2016,
# 2017 only), weighted by KS4 pupils (the trimmed files have no P8 pupil count). No disadvantaged split.

# %%
district_all = oa.district_p8(trimmed, mapping, group="all", weight="ks4_pupils")
tables.show(district_all)

# %% [markdown]
# **Scarborough's disadvantaged P8**, from North Yorkshire's full-schema file (2017 only: its 2016
# back-columns cover only schools still open under the same URN), weighted by each school's disadvantaged
# P8 pupils. The real district figure, next to the North Yorkshire proxy.

# %%
district_dis = oa.district_p8(full_schools, mapping, group="disadvantaged")
tables.show(district_dis)

# %% [markdown]
# ## The gap in months for the chosen year
#
# One figure per area: the district's own disadvantaged P8 where we have it (Scarborough, 2017), else LAIT
# (whole LA or county proxy, as `basis` says).

# %%
headline = oa.headline(la_table, district_dis, year)
tables.show(headline)

# %% [markdown]
# ## Record the findings
#
# The ASL/EPI progress figures are pupil-level NPD results: recorded as `not-reproducible` (no value), with
# what the public analogue shows beside them. So are ASL's leadership claims (about 18% of schools rated good or
# outstanding for leadership in 2010 rated requires improvement or inadequate by 2016, most often in these
# areas): they need each school's Ofsted inspection history, which no public file here holds. Each note names
# what is needed. Years without KS4 data record no value.

# %%
log.record_all(oa.findings(headline, trend, la_table, year=year, months_per_sd=conversion.months_per_sd,
                           conversion_name=conversion.name, has_ks4=has_ks4))
