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
# # Progress 8 of a local authority against England, by disadvantage
#
# **Finding (BEP, 2017 revised KS4):** Birmingham's Progress 8 was above the national average for all
# pupils (-0.01 vs -0.03), and well above it for disadvantaged pupils (-0.18 vs -0.40).
#
# This notebook reproduces that table from DfE's Local Authority Interactive Tool (LAIT) data for any LA
# and year, shows the gap between disadvantaged and other pupils, and follows the LA over every year in
# the data. Progress 8 is 0 for average national progress; +0.5 means pupils scored, on average, half a
# grade higher per subject than pupils nationally with the same KS2 results.

# %% tags=["parameters"]
year: int = 2017  # academic year END: 2017 means 2016/17
la: str = "330"  # DfE local authority code, as a string: "330" is Birmingham

# %%
from analysis import data, findings
from analysis.common import academic_year
from analysis.data import reference
from analysis.methods import progress8
from analysis.present import charts, tables

log = findings.FindingsLog("01_la_vs_national_p8", year=year)

# %% [markdown]
# ## Load the LAIT data and check the parameters
#
# LAIT holds DfE's published LA, regional and England figures in one long table. The loader keeps "-"
# (no data) as an explicit status and rounds float noise to the published two decimals.

# %%
lait = data.read_lait(indicators=list(reference.lait_indicators()["indicator"]))
p8 = progress8.select_measure(lait, "p8")
las = reference.local_authorities(lait)
la = reference.validate_la(la, las)
la_name = reference.la_name(la, las)
year = reference.validate_year(year, progress8.available_years(p8))
p8.query("year == @year and la_code in [@la, '970']")[["la_name", "pupil_group", "value", "status"]]

# %% [markdown]
# ## Compare the LA with England for each pupil group
#
# "Disadvantaged" = eligible for free school meals in the last six years, or looked after (DfE's
# definition since 2015). The difference is LA minus England: positive means more progress than pupils
# nationally.

# %%
comparison = progress8.la_vs_england(p8, la, year)
tables.show(comparison, columns=["label", "la_value", "la_status", "england_value", "england_status", "difference"],
            labels={"label": "Pupil group", "la_value": la_name})

# %% tags=["headline-chart"]
charts.la_vs_england_bars(comparison, f"Progress 8, {academic_year(year)}: {la_name} and England");

# %% [markdown]
# ## The disadvantage gap
#
# The gap is non-disadvantaged minus disadvantaged Progress 8: how much more progress other pupils made.

# %%
gaps = progress8.disadvantage_gap(comparison)
tables.show(gaps)

# %% [markdown]
# ## The year before
#
# The same comparison a year earlier: the source says the LA's progress was "once again" above England's, and
# its table 4 prints the year before's disadvantaged figures.

# %%
previous = progress8.la_vs_england(p8, la, year - 1)
previous

# %% [markdown]
# ## Attainment 8
#
# The LA's Attainment 8 from LAIT. England's is DfE's national state-funded row of the performance tables
# (RECTYPE 7 in the full-schema school files of the year: the same row in every LA's download), the figure
# the performance tables print; LAIT's England row (`england_lait`) differs slightly for A8 and is used only
# when no such file is held for the year.

# %%
a8 = progress8.select_measure(lait, "a8")
attainment = progress8.attainment_vs_england(a8, data.read_full_schema_files(year), la, year)
attainment

# %% [markdown]
# ## Every year in the data
#
# KS4 exams were cancelled in 2019/20 and 2020/21, so Progress 8 was not calculated: those years are
# shown as gaps (status `no_data`), never as zeros.

# %%
series = progress8.time_series(p8, la)
tables.show(series.pivot_table(index="year", columns=["area", "pupil_group"], values="value", dropna=False), kind="p8")

# %%
charts.trend_lines(
    series,
    f"Progress 8 over time: {la_name} and England",
    no_data_years=sorted(set(progress8.available_years(p8)) - set(progress8.years_with_data(p8))),
);

# %% [markdown]
# ## Record the findings
#
# Each headline figure next to its published value (BEP's table 1, the year-before figures of its table 4 and
# the LA and England rows of its table 5, for Birmingham 2017); other LAs and years have no published figure,
# so they are recorded as `not-published`. The gap is computed from two printed figures, so it is marked
# *derived* and not counted as an independent match.

# %%
log.record_all(progress8.findings(comparison, gaps, previous, attainment, la=la, year=year))
