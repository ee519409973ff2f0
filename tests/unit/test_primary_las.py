"""Each primary school's LA (census, else spine) and the schools an LA's families leave out."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.data import primary_las


def _inputs():
    ks2 = pd.DataFrame({"urn": ["1", "2", "3", "4", "5"], "read_meet_pct": [60.0, 70.0, 5.0, np.nan, 80.0]})
    census = pd.DataFrame({"level": ["school"] * 4 + ["national"], "urn": ["1", "3", "4", "5", None],
                           "la_code": ["330", "330", "330", "331", None], "estab": ["2001", "7027", "2003", "2005", "PRI"]})
    spine = pd.DataFrame({"urn": ["2", "5"], "la_code": ["330", "330"], "estab": ["2002", "2005"],
                          "school_name": ["Two", "Five"], "minor_group": ["Academy", "Academy"],
                          "school_type": ["Academy converter", "Academy converter"]})
    links = pd.DataFrame({"urn": ["9"], "linked_urn": ["1"], "linked_name": ["One (closed)"], "link_type": ["Predecessor"]})
    return ks2, census, spine, links


class TestSchoolLas:
    def test_census_first_then_spine(self):
        out = primary_las.school_las(*_inputs(), census_year=2017).set_index("urn")
        # 1: census only (closed before the spine): LA 330, named by its successor's link
        assert out.loc["1", ["la_code", "la_source", "school_name"]].tolist() == ["330", "census 2017", "One (closed)"]
        assert out.loc["2", ["la_code", "la_source"]].tolist() == ["330", "spine"]
        assert out.loc["5", "la_code"] == "331"  # the census wins over the spine's 330
        assert bool(out.loc["3", "is_special"]) and not bool(out.loc["1", "is_special"])  # ESTAB 7027
        assert out["has_ks2_results"].tolist() == [True, True, True, False, True]


class TestExclusions:
    def test_every_left_out_school_has_its_reason(self):
        out = primary_las.exclusions(primary_las.school_las(*_inputs()), "330").set_index("urn")["reason"]
        # 3 special (ESTAB 7xxx), 4 no results, 5 moved to 331 by the census; 1 and 2 are used
        assert sorted(out.index) == ["3", "4", "5"]
        assert out["3"].startswith("special") and out["4"].startswith("no KS2") and "331" in out["5"]
