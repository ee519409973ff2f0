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
# # Families of Schools: similar-school families for primary schools
#
# **Source (BEP, Birmingham Families of Schools, Primary 2016/17):** all Birmingham primary schools were
# grouped into **22 families** "according to prior attainment and context", with "the same method as the
# Department for Education used" for the London/City Challenge Families of Schools: prior attainment 66%,
# income deprivation (IDACI) and free school meals 20%, English as an additional language 10%, mobility 4%.
# Each family has a characteristics sheet, an attainment sheet, three performance maps (attainment against
# progress in reading, writing and maths) and a tracking map.
#
# This notebook rebuilds the families from public DfE files for any LA and year, and adds a "schools like
# yours" view: each school's nearest neighbours on the same weighted factors. What the public files cannot
# give is said where it matters and recorded as such: IDACI and pupil mobility per school (not public), pupils'
# ethnicity per school and attainment by pupil group (public DfE files not held here), and **writing
# attainment**: the KS2 file held has writing *progress*, but its "Writing" % and score columns are the grammar,
# punctuation and spelling (GPS) test, and writing teacher assessment is not in it (DfE's KS2 school-level
# performance tables download, `england_ks2final.csv`, has it: `PTWRITTA_EXP`, `PTWRITTA_HIGH`).

# %% tags=["parameters"]
year: int = 2016  # academic year END of the KS2 results (2016 is 2015/16)
la: str = "330"  # DfE local authority code, as a string ("330" is Birmingham)
n_families: int = 22  # number of near-equal families (BEP: 22)
weights: dict = {"prior_attainment": 0.66, "idaci_fsm": 0.20, "eal": 0.10, "mobility": 0.04}  # BEP/DfE weights
k_neighbours: int = 10  # nearest neighbours per school in the "schools like yours" view
urn: str = "103263"  # school for "find my school" (a URN, as a string; 103263 is a Birmingham primary)
user_factors_file: str = ""  # optional CSV: urn plus extra factor columns (idaci, mobility) to use

# %%
from analysis import data, findings
from analysis.data import coverage, primary_las, reference
from analysis.methods import families, family_views
from analysis.present import maps, prose, tables

log = findings.FindingsLog("06_families_of_schools", year=year)

# %% [markdown]
# ## Load the schools and check the parameters
#
# One row per school with KS2 results (at least one published % meeting the expected standard) in the LA:
# KS2 results from the national KS2 file; the school's LA from the January school census (its `LA` column),
# else from DfE's c.2019 school spine (URN join; a school that closed or changed URN before the spine's
# snapshot is not in it: assumption A12); pupils, gender, SEN, EAL and FSM ever-6 from the census, absence
# from the absence file. The census and absence files are the registry's closest to the KS2 year (shown
# below). Special schools are left out: their intakes are not comparable with mainstream schools'.
#
# **Prior attainment.** The KS2 file has no KS1 column. But a school's KS2 progress score is its pupils'
# average score minus the national average score of pupils with the same KS1 results, so *average scaled
# score minus progress score* is the school's average **expected** KS2 score given its pupils' KS1 results:
# the prior-attainment measure DfE uses to find "similar schools". We take it for reading and maths and
# average the two. Writing is teacher-assessed (no scaled score; the file's "Writing Score" is the GPS test's),
# so writing has no expected score on the same scale and is left out. Published scores are whole
# numbers and progress has one decimal, so the measure is good to about half a point.

# %%
year = reference.validate_year(year, coverage.ks2_years())
las = coverage.ks2_las(year)
la = reference.validate_la(la, las)
la_name = reference.la_name(la, las)
schools = families.intake_measures(data.read_primary_schools(year, la=la, user_factors_file=user_factors_file or None))
data.context_years(year)

# %%
tables.show(schools, columns=["urn", "school_name", "prior_attainment", "read_expected", "mat_expected", "fsm_ever6_pct", "eal_pct"])

# %% [markdown]
# ## Schools left out, and why
#
# Every school of the LA (by the census, or by the spine) that the families leave out, with its reason: no KS2
# results published, a special school, or placed in another LA by the census.

# %%
tables.show(primary_las.read_primary_exclusions(year, la=la))

# %% [markdown]
# ## Which factors the data has, and the weights used
#
# IDACI (income deprivation affecting children) and pupil mobility are **not in the public school files**.
# The IDACI-and-FSM factor is measured by FSM ever-6 alone, and mobility has no data: its weight is set to 0
# and the other weights are scaled up in proportion so they still sum to 1. A user who has IDACI or mobility
# per school can pass a CSV (`user_factors_file`, columns `urn`, `idaci`, `mobility`): the columns are then
# used with their weights.

# %%
weight_table = families.weight_table(schools, weights)
tables.show(weight_table)

# %% [markdown]
# ## Build the families
#
# Each factor is z-standardised across the LA's schools (mean 0, SD 1), signed so that higher means a more
# advantaged intake (higher prior attainment, less FSM, fewer EAL pupils), and combined with the weights
# into a composite. Schools are sorted on the composite (ties by URN) and cut into `n_families` near-equal
# bands: family 1 has the lowest composite (most challenging intake). A school missing a factor has the
# other weights renormalised for it (`factors_missing` says which).

# %%
fam, neighbours, weight_table = families.build_families(schools, n_families=n_families, weights=weights,
                                                         k=k_neighbours)
sizes = families.family_sizes(fam)
tables.show(sizes)

# %% [markdown]
# ## The families table
#
# Every school, its family, its factor values and z-scores, and its sheet values; saved as a CSV beside the
# report (`tables/06_families_of_schools/families_<la>_<year>.csv`).

# %%
log.save_table(fam, f"families_{la}_{year}")
tables.show(fam, columns=["family", "urn", "school_name", "composite", "z_prior_attainment", "z_idaci_fsm", "z_eal",
                          "prior_attainment", "fsm_ever6_pct", "eal_pct", "factors_missing"])

# %% [markdown]
# ## Bands and nearest neighbours: how far they agree
#
# Bands on a single composite can separate two schools that are close on every factor but sit either side
# of a cut, and can join schools with the same composite but different profiles (high prior attainment and
# high FSM against the reverse). The nearest neighbours use the distance on all weighted factors instead.
# The share of a school's k nearest neighbours that fall in its own family measures the agreement.

# %%
tables.show(families.agreement_summary(fam))

# %% [markdown]
# ## Characteristics sheets
#
# Per family: pupils on roll, % girls, FSM ever-6, EAL, SEN (statement/EHC plan and SEN support), prior
# attainment and absence. The family means are below; every school's values are in the families table
# (and CSV). Two of BEP's breakdowns are missing: pupils' **ethnicity** (in DfE's "Schools, pupils and their
# characteristics" school-level data, not held here) and **mobility** (not in any public school file).

# %%
tables.show(family_views.family_means(fam, family_views.CHARACTERISTICS))

# %% [markdown]
# ## Attainment sheets
#
# Per family: % meeting the expected standard and progress in reading and maths; writing progress; the
# grammar, punctuation and spelling (GPS) test's % meeting the expected standard (the file's "Writing" %
# columns); and combined reading, writing and maths (RWM, expected and higher standard). Writing teacher
# assessment is not in the file held. BEP's "combined attainment in some of the contextual groups" (e.g.
# disadvantaged pupils) needs DfE's full KS2 school-level file (`england_ks2final.csv`), not held here.

# %%
tables.show(family_views.family_means(fam, family_views.ATTAINMENT))

# %% [markdown]
# ## Performance maps
#
# Attainment (% meeting the expected standard) against progress, one panel per family. Dashed lines: the
# family's mean; dotted lines: England's (progress 0 by definition; attainment the pupil-weighted mean of all
# schools). Points carry the school's ESTAB number (its DfE number within the LA, in the families table).
# Reading and maths only: BEP's writing map needs writing attainment (teacher assessment), which the file held
# does not have (its "Writing" % is the GPS test), so there is no writing map.

# %%
national = families.national_means(data.read_ks2_trimmed(year=year))
tables.show(national)

# %% tags=["headline-chart"]
maps.family_map(fam, national, "read", title=f"{la_name} {year}: reading attainment against progress");

# %% tags=["review-only"]
maps.family_map(fam, national, "mat", title=f"{la_name} {year}: maths attainment against progress");

# %% [markdown]
# ## Tracking maps
#
# Combined RWM attainment against the gap between the school's weaker of reading and maths and RWM: a large
# gap means many pupils who reach the standard in their weaker subject still miss it in another, i.e.
# attainment is uneven across subjects. BEP's map uses the lowest of reading, writing and maths; without
# writing teacher assessment in the file held, the weaker of reading and maths stands in (writing can only
# make the true gap larger).

# %%
maps.family_map(fam, national, "tracking", title=f"{la_name} {year}: tracking map");

# %% [markdown]
# ## Contextual families: EAL and mobility
#
# Like BEP's extra families, schools banded on one contextual factor alone. EAL: the census share of pupils
# whose first language is not English. Mobility: **not available** in the public files, so there is no
# mobility family unless a user file supplies a `mobility` column (the table is then filled).

# %%
eal_families = family_views.contextual_families(schools, "eal", n_families)
tables.show(family_views.contextual_summary(eal_families))

# %%
mobility_families = family_views.contextual_families(schools, "mobility", n_families)
tables.show(family_views.contextual_summary(mobility_families), empty="No mobility data in the public files: no mobility families.")

# %% [markdown]
# ## Find my school
#
# The school given by `urn`, its family and its k nearest neighbours (distance on the weighted standardised
# factors), with whether each neighbour is in the same family. Then its family's four maps, labelled by name.

# %%
my_urn, urn_note = family_views.resolve_urn(fam, urn)
prose.note(urn_note)

# %%
tables.show(family_views.find_my_school(fam, neighbours, my_urn))

# %%
my_family = family_views.family_of(fam, my_urn)
tables.show(family_views.family_sheet(fam, my_family))

# %%
maps.family_map(fam[fam["family"] == my_family], national, "tracking", label="school_name",
                    title=f"Family {my_family} tracking map");

# %% [markdown]
# ## Record the findings
#
# The number of families (22) and the weights are BEP's, used here as parameters: they are inputs, not
# findings (a count equal to its parameter could never differ). The number of schools and family sizes are not
# published. What BEP describes but the public files cannot give (the grouping with IDACI and mobility, the
# mobility families and sheet, ethnicity, attainment by pupil group, the writing and full tracking maps) is
# recorded with no value, and each note names what is needed; the EAL families are built, but BEP's own are
# in its document, not held here, so there is nothing to compare them with.

# %%
log.record_all(families.findings(fam, sizes, eal_families, mobility_families, la=la, la_name=la_name))
