"""Notebook 02 run for a sample of LA types (a London borough, a shire county, a unitary, a metropolitan
district that is not a core city) with every comparator: each run succeeds, writes its own report set, and the
chosen LA is part of its comparison group ("Waltham Forest against the core cities")."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.methods import comparisons
from analysis.pipeline import runner

pytestmark = pytest.mark.usefixtures("raw_data_present")
LAS = {"320": "Waltham Forest", "850": "Hampshire", "890": "Blackpool", "336": "Wolverhampton"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("la-types")
    for la in LAS:  # the default comparator and the declared region run, then statistical neighbours
        runner.run(la=la, only=["02_la_comparisons"], out=out, jobs=2, progress=False, log=lambda m: None)
        runner.run(la=la, only=["02_la_comparisons"], params={"comparator": "statistical_neighbours"}, out=out,
                   jobs=2, progress=False, log=lambda m: None)
    return out


@pytest.mark.parametrize("la", LAS)
@pytest.mark.parametrize("comparator", comparisons.COMPARATORS)
def test_every_la_type_with_every_comparator(runs, la, comparator):
    name = "2017--" + "--".join(([f"comparator-{comparator}"] if comparator != "core_cities" else []) + [f"la-{la}"])
    manifest = json.loads((runs / name / "manifest.json").read_text())
    assert manifest["report_set"]["parameters"]["la"] == la and not manifest["report_set"]["default"]
    found = pd.DataFrame(json.loads((runs / name / "findings.json").read_text())).set_index("id")
    ranked = found.loc["rank_disadvantaged_p8", "value"]
    assert LAS[la] in ranked  # the chosen LA is in the group it is ranked against
    assert found.loc["la_rank", "value"].split(" of ")[1] == str(len(ranked))
    assert (runs / name / "policy" / "02_la_comparisons.html").stat().st_size > 10_000
    # issue 19: the chosen LA's plausible ranks are recorded, out of the same number of LAs
    plausible = found.loc["plausible_ranks_disadvantaged_p8", "value"]
    low, high = (int(x) for x in plausible.split(" of ")[0].split(" to "))
    assert 1 <= low <= high <= len(ranked) and plausible.endswith(f"of {len(ranked)}")
