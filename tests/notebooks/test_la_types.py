"""Notebook 02 for a sample of LA types, each with another comparator (a London borough against its statistical
neighbours, a shire county against an explicit list, a unitary with the default core cities and the declared
region run, a metropolitan district that is not a core city against its region): each run succeeds, writes its
own report set, and the chosen LA is part of its comparison group
("Waltham Forest against the core cities"). Every LA with every comparator is checked at library level in
tests/data/test_sweep.py; here the notebook, the runner and the report sets are.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.pipeline import runner

pytestmark = pytest.mark.usefixtures("raw_data_present")
LAS = {"320": "Waltham Forest", "850": "Hampshire", "890": "Blackpool", "335": "Walsall"}
#: (LA, comparator parameter or None for the default) -> the report set it writes
RUNS = {("320", "statistical_neighbours"): "2017--comparator-statistical_neighbours--la-320",
        ("850", "850,851,852"): "2017--comparator-850,851,852--la-850",
        ("890", None): "2017--la-890",
        ("890", "region"): "2017--comparator-region--la-890",
        ("335", "region"): "2017--comparator-region--la-335"}


@pytest.fixture(scope="session")
def runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("la-types")
    for (la, comparator), _ in RUNS.items():
        if (la, comparator) == ("890", "region"):
            continue  # the declared extra run of 890's default one
        runner.run(la=la, only=["02_la_comparisons"], params={"comparator": comparator} if comparator else None,
                   out=out, jobs=2, progress=False, log=lambda m: None)
    return out


@pytest.mark.parametrize(("la", "comparator"), list(RUNS))
def test_every_la_type_runs_with_its_comparator(runs, la, comparator):
    name = RUNS[(la, comparator)]
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


def test_an_explicit_list_is_exactly_those_las(runs):
    found = pd.DataFrame(json.loads((runs / RUNS[("850", "850,851,852")] / "findings.json").read_text()))
    ranked = found.set_index("id").loc["rank_disadvantaged_p8", "value"]
    assert sorted(ranked) == sorted(["Hampshire", "Portsmouth", "Southampton"])
