"""The ledger's headline findings against the raw files read directly with pandas (a route independent of the
library's loaders), or against the source documents (values typed from ../shared/seeds, never pasted output).
The audit behind these numbers: /tmp/audit/REPORT.md (issue 15)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import data as load
from analysis.data import ks4_provisional, sources
from analysis.methods import codebreakers, comparisons, la_weights, league_tables, months, progress8

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def lait_raw():
    raw = pd.read_parquet(sources.path("lait_long"))
    raw["LA"] = raw["LA Number"].astype(int).astype(str).str.zfill(3)
    return raw


def _lait(raw, indicator, year, la):
    hit = raw[(raw["Short Desc"] == indicator) & (raw["Years"] == str(year)) & (raw["LA"] == la)]["Values"]
    return round(float(hit.item()), 2)


@pytest.fixture(scope="module")
def national_raw():
    raw = pd.read_csv(sources.path("ks4_final_2017_320"), dtype=str, encoding="utf-8-sig")
    return raw[raw["RECTYPE"] == "7"].iloc[0]


class TestBepTables1To5:
    # seed 000: table 1 (2017), table 4 (2016 column), table 5 (A8, Birmingham)
    SEED = {("AVG_Prog8_Score", 2017, "330"): -0.01, ("DAP_KS4_Prog8", 2017, "330"): -0.18,
            ("NonDAP_KS4_Prog8", 2017, "330"): 0.15, ("AVG_Prog8_Score", 2017, "970"): -0.03,
            ("DAP_KS4_Prog8", 2017, "970"): -0.40, ("NonDAP_KS4_Prog8", 2017, "970"): 0.11,
            ("NonDAP_KS4_Prog8", 2016, "970"): 0.10, ("DAP_KS4_Prog8", 2016, "970"): -0.38,
            ("DAP_KS4_Prog8", 2016, "330"): -0.14, ("AVG_Attain8_Score", 2017, "330"): 46.1,
            ("DAP_KS4_ATT8", 2017, "330"): 40.1}

    @pytest.mark.parametrize("key", list(SEED))
    def test_lait_holds_the_printed_figure(self, lait_raw, key):
        assert _lait(lait_raw, *key) == self.SEED[key]

    def test_once_again_above_in_2016(self, lait_raw):
        # "once again above national average": 2016 Birmingham 0.00 against England -0.03
        assert _lait(lait_raw, "AVG_Prog8_Score", 2016, "330") > _lait(lait_raw, "AVG_Prog8_Score", 2016, "970")

    def test_national_a8_is_the_performance_tables_row_not_lait(self, lait_raw, national_raw):
        # table 5: England 46.3 / 37.0 = RECTYPE 7 ATT8SCR / ATT8SCR_FSM6CLA1A; LAIT's England row has 46.5 / 37.1
        assert (float(national_raw["ATT8SCR"]), float(national_raw["ATT8SCR_FSM6CLA1A"])) == (46.3, 37.0)
        assert _lait(lait_raw, "AVG_Attain8_Score", 2017, "970") == 46.5

    def test_library_records_the_same(self):
        lait = load.read_lait(indicators=["AVG_Attain8_Score", "DAP_KS4_ATT8", "NonDAP_KS4_ATT8"])
        a8 = progress8.attainment_vs_england(progress8.select_measure(lait, "a8"), load.read_full_schema_files(2017),
                                             "330", 2017).set_index("pupil_group")
        assert a8.loc["all", ["la_value", "england_value"]].tolist() == [46.1, 46.3]
        assert a8.loc["disadvantaged", ["la_value", "england_value"]].tolist() == [40.1, 37.0]


class TestGroupAverages:
    CORE = ["330", "383", "352", "373", "801", "892", "341", "391"]

    def _by_hand(self, lait_raw, codes):
        prov = pd.read_csv(sources.path("ks4_provisional_2017"), dtype=str, encoding="utf-8-sig")
        tpup = pd.to_numeric(prov[prov["RECTYPE"] == "4"].set_index("LEA")["TPUP"].str.strip(), errors="coerce")
        w = np.array([tpup[c] * _lait(lait_raw, "Ever6_FSM_Sec", 2017, c) for c in codes])
        y = np.array([_lait(lait_raw, "DAP_KS4_Prog8", 2017, c) for c in codes])
        return float((w * y).sum() / w.sum())

    def test_core_cities(self, lait_raw):
        by_hand = self._by_hand(lait_raw, self.CORE)
        assert by_hand == pytest.approx(-0.3605, abs=5e-5) and round(by_hand, 2) == -0.36  # BEP table 2: -0.36
        lait = load.read_lait(indicators=["DAP_KS4_Prog8", "NonDAP_KS4_Prog8", "AVG_Prog8_Score", "Ever6_FSM_Sec"])
        p8 = progress8.select_measure(lait, "p8")
        group = comparisons.comparison_group("core_cities", "330", load_las(lait))
        weights = la_weights.disadvantaged_weights(
            la_weights.pupils_from_la_rows(ks4_provisional.read_ks4_provisional_la(2017)),
            lait[lait["indicator"] == "Ever6_FSM_Sec"], 2017)
        table = comparisons.group_average_table(comparisons.group_values(p8, group, 2017), weights, group, p8, 2017)
        assert table.set_index("kind").loc["estimate", "value"] == pytest.approx(by_hand, abs=1e-9)

    def test_west_midlands(self, lait_raw):
        wm = lait_raw.loc[(lait_raw["Region"] == "West Midlands") & (lait_raw["LA"].str.match(r"[3-9]\d\d"))
                          & (lait_raw["LA"] != "984"), "LA"].unique()
        assert len(wm) == 14  # BEP table 3 lists 14 LAs
        by_hand = self._by_hand(lait_raw, sorted(wm))
        assert round(by_hand, 2) == -0.39  # BEP table 3 "West Midlands Average" -0.39 (DfE's own region row too)


def load_las(lait):
    from analysis.data import reference

    return reference.local_authorities(lait)


class TestLeagueTableAnalogue:
    @pytest.fixture(scope="class")
    @staticmethod
    def raw():
        f = pd.read_csv(sources.path("ks4_5acem_2014"), dtype=str, encoding="cp1252")
        s = f[f["RECTYPE"] == "SCH"].drop_duplicates()
        for c in ("PTAC5EM_PTQ", "B8VAMEA_PTQ", "PTFSMCLA"):
            s[c] = pd.to_numeric(s[c], errors="coerce")
        s = s.dropna(subset=["PTAC5EM_PTQ", "B8VAMEA_PTQ", "PTFSMCLA"]).copy()
        s["fall"] = s["PTAC5EM_PTQ"].rank(pct=True) * 100 - s["B8VAMEA_PTQ"].rank(pct=True) * 100
        return s

    def test_same_schools_and_north_east_share(self, raw):
        t = float(np.percentile(raw["fall"], 92))  # calibrated to the report's 8%
        ne = raw[raw["REGION"] == "North East"]
        by_hand = 100 * (ne["fall"] > t).mean()
        moves = league_tables.league_moves(codebreakers.school_rows(load.read_ks4_5acem(year=2014)))
        assert len(moves) == len(raw) == 3028 and (moves["region"] == "North East").sum() == len(ne) == 149
        summary = league_tables.league_summary(moves, league_tables.far_fall_threshold(moves)).set_index("group")
        assert summary.loc["North East", "falling_far_pct"] == pytest.approx(by_hand)
        # "a fifth of schools in the North East" (18.2% to 22.2%): the analogue's 14% is outside
        assert not 100 / 5.5 <= by_hand <= 100 / 4.5

    def test_falls_run_against_disadvantage(self, raw):
        # "the schools with the biggest falls are those with the greatest proportion of disadvantaged students":
        # in the analogue the fall and the % disadvantaged are negatively correlated (the claim is contradicted)
        assert raw["fall"].corr(raw["PTFSMCLA"]) < -0.3


class TestMonthsCalibration:
    def test_pupil_counts_from_the_national_row(self, national_raw):
        # RECTYPE 7, 2016 back-columns: P8PUP_16 and P8PUP_FSM6CLA1A_16
        c = months.calibration_inputs()
        assert (c["all_pupils"], c["disadvantaged_pupils"]) == (float(national_raw["P8PUP_16"]),
                                                                float(national_raw["P8PUP_FSM6CLA1A_16"]))
        assert (c["published_months"], c["gap_index"]) == (19.3, 3.78)  # EPI 2017; DfE SFR 03/2017
