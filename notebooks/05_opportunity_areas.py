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
months_per_sd: str = "epi_gcse_2016"  # preset in analysis.months.PRESETS ("generic_one_year_per_sd" or "epi_gcse_2016")
p8_sd: float = 0.0  # pupil-level SD of Progress 8, or 0 to back it out of DfE confidence intervals
pupil_file: str = ""  # CSV/parquet of pupils (year, area, score, disadvantaged, fsm_share), empty for the synthetic cohort
synthetic_pupils_per_year: int = 200000  # size of each synthetic national cohort
seed: int = 1  # random seed of the synthetic cohort

# %%
import pandas as pd

from analysis import findings, load, months, plots, progress8, reference, sources
from analysis import opportunity_areas as oa

log = findings.FindingsLog("05_opportunity_areas", year=year)

# %% [markdown]
# ## Load Progress 8 and check the year
#
# LAIT holds DfE's published LA and England Progress 8 by disadvantage. KS4 exams were cancelled in 2019/20
# and 2020/21: those years are valid choices but have no Progress 8, so every figure below is empty (NaN)
# for them, never zero.

# %%
lait = load.read_lait(indicators=list(reference.indicator_codes("p8").values()))
p8 = progress8.select_measure(lait, "p8")
year = reference.validate_year(year, months.available_years())
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
# with n the school's P8 pupils. We back it out of every school in North Yorkshire's full-schema file (2017,
# with 2016 back-columns). CIs are rounded to 2 dp, so schools scatter a little; the median is used.

# %%
ks4_ny = load.read_ks4_performance(year=2017, la="815")
sd_table = oa.p8_sd_from_ci(ks4_ny)
sd_table

# %% [markdown]
# The SD changed between 2016 and 2017 (new 9-1 grades in English and maths), so each year uses its own;
# for years after 2017 we hold no CI data and use 2017's (flagged in `basis`), unless `p8_sd` is set.

# %%
sd_years = oa.sd_by_year(sd_table, months.available_years(), override=p8_sd)
sd_years

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
months.presets_table()

# %%
months.calibration_table()

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
pupils = (months.read_pupils(pupil_file) if pupil_file
          else months.synthetic_pupils(synthetic_pupils_per_year, years=(2015,), seed=seed))
pupil_gaps = months.rank_gaps(pupils, months_per_sd=conversion.months_per_sd)
pupil_gaps

# %% [markdown]
# Against the gaps built into the synthetic cohort (area `oa_1`; the formula assumes one common SD, so with a
# mixture of groups it reads a few percent low: see `analysis.months`). Non-disadvantaged pupils are also
# compared with non-disadvantaged pupils elsewhere, ASL's second figure.

# %%
elsewhere = months.rank_gaps(pupils, months_per_sd=conversion.months_per_sd, comparison="non_disadvantaged_elsewhere",
                             include_national=False)
check = months.synthetic_true_gaps().merge(
    pd.concat([pupil_gaps, elsewhere]).query("area == 'oa_1'")[["group", "comparison", "gap_sd", "gap_months"]],
    on=["group", "comparison"], how="left")
check

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
la_table.query("year == @year")

# %% [markdown]
# ## Has the gap grown since 2016? Against England
#
# Change = gap in months in each year − gap in 2016, for each area and for England's own disadvantage gap
# (England includes the six areas, about 1-2% of pupils: LAIT has no pupil counts to take them out).
# The SD differs between 2016 and 2017, so part of any change in months is the change of scale.

# %%
trend = oa.trend_since(la_table)
trend.pivot_table(index="year", columns="area_name", values="change", dropna=False, sort=False).round(1)

# %%
plots.trend_lines(
    trend.assign(area=trend["area_name"], pupil_group="disadvantaged vs England non-disadvantaged",
                 value=trend["gap_disadvantaged_months"]),
    "Disadvantaged pupils' Progress 8 gap, in months, behind England's non-disadvantaged pupils",
    value_label=f"Months ({conversion.name})",
    no_data_years=sorted(set(months.available_years()) - set(oa.years_with_ks4(p8))),
);

# %% [markdown]
# ## District figures from school rows
#
# Schools are placed in districts by the GIAS extract (April 2022): Norwich and Scarborough by administrative
# district; West Somerset, merged into Somerset West and Taunton in 2019, by the 2022 wards of the former
# district (`data/reference/opportunity_area_wards.csv`, documented beside it). Schools that closed or changed
# URN before 2022 are followed to their successor URN (GIAS links) first.

# %%
trimmed = pd.concat([load.read_ks4_trimmed(year=y) for y in sources.years_for("ks4_school_trimmed")], ignore_index=True)
ny_schools = ks4_ny[(ks4_ny["level"] == "school") & (ks4_ny["year"] == 2017)]
mapping = oa.school_districts(pd.concat([trimmed["urn"], ny_schools["urn"]]), load.read_gias_schools(),
                              load.read_gias_links())
mapping.dropna(subset=["area_id"]).sort_values(["area_id", "urn"])

# %% [markdown]
# **All-pupil P8 by district** (Norwich, Scarborough, West Somerset), from the trimmed national files (2016,
# 2017 only), weighted by KS4 pupils (the trimmed files have no P8 pupil count). No disadvantaged split.

# %%
district_all = oa.district_p8(trimmed, mapping, group="all", weight="ks4_pupils")
district_all

# %% [markdown]
# **Scarborough's disadvantaged P8**, from North Yorkshire's full-schema file (2017 only: its 2016
# back-columns cover only schools still open under the same URN), weighted by each school's disadvantaged
# P8 pupils. The real district figure, next to the North Yorkshire proxy.

# %%
district_dis = oa.district_p8(ny_schools, mapping, group="disadvantaged")
district_dis

# %% [markdown]
# ## The gap in months for the chosen year
#
# One figure per area: the district's own disadvantaged P8 where we have it (Scarborough, 2017), else LAIT
# (whole LA or county proxy, as `basis` says).

# %%
headline = oa.headline(la_table, district_dis, year)
headline

# %% [markdown]
# ## Record the findings
#
# The ASL/EPI figures are pupil-level NPD results: recorded as `not-reproducible` (value None), with what the
# public analogue shows beside them. Years without KS4 data record None.

# %%
heads = headline.set_index("area_id")
trends = trend[trend["year"] == year].set_index("area_id")
for area_id, row in heads.iterrows():
    log.record(f"oa_gap_months_{area_id}", row["gap_months"] if has_ks4 else None, key=area_id, unit="months",
               label=f"{row['area_name']}: disadvantaged P8 gap behind England's non-disadvantaged pupils, months",
               section="The gap in months for the chosen year",
               note=f"{row['basis']}; sd_p8 {row['sd_p8']:.3f}, {conversion.months_per_sd:.2f} months per SD "
                    f"({conversion.name}).")
    log.record(f"oa_gap_trend_{area_id}", trends.loc[area_id, "change"] if has_ks4 else None, key=area_id,
               unit="months", label=f"{row['area_name']}: change in that gap since 2016, months",
               section="Has the gap grown since 2016? Against England",
               note=f"LAIT ({'whole LA' if area_id in ('blackpool', 'derby', 'oldham') else 'county proxy'}); "
                    f"England's own change: {trends.loc['england', 'change']:.1f} months.")
nd = la_table.query("year == @year and area_id != 'england'")["gap_non_disadvantaged_months"].mean()
log.record("oa_non_disadvantaged_gap_months", nd if has_ks4 else None, key="opportunity_areas", unit="months",
           label="Non-disadvantaged pupils in the six areas behind England's non-disadvantaged pupils, months",
           section="Public analogue: each area's Progress 8 against England's non-disadvantaged pupils",
           note="Unweighted mean of the six areas (LAIT has no pupil counts; county proxies for the districts).")
public_note = (f"Public analogue for {year}: six-area mean disadvantaged gap "
               f"{headline['gap_months'].mean():.1f} months, non-disadvantaged {nd:.1f} months (P8, not NPD ranks).")
for fid, label in [("asl_persistent_gap_months", "Persistently disadvantaged pupils in the areas behind national non-disadvantaged, months"),
                   ("asl_non_disadvantaged_gap_months", "Non-disadvantaged pupils in the areas behind those elsewhere, months"),
                   ("asl_gap_growth_non_disadvantaged", "Growth of the non-disadvantaged gap 2010-2015, months"),
                   ("asl_gap_growth_persistent", "Growth of the persistently disadvantaged gap 2010-2015, months")]:
    log.record(fid, None, key="opportunity_areas", year=2015, unit="months", label=label,
               section="The pupil-level method (what ASL/EPI did), on a synthetic cohort",
               note="Needs pupil-level NPD ranks, FSM history (persistent disadvantage) and 2010-2015 data: none is "
                    "public. " + (public_note if has_ks4 else f"No KS4 data for {year}."))
log.save()
log.table()
