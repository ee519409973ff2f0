"""DfE's own LA intervals and the compendium's estimates, on the real files (issue 19).

The expected values are read from the raw CSVs with the standard library (another route than the loaders).
"""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from analysis import data
from analysis.data import sources
from analysis.methods import stats, uncertainty

pytestmark = pytest.mark.data

DISADVANTAGED = ("P8MEA_FSM6CLA1A", "P8PUP_FSM6CLA1A", "P8CILOW_FSM6CLA1A", "P8CIUPP_FSM6CLA1A")


def _la_rows(source_id: str) -> list[dict[str, str]]:
    with open(sources.path(source_id), newline="", encoding="utf-8-sig", errors="replace") as handle:
        return [row for row in csv.DictReader(handle) if row["RECTYPE"].strip() == "4"]


@pytest.fixture(scope="module")
def published():
    return data.published_la_intervals(2017)


def test_every_full_schema_la_row_gives_its_disadvantaged_interval(published):
    full = sources.find("ks4_school_full", 2017)
    assert full, "no full-schema file registered for 2017"
    got = published[published["pupil_group"] == "disadvantaged"].set_index("la_code")
    for source in full:
        for row in _la_rows(source.id):
            value, pupils, low, high = (float(row[c]) for c in DISADVANTAGED)
            hit = got.loc[row["LEA"].strip()]
            assert (hit["dfe_value"], hit["dfe_pupils"], hit["dfe_low"], hit["dfe_high"]) == (value, pupils, low, high)


def test_provisional_file_gives_all_pupils_for_the_other_las(published):
    (source,) = sources.find("ks4_provisional", 2017)
    rows = {r["LEA"].strip(): r for r in _la_rows(source.id) if r["P8CILOW"].strip()}
    full_las = {r["LEA"].strip() for s in sources.find("ks4_school_full", 2017) for r in _la_rows(s.id)}
    got = published[published["pupil_group"] == "all"].set_index("la_code")
    for code, row in rows.items():
        if code in full_las:  # the revised figure wins over the provisional one
            assert "provisional" not in got.loc[code, "dfe_source"]
            continue
        assert got.loc[code, "dfe_low"] == float(row["P8CILOW"]) and got.loc[code, "dfe_high"] == float(row["P8CIUPP"])


def test_our_estimate_is_close_to_dfes_own_interval(published):
    """Where DfE gives an LA's disadvantaged interval, the compendium's method (national SD, DfE's own pupil
    count) reproduces its half-width to the two decimals DfE prints; with the estimated pupils (TPUP x the
    census share, assumption A1) the half-width is within 10% of DfE's."""
    from analysis.data import ks4_provisional
    from analysis.methods import la_weights

    sd = float(stats.sd_by_year(stats.p8_sd(data.read_full_schema_files()), [2017])["sd_p8"].iloc[0])
    rows = published[published["pupil_group"] == "disadvantaged"]
    assert len(rows)
    ours = stats.ci_half_width(sd, rows["dfe_pupils"].to_numpy(float))
    theirs = (rows["dfe_high"] - rows["dfe_low"]).to_numpy(float) / 2
    assert np.abs(ours - theirs).max() <= 0.011  # each bound rounded to 2 dp: the half-width to about 0.01
    shares = data.read_lait(indicators=[la_weights.SHARE_INDICATOR])
    weights = la_weights.disadvantaged_weights(
        la_weights.pupils_from_la_rows(ks4_provisional.read_ks4_provisional_la()), shares, 2017).set_index("la_code")
    estimated = stats.ci_half_width(sd, weights.loc[rows["la_code"], "weight"].to_numpy(float))
    assert np.all(np.abs(estimated / ours - 1) < 0.10)


def test_dfe_interval_replaces_the_estimate_in_the_table(published):
    code = published.loc[published["pupil_group"] == "disadvantaged", "la_code"].iloc[0]
    row = published[(published["la_code"] == code) & (published["pupil_group"] == "disadvantaged")].iloc[0]
    values = pd.DataFrame({"la_code": [code], "la_name": ["x"], "disadvantaged": [row["dfe_value"]],
                           "non_disadvantaged": [0.0]})
    weights = pd.DataFrame({"la_code": [code], "ks4_pupils": [1e4], "weight": [1e3]})
    out = uncertainty.la_intervals(values, weights, 1.2, published=published)
    hit = out[out["pupil_group"] == "disadvantaged"].iloc[0]
    assert hit["interval_source"].startswith("DfE") and hit["pupils"] == row["dfe_pupils"]
    # DfE's half-width, widened only by the two-decimal rounding of the value
    assert hit["high"] - hit["value"] == pytest.approx(np.hypot((row["dfe_high"] - row["dfe_low"]) / 2 / 1.96,
                                                                uncertainty.ROUNDING_SD) * 1.96)
