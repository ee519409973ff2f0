"""Issue 19 in the default reproduce: notebook 02's Birmingham 2017 reports say whether its first place among
the core cities and in the West Midlands holds across the plausible ranks; 03 shows the funnel plot and the
band comparison.

The expected verdict is worked out here by another route: the normal approximation (no simulation) from LAIT's
own values and DfE's pupil counts read from the raw files. Birmingham holds first place in 95% of draws only if
it is ahead of each other LA with near-certainty; the pairwise z-scores say whether that is so.
"""

from __future__ import annotations

import csv
import json
import math
import re

import pandas as pd
import pytest

from analysis.data import sources

pytestmark = pytest.mark.usefixtures("raw_data_present")
GROUP_SETS = {"core_cities": "2017", "region:West Midlands": "2017--comparator-region"}


def _findings(run, name):
    return pd.DataFrame(json.loads((run / name / "findings.json").read_text()))


def _tpup_2017() -> dict[str, float]:
    (source,) = sources.find("ks4_provisional", 2017)
    with open(sources.path(source.id), newline="", encoding="utf-8-sig") as handle:
        return {r["LEA"].strip(): float(r["TPUP"]) for r in csv.DictReader(handle)
                if r["RECTYPE"].strip() == "4" and r["TPUP"].strip()}


def _lait(indicator: str) -> dict[str, float]:
    raw = pd.read_parquet(sources.path("lait_long"))
    rows = raw[(raw["Years"] == "2017") & (raw["Short Desc"] == indicator)]
    values = pd.to_numeric(rows["Values"], errors="coerce")  # DfE's codes (e.g. "x") are not numbers
    return {str(int(c)).zfill(3): float(v) for c, v in zip(rows["LA Number"], values, strict=True) if v == v}


@pytest.mark.parametrize("group", GROUP_SETS)
def test_birminghams_first_place_verdict_matches_the_normal_approximation(full_run, group):
    found = _findings(full_run, GROUP_SETS[group]).set_index(["id", "key"])
    verdict = found.loc[("first_place_holds_disadvantaged_p8", f"{group}:330"), "value"]
    # the other LAs of the group: notebook 02 records each one's value under its LA code
    others = [key for (fid, key) in found.index if fid == "disadvantaged_p8_la"]
    assert len(others) == len(found.loc[("rank_disadvantaged_p8", group), "value"]) - 1
    value, share, pupils = _lait("DAP_KS4_Prog8"), _lait("Ever6_FSM_Sec"), _tpup_2017()
    sd = 1.229  # 2017's pupil-level SD, backed out of DfE's school intervals (tests/data: 1.23 by another route)

    def se(code):
        return math.hypot(sd / math.sqrt(pupils[code] * share[code] / 100), 0.005 / math.sqrt(3))

    z = min((value["330"] - value[c]) / math.hypot(se("330"), se(c)) for c in others)
    # first in 95% of draws needs P(ahead of all) > 0.975: clearly so when the closest rival is 3.5 SE behind
    if z > 3.5:
        assert verdict == "holds"
    elif z < 1.5:
        assert verdict == "does not hold"
    else:
        pytest.skip(f"closest rival {z:.2f} SE behind: too close to call without the simulation")


@pytest.mark.parametrize("name", GROUP_SETS.values())
def test_the_policy_report_states_the_verdict_with_the_intervals(full_run, name):
    page = (full_run / name / "policy" / "02_la_comparisons.html").read_text()
    points = re.search(r"Main points(.*?)</ul>", page, re.S).group(1)
    assert re.search(r"first place (holds|is not certain)", points)
    assert "plausible ranks" in points
    assert "Plausible ranks by disadvantaged pupils" in page  # the caterpillar chart's title
    assert "with 95% intervals" in page  # the interval chart


def test_school_report_shows_the_funnel_and_the_band_comparison(full_run):
    page = (full_run / "2017" / "policy" / "03_school_progress.html").read_text()
    assert "Funnel plot of" in page  # the funnel chart's alt text
    assert "DfE progress band" in page and "Top 20%" in page  # the band-by-quintile table
