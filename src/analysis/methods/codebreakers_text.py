"""The prose of notebook 04 that carries numbers: templates filled from the recorded findings by
:func:`analysis.methods.narrative.render`, so every number is the run's own (see that module for the syntax)."""

LOW_ATTAINER_READING = """\
Only {national_5acem_low_prior:.1f}% of low prior attainers reach 5ACEM (about one in \
{100 / national_5acem_low_prior:.0f}), so a rise of {half_gap_extra_low_attainers_pct.published:.0f}% among them \
would be about {half_gap_extra_low_attainers / half_gap_extra_low_attainers_pct \
* half_gap_extra_low_attainers_pct.published:r-1} pupils, not {half_gap_extra_low_attainers.published:,.0f}. But \
{half_gap_extra_low_attainers.published:,.0f} is {half_gap_extra_low_attainers_pct.published:.0f}% of about \
{half_gap_extra_low_attainers.published / half_gap_extra_low_attainers_pct.published * 100:r-3} pupils, close to \
the {national_5acem_achievers_all:r-3} pupils of *all* prior attainment who reach 5ACEM here. This suggests the \
report applied the half-gap rule to all pupils' rates (grouped by KS2 intake) and expressed the gain against all \
achievers. The same simulation on all pupils follows.
"""

SUMMARY = """\
Read the numbers with the year in mind: they are for the data year of this run; the report's are for 2012/13.

- **Disadvantaged pupils still do far worse.** {national_5acem_disadvantaged:.1f}% of disadvantaged pupils reach \
five good GCSEs including English and maths, against {national_5acem_other:.1f}% of other pupils (the report: \
"two out of five", {national_5acem_disadvantaged.status}; "more than two thirds", {national_5acem_other.status}).
- **Code-breakers exist.** {code_breaker_share:.1f}% of schools with enough disadvantaged pupils (one in \
{100 / code_breaker_share:.1f}; the report: one in nine, {code_breaker_share.status}) get their disadvantaged \
pupils past the national average for all pupils; {code_breakers_outside_london_share:.0f}% of them are outside \
London (the report: nearly 60%, {code_breakers_outside_london_share.status}). Regions with a code-breaker: \
{code_breakers_every_region} (the report: every part of the country, {code_breakers_every_region.status}). How many \
there are depends on the minimum cohort (see the minimum-cohort table).
- **London's disadvantaged pupils are {(london_disadvantaged_likelihood_ratio - 1) * 100:.0f}% more likely** to \
reach the benchmark than those elsewhere (the report: 38%, {london_disadvantaged_likelihood_ratio.status}).
- **Intake does not decide everything.** The model above shows how much of the variation in disadvantaged \
results the school's KS2 scores and share of disadvantaged pupils explain, and which schools are far above what \
their intake predicts.
- **Closing half the gap** with the top fifth of similar schools would add about \
{half_gap_extra_disadvantaged:r-3} disadvantaged pupils reaching the benchmark each year, \
{half_gap_extra_disadvantaged_pct:.0f}% more than today (the report: \
{half_gap_extra_disadvantaged.published:,.0f} and {half_gap_extra_disadvantaged_pct.published:.0f}%, \
{half_gap_extra_disadvantaged.status}); the sensitivity tables show how the estimate moves with the bands and the \
benchmark.
- **The low-attainer figure** cannot be reproduced as worded: half-closing the gap for low prior attainers adds \
about {half_gap_extra_low_attainers:r-3} of them, {half_gap_extra_low_attainers_pct:.0f}% of their current \
number. Applied to all pupils grouped by KS2 intake it adds about {half_gap_extra_all_pupils_by_ks2:r-3}, \
{half_gap_extra_all_pupils_by_ks2_pct:.0f}% more than today, the scale of the report's \
{half_gap_extra_low_attainers.published:,.0f} and {half_gap_extra_low_attainers_pct.published:.0f}%; the \
report's exact method is not public.
- **League tables (an analogue).** With "falling far" calibrated to the report's 8% of schools nationally (a fall \
of more than {league_far_fall_threshold:.1f} percentile points from the 5ACEM ranking to the best-8 value-added \
ranking), {league_far_fall_share_north_east:.0f}% of North East schools fall far (the report: a fifth, \
{league_far_fall_share_north_east.status}), and the biggest falls are in the {league_biggest_falls_disadvantage} \
fifth of schools by share of disadvantaged pupils (the report: the highest, \
{league_biggest_falls_disadvantage.status}).
"""
