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
# # Schools whose disadvantaged pupils out-progress the national non-disadvantaged average
#
# **Finding (BEP, tables 4 and 5, 2017 revised KS4):** in nine Birmingham non-selective mixed schools,
# disadvantaged pupils made more progress (Progress 8) than non-disadvantaged pupils nationally in both
# 2016 and 2017; three schools were above the national figure on attainment and progress for all and for
# disadvantaged pupils.
#
# **The criterion (as in the source):** a school's disadvantaged P8 is strictly above the *national
# non-disadvantaged* P8 (state-funded schools, the file's own national row) in the year AND the year before.
#
# This notebook runs for any LA and year the data hold. What it can show depends on the data, not the LA:
# a full-schema DfE school file (per-LA, or DfE's national `england_ks4revised.csv`) has every pupil
# group; with only the trimmed national files (all pupils), the same steps run and the disadvantaged
# figures are marked as not in the data.

# %% tags=["parameters"]
year: int = 2017  # academic year END (2017 is 2016/17); the year before is shown too
la: str = "330"  # DfE local authority code, as a string ("330" is Birmingham, "320" is Waltham Forest)
min_pupils: int = 0  # a school's group counts for the criteria only with at least this many P8 pupils (0 means all)
sector: str = "state-funded mainstream"  # or "state-funded special", "independent"; None means no filter
admissions: str = "non-selective"  # or "selective"; None means no filter
gender: str = "mixed"  # or "boys", "girls"; None means no filter
rank_draws: int = 10_000  # simulated draws for the schools' plausible ranks
seed: int = 1  # seed of the draws: the same seed gives the same plausible ranks

# %%
from analysis import data, findings
from analysis.common import academic_year
from analysis.data import coverage, reference
from analysis.methods import funnel, published_schools, schools, stats, uncertainty
from analysis.present import charts, tables, uncertainty_charts

log = findings.FindingsLog("03_school_progress", year=year)
year = reference.validate_year(year, coverage.school_ks4_years())
las = coverage.school_ks4_las()
la = reference.validate_la(la, las)
la_name = reference.la_name(la, las)

# %% [markdown]
# ## Which data cover this LA and year
#
# A full-schema file (role `ks4_school_full`) carries P8 and A8 for all, disadvantaged and non-disadvantaged
# pupils with pupil counts and confidence intervals, for the year and (back-columns) the year before. The
# trimmed national files carry all-pupil P8 and A8 only.

# %%
availability = data.data_availability(year, la)
tables.show(availability)

# %% [markdown]
# ## Load every school record for the two years
#
# Full-schema rows first; the trimmed national files fill (URN, year) pairs the full file lacks, with
# school type, admissions policy and gender from the DfE spine. Measures a file does not carry have status
# `not_in_data`; DfE's own codes (SUPP, NE, NP, NA) are kept as statuses, never turned into numbers.

# %% tags=["review-only"]
results = data.read_results(year, la)
results.groupby(["year", "level", "source_id"]).size().rename("records").reset_index()

# %% [markdown]
# ## National benchmarks: DfE's national state-funded figures
#
# The thresholds are the national state-funded figures (RECTYPE 7, "National (maintained schools)") for each
# year: from the file the LA's schools come from; else from the same national row of any full-schema file held
# for the year (every LA's download carries it); else from LAIT's England row (`NonDAP_KS4_Prog8` and the
# other LAIT indicators). `p8_source` and `a8_source` say which. They are thresholds here; notebook 01
# records them against the published figures.

# %%
full_schema = data.read_full_schema_files(year)
lait = data.read_lait(indicators=list(reference.lait_indicators()["indicator"]))
national = schools.national_benchmarks(results, year, full_schema=full_schema, lait=lait)
tables.show(national)

# %% [markdown]
# ## Confidence intervals: DfE's method and its standard deviation
#
# DfE's 95% interval is P8 ± 1.96 × σ / √n, with n the school's P8 pupils and σ the national standard
# deviation of pupil-level P8 scores for that year. σ is not in the files we hold, so it is backed out of the
# intervals of every full-schema file registered for the year (least squares of half-width on 1/√n; the same
# estimate notebook 05 uses) and checked: if recomputing every interval with it lands within 0.01 of the file
# (two-decimal rounding), the method and σ reproduce DfE. The file's intervals are used where given; one is
# computed only where the file has P8 and n but no interval.

# %%
sd = stats.p8_sd(full_schema)
results = schools.add_confidence_intervals(results, sd)
tables.show(sd)

# %% [markdown]
# ## The LA's schools that pass the filters
#
# The filters apply to the school's record in the year (file's own type, admissions policy and gender
# where it has them, else the spine's).

# %%
selected = schools.select_schools(results, la=la, year=year, sector=sector, admissions=admissions, gender=gender)
tables.show(selected, columns=["urn", "school_name", "sector", "admissions", "gender", "source_id"])

# %% [markdown]
# ## Link each school to its previous-year figures (URN changes)
#
# A school that became an academy gets a new URN, and DfE's back-columns only cover schools open under the
# same URN. Where the school's own URN has no figures for the year before, the predecessor named in GIAS
# links (then the spine's OTHERURN) is used when it has them.

# %%
previous = schools.link_previous_year(selected, results, data.read_gias_links(), data.read_school_spine(), year=year)
tables.show(previous[previous["link"] != "same URN"], empty="Every school has figures under its own URN.")

# %% [markdown]
# ## Each school's P8 and A8 by pupil group, both years
#
# Suppressed or unpublished values show their DfE code (SUPP, NE, NP, NA) or `not_in_data`; `data_urn` is
# the URN the figures come from; `ci_source` says whether the interval is the file's, computed from the P8
# pupils, or `approximate` (a file without P8 pupil counts: computed from its KS4 pupils, a few more).

# %%
panel = schools.school_panel(selected, results, previous, year=year)
tables.show(tables.show_panel(panel))

# %% [markdown]
# ## Schools whose disadvantaged pupils beat the national non-disadvantaged P8 in both years
#
# Sorted by disadvantaged P8 in the year (highest first), then the year before, then name. The benchmark
# columns are the thresholds. Empty when the data lack the disadvantaged split (see the first step).

# %%
beating = schools.beating_benchmark(panel, national, year=year, min_pupils=min_pupils)
tables.show(beating, empty="No school meets the criterion with the data held.")

# %% tags=["headline-chart"]
chart, lines, group_label = schools.ranked(panel, national, year=year)
charts.ranked_bars(chart, "p8", "school_name", f"Progress 8 of {group_label.lower()}, {academic_year(year)}: {la_name} schools",
                   reference_lines=lines, value_label=f"Progress 8 ({group_label.lower()})");

# %% [markdown]
# ## Schools strong on attainment and progress, for all and for disadvantaged pupils
#
# Above the national state-funded figure on A8 and on P8, for all pupils and for disadvantaged pupils,
# in the year (BEP's table 5 criterion as we read it).

# %%
strong = schools.attainment_and_progress(panel, national, year=year, min_pupils=min_pupils)
tables.show(strong, empty="No school meets the criterion with the data held.")

# %% [markdown]
# ## How sure is the schools' ranking? Plausible ranks
#
# Each school's true Progress 8 is drawn from its 95% interval `rank_draws` times (seeded) and the schools ranked
# in every draw; the ranks a school takes in the middle 95% of draws are its plausible ranks. Most schools'
# plausible ranks span many places: a school's place in a league table is mostly not settled by its data.

# %%
school_ranks = uncertainty.rank_simulation(funnel.school_intervals(chart), "school", draws=rank_draws, seed=seed,
                                           code="urn", name="school_name")
tables.show(school_ranks, columns=["rank", "school_name", "value", "plausible_ranks", "p_first"])

# %%
uncertainty_charts.caterpillar(
    school_ranks, f"Plausible ranks of {la_name} schools by Progress 8 of {group_label.lower()}, {academic_year(year)}",
    entity="school",
);

# %% [markdown]
# ## Does each school beat the benchmark by more than chance?
#
# For each school meeting the criterion above, in each year: its disadvantaged Progress 8 and 95% interval
# against the national non-disadvantaged figure. "beats it (interval above)" means the whole interval is above
# the benchmark; "above, within its interval" means the value is above but chance could explain it; a margin of
# 0.01 is a near-tie (the unrounded values may be level).

# %%
benchmark_flags = funnel.benchmark_flags(beating, panel, year=year)
tables.show(benchmark_flags, empty="No school meets the criterion with the data held.")

# %% [markdown]
# ## Funnel plot: schools against England, allowing for cohort size
#
# Every school in England with a Progress 8 (of the chosen sector) against its number of pupils, with the 95%
# and 99.8% limits around the national figure: a school outside them is further from England than chance would
# put it. The LA's schools chosen above are highlighted. The limits use the national pupil-level σ, the same estimate as above (nearest year with intervals);
# files without a P8 pupil count give the school's KS4 pupils instead (`pupils_source`).

# %%
sd_year = stats.sd_by_year(stats.p8_sd(data.read_full_schema_files()), [year])
funnel_all = funnel.school_points(results, year=year, group="all", national=national, sd=sd_year,
                                  highlight=selected["urn"], sector=sector)
tables.show(funnel_all.query("highlight"), columns=["school_name", "p8", "pupils", "low", "high", "outside"])

# %%
uncertainty_charts.funnel_plot(funnel_all, f"Progress 8 of all pupils by school, {academic_year(year)}",
                               la_name=la_name);

# %% [markdown]
# The same for disadvantaged pupils, around England's disadvantaged figure. Only full-schema files have the
# split: the dots are the schools of every such file held for the year.

# %%
funnel_disadvantaged = funnel.school_points(full_schema, year=year, group="disadvantaged", national=national,
                                            sd=sd_year, highlight=selected["urn"])
uncertainty_charts.funnel_plot(funnel_disadvantaged,
                               f"Progress 8 of disadvantaged pupils by school, {academic_year(year)}", la_name=la_name);

# %% [markdown]
# ## DfE's progress bands and the proposed quintiles, for the same schools
#
# DfE's five bands come from each school's interval against zero (well above / above / average / below / well
# below average); the February 2026 consultation proposes quintiles of P8 among all schools in England. How many
# of the LA's schools each method puts in each band:

# %%
tables.show(funnel.band_counts(funnel_all))

# %% [markdown]
# ## Reconciliation: the LA's P8 rebuilt from its school rows
#
# Pupil-weighted mean of the school rows' P8 (weights: P8 pupils; every school row of the LA, special
# schools included) against the file's LA row. The LA row also counts pupils whose schools have no row or no
# published figure (e.g. alternative provision, pupils who left), so the pupil gap and the average P8
# those pupils must have had for the two to agree are shown (range: the LA P8 is rounded to 2 dp).

# %%
reconciliation = schools.reconcile_la(results, la=la, year=year)
tables.show(reconciliation)

# %% [markdown]
# ## Published school figures next to ours
#
# Each school in BEP's tables 4-5, matched to the LA's schools by normalised name (case, punctuation, '&'
# folded; exact match first, else a unique containment match). `published only` marks figures our data
# cannot reproduce (disadvantaged figures without a full-schema file). Schools of other LAs do not match.

# %%
published = published_schools.published_school_figures(panel, results, la=la, year=year)
tables.show(published)

# %% [markdown]
# ## Record the findings
#
# Lists of schools are recorded alphabetically (as the source prints them); the tables above give URNs. The
# funnel counts and the schools that beat the benchmark by more than chance are recorded too (not published).
# Without a full-schema file for the LA the disadvantaged findings have no value: they are recorded as needing
# a public file not held here, and each note names it (DfE's national `england_ks4revised.csv`).

# %%
log.record_all(schools.findings(beating, strong, reconciliation, published, availability, la=la,
                                la_name=la_name, year=year))

# %%
log.record_all(funnel.findings(funnel_all, benchmark_flags, availability, la=la, la_name=la_name, year=year))
