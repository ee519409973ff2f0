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
from analysis.present import charts

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
comparison

# %%
charts.la_vs_england_bars(comparison, f"Progress 8, {academic_year(year)}: {la_name} and England");

# %% [markdown]
# ## The disadvantage gap
#
# The gap is non-disadvantaged minus disadvantaged Progress 8: how much more progress other pupils made.

# %%
gaps = progress8.disadvantage_gap(comparison)
gaps

# %% [markdown]
# ## Every year in the data
#
# KS4 exams were cancelled in 2019/20 and 2020/21, so Progress 8 was not calculated: those years are
# shown as gaps (status `no_data`), never as zeros.

# %%
series = progress8.time_series(p8, la)
series.pivot_table(index="year", columns=["area", "pupil_group"], values="value", dropna=False)

# %%
charts.trend_lines(
    series,
    f"Progress 8 over time: {la_name} and England",
    no_data_years=sorted(set(progress8.available_years(p8)) - set(progress8.years_with_data(p8))),
);

# %% [markdown]
# ## Record the findings
#
# Each headline figure next to its published value (BEP's table 1 for Birmingham 2017); other LAs and
# years have no published figure, so they are recorded as `not-published`.

# %%
log.record_all(progress8.findings(comparison, gaps, la=la))
