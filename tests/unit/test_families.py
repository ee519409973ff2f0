"""Families of Schools: standardisation, weighting, banding and nearest neighbours on hand-made frames."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.methods import families as F
from analysis.methods import family_views as FV
from analysis.errors import ParameterError
from analysis import data as load
from analysis.present import maps


def _weights(**w):
    return pd.DataFrame({"factor": list(w), "weight_used": list(w.values())})


class TestStandardise:
    def test_population_sd(self):
        # mean 2; population SD = sqrt(((1-2)^2 + 0 + (3-2)^2) / 3) = sqrt(2/3) = 0.81650
        # z = -1/0.8165 = -1.22474, 0, +1.22474
        z = F.standardise(pd.DataFrame({"x": [1.0, 2.0, 3.0]}), ["x"])["x"]
        assert z.tolist() == pytest.approx([-1.224745, 0.0, 1.224745], abs=1e-6)

    def test_missing_stays_missing_and_is_not_counted(self):
        # mean and SD over 10 and 30 only: mean 20, SD 10 -> z -1, +1; the NaN stays NaN
        z = F.standardise(pd.DataFrame({"x": [10.0, np.nan, 30.0]}), ["x"])["x"]
        assert z[0] == pytest.approx(-1) and math.isnan(z[1]) and z[2] == pytest.approx(1)

    def test_constant_column_is_zero(self):
        # SD 0: the factor cannot tell schools apart, so every z is 0 (not a division by zero)
        z = F.standardise(pd.DataFrame({"x": [5.0, 5.0, 5.0]}), ["x"])["x"]
        assert z.tolist() == [0.0, 0.0, 0.0]

    def test_within_groups(self):
        # group A: 1, 3 -> mean 2, SD 1 -> -1, +1; group B: 10, 20 -> mean 15, SD 5 -> -1, +1
        frame = pd.DataFrame({"g": ["A", "A", "B", "B"], "x": [1.0, 3.0, 10.0, 20.0]})
        assert F.standardise(frame, ["x"], by="g")["x"].tolist() == pytest.approx([-1, 1, -1, 1])


class TestPriorAttainment:
    def test_score_minus_progress(self):
        # reading 106 - 2.7 = 103.3; maths 106 - 3.0 = 103.0; mean (103.3 + 103.0) / 2 = 103.15
        ks2 = pd.DataFrame({"urn": ["1"], "read_score": [106.0], "read_progress": [2.7],
                            "mat_score": [106.0], "mat_progress": [3.0]})
        out = F.prior_attainment(ks2).iloc[0]
        assert out["prior_attainment"] == pytest.approx(103.15)
        assert out["prior_attainment_basis"] == "reading+maths"

    def test_one_subject_suppressed(self):
        # reading progress LOWCOV (NaN): maths only, 101 - (-1.0) = 102.0
        ks2 = pd.DataFrame({"urn": ["1"], "read_score": [102.0], "read_progress": [np.nan],
                            "mat_score": [101.0], "mat_progress": [-1.0]})
        out = F.prior_attainment(ks2).iloc[0]
        assert out["prior_attainment"] == pytest.approx(102.0) and out["prior_attainment_basis"] == "maths"


class TestWeightTable:
    def test_missing_factors_renormalised(self):
        # no idaci, no mobility: 0.66 + 0.20 + 0.10 = 0.96 used; 0.66/0.96 = 0.6875, 0.20/0.96 = 0.208333,
        # 0.10/0.96 = 0.1041667, mobility 0
        schools = pd.DataFrame({"prior_attainment": [1.0, 2.0], "fsm_ever6_pct": [3.0, 4.0], "eal_pct": [5.0, 6.0]})
        w = F.weight_table(schools).set_index("factor")
        assert w["weight_used"].tolist() == pytest.approx([0.6875, 0.2083333, 0.1041667, 0.0])
        assert "no data" in w.loc["mobility", "note"] and "idaci" in w.loc["idaci_fsm", "columns_missing"]

    def test_user_columns_are_used(self):
        # every factor has data: weights used = weights requested (they already sum to 1)
        schools = pd.DataFrame({"prior_attainment": [1.0], "fsm_ever6_pct": [3.0], "idaci": [0.2],
                                "eal_pct": [5.0], "mobility": [7.0]})
        w = F.weight_table(schools).set_index("factor")
        assert w["weight_used"].tolist() == pytest.approx([0.66, 0.20, 0.10, 0.04])
        assert w.loc["idaci_fsm", "columns_used"] == "idaci, fsm_ever6_pct"

    def test_all_nan_column_counts_as_missing(self):
        # mobility column present but empty: weight 0; with weights 1 and 1 on the other two -> 0.5, 0.5
        schools = pd.DataFrame({"prior_attainment": [1.0], "eal_pct": [2.0], "mobility": [np.nan]})
        w = F.weight_table(schools, {"prior_attainment": 1, "eal": 1, "mobility": 2}).set_index("factor")
        assert w.loc[["prior_attainment", "eal", "mobility"], "weight_used"].tolist() == pytest.approx([0.5, 0.5, 0])

    @pytest.mark.parametrize("weights", [{"ks1": 1.0}, {"eal": -0.1, "prior_attainment": 1}, {"mobility": 1.0}])
    def test_bad_weights(self, weights):
        with pytest.raises(ParameterError, match="weights"):
            F.weight_table(pd.DataFrame({"prior_attainment": [1.0], "eal_pct": [1.0]}), weights)


class TestFactorScores:
    def test_signs_and_two_column_factor(self):
        # prior 100, 102 -> z -1, +1 (higher = more advantaged, kept);
        # fsm 10, 30 -> z -1, +1 and idaci 0.1, 0.3 -> z -1, +1; mean -1, +1; sign flipped -> +1, -1
        schools = pd.DataFrame({"prior_attainment": [100.0, 102.0], "fsm_ever6_pct": [10.0, 30.0],
                                "idaci": [0.1, 0.3]})
        w = F.weight_table(schools, {"prior_attainment": 0.5, "idaci_fsm": 0.5})
        z = F.factor_scores(schools, w)
        assert z["z_prior_attainment"].tolist() == pytest.approx([-1, 1])
        assert z["z_idaci_fsm"].tolist() == pytest.approx([1, -1])


class TestComposite:
    def test_weighted_sum(self):
        # 0.75 * 1 + 0.25 * (-1) = 0.5
        assert F.composite(pd.DataFrame({"z_a": [1.0], "z_b": [-1.0]}), _weights(a=0.75, b=0.25)).item() == 0.5

    def test_missing_factor_renormalised_for_that_school(self):
        # z_a missing: (0.25 * 2) / 0.25 = 2.0; all missing -> NaN
        out = F.composite(pd.DataFrame({"z_a": [np.nan, np.nan], "z_b": [2.0, np.nan]}), _weights(a=0.75, b=0.25))
        assert out[0] == 2.0 and math.isnan(out[1])


class TestBands:
    def test_near_equal_sizes(self):
        # N=10, n=3: band = floor(r*3/10)+1: r 0-3 -> 1, r 4-6 -> 2, r 7-9 -> 3: sizes 4, 3, 3
        out = F.family_bands(pd.Series(np.arange(10.0)), 3, pd.Series(list("abcdefghij")))
        assert out.value_counts().sort_index().tolist() == [4, 3, 3]
        assert out.tolist() == [1, 1, 1, 1, 2, 2, 2, 3, 3, 3]

    def test_order_and_ties(self):
        # values 2, 1, 2, 3 with tie_break URNs b, x, a, c: order 1(x), 2(a), 2(b), 3(c)
        # ranks: x0 a1 b2 c3; n=2: floor(r*2/4)+1 -> x1 a1 b2 c2
        out = F.family_bands(pd.Series([2.0, 1.0, 2.0, 3.0]), 2, pd.Series(["b", "x", "a", "c"]))
        assert out.tolist() == [2, 1, 1, 2]

    def test_missing_value_gets_no_band(self):
        out = F.family_bands(pd.Series([1.0, np.nan, 2.0]), 2, pd.Series(["a", "b", "c"]))
        assert out.isna().tolist() == [False, True, False] and out.dropna().tolist() == [1, 2]

    @pytest.mark.parametrize("n", [0, 4])
    def test_bad_number_of_families(self, n):
        with pytest.raises(ParameterError, match="n_families"):
            F.family_bands(pd.Series([1.0, 2.0, 3.0]), n, pd.Series(["a", "b", "c"]))


class TestNearestNeighbours:
    @staticmethod
    def _nn(z, k, urns=None, weights=None):
        n = len(next(iter(z.values())))
        schools = pd.DataFrame({"urn": urns or [str(i) for i in range(n)]})
        scores = pd.DataFrame(z)
        w = _weights(**(weights or {c[2:]: 1 / len(z) for c in z}))
        return F.nearest_neighbours(schools, scores, w, k)

    def test_one_factor(self):
        # z 0, 1, 3, 6 (weight 1): |differences|. 0 -> 1 (1); 1 -> 0 (1, vs 2 to "2"); 2 -> 1 (2, vs 3);
        # 3 -> 2 (3)
        nn = self._nn({"z_a": [0.0, 1.0, 3.0, 6.0]}, 1)
        assert nn["neighbour_urn"].tolist() == ["1", "0", "1", "2"]
        assert nn["distance"].tolist() == pytest.approx([1, 1, 2, 3])

    def test_weighted_distance(self):
        # weights 0.5, 0.5. d(0,1) = sqrt(0.5*1^2 + 0.5*1^2) = 1; d(0,2) = sqrt(0.5*0 + 0.5*2^2) = sqrt(2)
        nn = self._nn({"z_a": [0.0, 1.0, 0.0], "z_b": [0.0, 1.0, 2.0]}, 2)
        first = nn[nn["urn"] == "0"]
        assert first["neighbour_urn"].tolist() == ["1", "2"]
        assert first["distance"].tolist() == pytest.approx([1.0, math.sqrt(2)])

    def test_missing_factor_uses_shared_factors(self):
        # school 2 lacks z_b: d(0,2) over z_a only = sqrt(0.5 * 0.5^2 / 0.5) = 0.5, nearer than d(0,1) = 1
        nn = self._nn({"z_a": [0.0, 1.0, 0.5], "z_b": [0.0, 1.0, np.nan]}, 1)
        assert nn.set_index("urn").loc["0", "neighbour_urn"] == "2"
        assert nn.set_index("urn").loc["0", "distance"] == pytest.approx(0.5)

    def test_tie_goes_to_lower_urn(self):
        # school "b" at 1 is 1 away from both "a" (0) and "c" (2): the lower URN "a" wins
        nn = self._nn({"z_a": [0.0, 1.0, 2.0]}, 1, urns=["a", "b", "c"])
        assert nn.set_index("urn").loc["b", "neighbour_urn"] == "a"

    def test_many_tied_schools_still_go_to_the_lowest_urns(self):
        # 20 schools with identical factors (all 0 apart), listed in reverse URN order, and one far away: every
        # tied school's 2 nearest are the two lowest other URNs, however many ties lie beyond the search's
        # first candidates (not oneself): s01 -> s02, s03; s02 -> s01, s03; s03 ... s20 -> s01, s02.
        urns = [f"s{i:02d}" for i in range(20, 0, -1)] + ["far"]
        nn = self._nn({"z_a": [0.0] * 20 + [9.0]}, 2, urns=urns)
        got = nn.groupby("urn")["neighbour_urn"].agg(list)
        assert got["s01"] == ["s02", "s03"] and got["s02"] == ["s01", "s03"]
        assert all(got[f"s{i:02d}"] == ["s01", "s02"] for i in range(3, 21))
        assert got["far"] == ["s01", "s02"]  # all 20 are 9 away: a 20-way tie, lowest URNs first

    @pytest.mark.parametrize(("seed", "blocked"), [(0, False), (1, False), (2, False), (0, True), (1, True)])
    def test_same_as_every_pair_by_hand(self, seed, blocked, monkeypatch):
        # 400 schools, 3 factors on a coarse grid (many exact ties), about 15% of values missing, some schools
        # with no factor: the k-d tree route must give each school the same neighbours and distances as the
        # definition applied to every pair in plain Python (shared factors; ties to the lower URN). Blocked: the
        # schools lacking a factor compared with every school 7 at a time (the last block shorter), not at once.
        if blocked:
            from analysis.methods import neighbours

            monkeypatch.setattr(neighbours, "BLOCK_BYTES", 8 * 400 * 3 * 7)
        rng = np.random.default_rng(seed)
        n, k = 400, 5
        z = rng.integers(-4, 5, (n, 3)) / 2
        z[rng.random((n, 3)) < 0.15] = np.nan
        z[:3] = np.nan
        weights = np.array([0.5, 0.3, 0.2])
        urns = [f"{100000 + i}" for i in rng.permutation(n)]
        nn = self._nn({"z_a": z[:, 0], "z_b": z[:, 1], "z_c": z[:, 2]}, k, urns=urns,
                      weights={"a": 0.5, "b": 0.3, "c": 0.2})
        got = nn.groupby("urn")[["neighbour_urn", "distance"]].agg(list)
        present = ~np.isnan(z)
        filled = np.nan_to_num(z)
        for i in range(n):
            # school i against every school at once (no tree): weighted squared differences over the shared
            # factors, divided by the shared factors' weights
            both = present[i] & present  # (n, 3): the factors i and j both have
            shared = (both * weights).sum(axis=1)
            squares = (both * weights * (filled[i] - filled) ** 2).sum(axis=1)
            others = [j for j in np.flatnonzero(both.any(axis=1)) if j != i]
            distances = np.round(np.sqrt(squares[others] / shared[others]), 12)
            want = sorted(zip(distances.tolist(), [urns[j] for j in others], strict=True))[:k]
            if not want:
                assert urns[i] not in got.index
                continue
            assert got.loc[urns[i], "neighbour_urn"] == [u for _, u in want]
            assert got.loc[urns[i], "distance"] == pytest.approx([d for d, _ in want], abs=1e-12)

    def test_k_capped_and_bad_k(self):
        assert len(self._nn({"z_a": [0.0, 1.0]}, 5)) == 2  # each of 2 schools has only 1 other
        with pytest.raises(ParameterError, match="k_neighbours"):
            self._nn({"z_a": [0.0, 1.0]}, 0)


class TestAgreement:
    def test_share_in_family(self):
        # a (family 1): neighbours b (1), c (2) -> 1/2; c (family 2): neighbours d (2), a (1) -> 1/2;
        # b: neighbour a (1) -> 1
        fam = pd.DataFrame({"urn": ["a", "b", "c", "d"], "family": [1, 1, 2, 2]})
        nn = pd.DataFrame({"urn": ["a", "a", "b", "c", "c"], "neighbour_urn": ["b", "c", "a", "d", "a"]})
        assert F.agreement(fam, nn).to_dict() == {"a": 0.5, "b": 1.0, "c": 0.5}


def _schools(n=12):
    # prior attainment 100..111, FSM falling 40..18, EAL constant: composite ordered by URN
    return pd.DataFrame({
        "urn": [f"{100000 + i}" for i in range(n)], "school_name": [f"School {i}" for i in range(n)],
        "estab": [f"{2000 + i}" for i in range(n)],
        "prior_attainment": np.arange(100.0, 100.0 + n), "fsm_ever6_pct": 40.0 - 2 * np.arange(n),
        "eal_pct": np.full(n, 10.0), "read_progress": np.zeros(n), "read_meet_pct": np.full(n, 60.0),
    })


class TestBuildFamilies:
    def test_families_in_composite_order(self):
        # prior and (negated) FSM both rise with the URN, so the composite does: 12 schools, 4 families of 3
        table, nn, w = F.build_families(_schools(), n_families=4, k=2)
        assert table["family"].tolist() == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]
        assert table["urn"].tolist() == sorted(table["urn"])
        assert (w.set_index("factor").loc["mobility", "weight_used"]) == 0
        # school 1's 2 nearest are 0 and 2 (equal steps either side; both in family 1)
        assert nn[nn["urn"] == "100001"]["neighbour_urn"].tolist() == ["100000", "100002"]

    def test_agreement_summary_chance(self):
        # 12 schools, families of 3: a neighbour is in one's family by chance with p = 2/11
        table, _, _ = F.build_families(_schools(), n_families=4, k=2)
        summary = F.agreement_summary(table).set_index("measure")["value"]
        assert summary.iloc[3] == pytest.approx(2 / 11)


class TestContextualFamilies:
    def test_mobility_missing_gives_empty_table(self):
        assert FV.contextual_families(_schools(), "mobility", 3).empty

    def test_eal_bands(self):
        frame = _schools(4).assign(eal_pct=[40.0, 10.0, 30.0, 20.0])
        # sorted 10 (1), 20 (3), 30 (2), 40 (0); 2 bands -> first two band 1
        out = FV.contextual_families(frame, "eal", 2)
        assert out["urn"].tolist() == ["100001", "100003", "100002", "100000"]
        assert out["family"].tolist() == [1, 1, 2, 2]


class TestFindMySchool:
    def test_view_and_bad_urn(self):
        table, nn, _ = F.build_families(_schools(), n_families=4, k=2)
        view = FV.find_my_school(table, nn, "100000")
        assert view["urn"].tolist() == ["100000", "100001", "100002"] and view["same_family"].all()
        with pytest.raises(ParameterError, match="urn"):
            FV.find_my_school(table, nn, "999999")

    def test_resolve_urn_replaces_visibly(self):
        table, _, _ = F.build_families(_schools(), n_families=4, k=2)
        urn, note = FV.resolve_urn(table, "999999")
        assert urn == "100005" and "999999" in note  # median of 12 ranked: position (12-1)//2 = 5


class TestNationalMeans:
    def test_pupil_weighted(self):
        # reading: (10*50 + 30*70) / 40 = 65; tracking gap (reading and maths only: the "writing" % is the GPS
        # test, so it is not a subject of the gap): school 1 min(50,55) - 40 = 10, school 2 min(70,75) - 60 = 10;
        # GPS 45 / 20 is below both and must not count
        ks2 = pd.DataFrame({"ks2_pupils": [10.0, 30.0], "read_meet_pct": [50.0, 70.0], "gps_meet_pct": [45.0, 20.0],
                            "mat_meet_pct": [55.0, 75.0], "rwm_meet_pct": [40.0, 60.0]})
        out = F.national_means(ks2).set_index("measure")["value"]
        assert out["read_meet_pct"] == 65.0 and out["tracking_gap_pct"] == 10.0 and out["mat_progress"] == 0.0


class TestFamilyMap:
    @staticmethod
    def _map(national_read=66.0, **kw):
        fam = pd.DataFrame({"family": [1, 1, 2, 2, 2], "urn": ["1", "2", "3", "4", "5"],
                            "estab": ["2001", "2002", "2003", "2004", "2005"],
                            "read_progress": [-2.0, 2.0, 0.0, 4.0, 8.0], "read_meet_pct": [40.0, 60.0, 50.0, 70.0, 90.0]})
        national = pd.DataFrame({"measure": ["read_progress", "read_meet_pct"], "value": [0.0, national_read]})
        return maps.family_map(fam, national, "read", col_wrap=6, **kw)

    def test_panels_lines_and_labels(self):
        import matplotlib.pyplot as plt

        fig = self._map()
        panels = [ax for ax in fig.axes if ax.get_visible()]
        assert [ax.get_title() for ax in panels] == ["Family 1", "Family 2"]
        # family 1: mean progress (-2 + 2) / 2 = 0, mean attainment (40 + 60) / 2 = 50; England 0 and 66
        lines = [tuple(line.get_xdata()) if line.get_xdata()[0] == line.get_xdata()[1] else tuple(line.get_ydata())
                 for line in panels[0].lines]
        assert lines == [(0.0, 0.0), (50.0, 50.0), (0.0, 0.0), (66.0, 66.0)]
        # one label per school, ESTAB numbers, in URN order
        assert [a._labels for ax in panels for a in ax.artists] == [["2001", "2002"], ["2003", "2004", "2005"]]
        plt.close(fig)

    def test_limits_cover_points_and_england_line(self):
        import matplotlib.pyplot as plt

        # attainment 40..90 but England at 120: the shared y axis must reach past 120 (5% margins)
        fig = self._map(national_read=120.0)
        low, high = fig.axes[0].get_ylim()
        assert low < 40 and high > 120
        plt.close(fig)

    def test_bad_kind(self):
        with pytest.raises(ParameterError, match="kind"):
            maps.family_map(pd.DataFrame(), pd.DataFrame({"measure": [], "value": []}), "science")


class TestReadUserFactors:
    def test_reads_factors_and_records_the_file(self, tmp_path):
        from analysis.data import dependencies

        path = tmp_path / "factors.csv"
        path.write_text("URN,idaci,mobility\n100,0.25,SUPP\n101,0.5,4\n")
        out = load.read_user_factors(path)
        assert out["urn"].tolist() == ["100", "101"]
        assert out["idaci"].tolist() == [0.25, 0.5] and np.isnan(out.loc[0, "mobility"])
        assert str(path) in dependencies.snapshot()["files"]
