import numpy as np
import pandas as pd

from analysis.methods import progress8


def _rows():
    # Hand-made: LA 330 and England (970), two years; 2020 has no data ('-').
    data = [
        ("330", "Birmingham", 2017, "all", -0.01), ("330", "Birmingham", 2017, "disadvantaged", -0.18),
        ("330", "Birmingham", 2017, "non_disadvantaged", 0.15), ("970", "England", 2017, "all", -0.03),
        ("970", "England", 2017, "disadvantaged", -0.40), ("970", "England", 2017, "non_disadvantaged", 0.11),
        ("330", "Birmingham", 2020, "all", np.nan), ("970", "England", 2020, "all", np.nan),
    ]
    frame = pd.DataFrame(data, columns=["la_code", "la_name", "year", "pupil_group", "value"])
    frame["status"] = np.where(frame["value"].isna(), "no_data", "reported")
    return frame


class TestLaVsEngland:
    def test_differences(self):
        table = progress8.la_vs_england(_rows(), "330", 2017).set_index("pupil_group")
        # -0.01 - -0.03 = 0.02; -0.18 - -0.40 = 0.22; 0.15 - 0.11 = 0.04
        assert table["difference"].tolist() == [0.02, 0.22, 0.04]


class TestDisadvantageGap:
    def test_gap(self):
        gaps = progress8.disadvantage_gap(progress8.la_vs_england(_rows(), "330", 2017)).set_index("area")
        # Birmingham 0.15 - (-0.18) = 0.33; England 0.11 - (-0.40) = 0.51
        assert gaps.loc["Birmingham", "gap"] == 0.33 and gaps.loc["England", "gap"] == 0.51


class TestTimeSeries:
    def test_no_data_years_stay_as_gaps(self):
        series = progress8.time_series(_rows(), "330")
        gap_rows = series[series["year"] == 2020]
        assert len(gap_rows) == 2 and gap_rows["value"].isna().all()
        assert set(gap_rows["status"]) == {"no_data"}
        assert progress8.years_with_data(_rows()) == [2017]
        assert progress8.available_years(_rows()) == [2017, 2020]
