"""The league-table analogue of 'Cracking the Code' on hand-made schools."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.methods import league_tables as lt


def _schools() -> pd.DataFrame:
    # ten schools: 5ACEM falls 90..0 while VA rises, so the first schools fall most; % disadvantaged rises
    # with the URN, so the least disadvantaged schools fall most
    return pd.DataFrame({"urn": [f"{i:02d}" for i in range(10)], "school_name": "S",
                         "region": ["North East", "North East"] + ["X"] * 8,
                         "pct_5acem_all": [90.0 - 10 * i for i in range(10)],
                         "best8_va": [1000.0 + i for i in range(10)],
                         "pct_disadvantaged": [5.0 * i for i in range(10)]})


class TestMoves:
    def test_fall_is_attainment_rank_minus_progress_rank(self):
        moves = lt.league_moves(_schools()).set_index("urn")
        # school 00: 5ACEM rank 100 (best of ten), VA rank 10 (worst): falls 90; school 09 rises 90
        assert moves.loc["00", "fall"] == pytest.approx(90.0) and moves.loc["09", "fall"] == pytest.approx(-90.0)
        assert moves.loc["00", "disadvantage_fifth"] == 1 and moves.loc["09", "disadvantage_fifth"] == 5

    def test_rows_without_a_measure_are_left_out(self):
        s = _schools()
        s.loc[0, "best8_va"] = float("nan")
        assert len(lt.league_moves(s)) == 9


class TestThresholdAndSummary:
    def test_calibrated_threshold(self):
        moves = lt.league_moves(_schools())
        # falls 90, 70, ..., -90: the 80th percentile (share 20%) is 54 (np.percentile, linear); 2 schools exceed it
        t = lt.far_fall_threshold(moves, share=20)
        assert t == pytest.approx(54.0)
        summary = lt.league_summary(moves, t).set_index("group")
        assert summary.loc["England", "falling_far_pct"] == 20.0
        assert summary.loc["North East", "falling_far_pct"] == 100.0  # both fallers are the NE's two schools

    def test_default_share_is_the_published_8_percent(self):
        moves = pd.DataFrame({"fall": [float(x) for x in range(101)]})
        assert lt.far_fall_threshold(moves) == pytest.approx(92.0)  # 100 - 8

    def test_biggest_falls_in_the_least_disadvantaged_fifth(self):
        moves = lt.league_moves(_schools())
        assert lt.biggest_falls(lt.league_summary(moves, 50.0)) == "lowest"

    def test_findings_never_test_the_calibration(self):
        moves = lt.league_moves(_schools())
        rows = {r["finding_id"]: r for r in lt.findings(lt.league_summary(moves, 54.0), year=2013, data_note="D.")}
        assert rows["league_far_fall_share"]["value"] is None
        assert rows["league_far_fall_share_north_east"]["value"] == 100.0
        assert rows["league_biggest_falls_disadvantage"]["value"] == "lowest"
