"""Sentences from the findings table: every number comes from a recorded finding."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.methods import codebreakers_text, narrative


def _table() -> pd.DataFrame:
    return pd.DataFrame({"id": ["extra", "pct", "ratio", "name", "rank", "rank"],
                         "key": ["england", "england", "london", "england", "core_cities:330", "region:X:330"],
                         "value": [15477.7, 28.3, 1.427, "St Alban's <b>", "1 of 8", "1 of 14"],
                         "published": [14000.0, 25.0, 1.38, None, "1 of 8", "1 of 14"],
                         "status": ["differs", "differs", "differs", "not-published", "match", "match"]})


class TestRender:
    def test_formats_and_fields(self):
        out = narrative.render(_table(), "{extra:r-3} ({pct:.0f}%, published {pct.published:.0f}%: {pct.status})")
        assert out == "15,000 (28%, published 25%: differs)"  # 15477.7 rounded to the thousand

    def test_arithmetic(self):
        # (1.427 - 1) * 100 = 42.7 -> "43"; 14000 / 25 * 100 = 56,000
        assert narrative.render(_table(), "{(ratio - 1) * 100:.0f}") == "43"
        assert narrative.render(_table(), "{extra.published / pct.published * 100:,.0f}") == "56,000"

    def test_key_with_colons_and_text_escaped(self):
        assert narrative.render(_table(), '{rank["region:X:330"]}') == "1 of 14"
        assert narrative.render(_table(), "{name}") == "St Alban&#x27;s &lt;b&gt;"

    def test_missing_value_and_ambiguous_id(self):
        assert narrative.render(_table(), "{name.published}") == "–"
        with pytest.raises(KeyError, match="give the key"):
            narrative.render(_table(), "{rank}")

    def test_only_finding_ids_and_numbers(self):
        with pytest.raises(ValueError, match="cannot read"):
            narrative.render(_table(), "{__import__('os')}")

    def test_shows_as_markdown(self):
        assert narrative.render(_table(), "**{pct:.1f}**")._repr_markdown_() == "**28.3**"


class TestCodebreakersTemplatesUseOnlyRecordedIds:
    def test_every_field_names_a_finding_of_notebook_04(self):
        import re

        ids = set()
        for template in (codebreakers_text.SUMMARY, codebreakers_text.LOW_ATTAINER_READING):
            for field in re.findall(r"\{([^{}]+)\}", template):
                ids |= set(re.findall(r"[a-z][a-z0-9_]+", field.split(":")[0])) - {"published", "status", "value"}
        # the ids notebook 04 records (codebreakers.findings), typed here from that function
        recorded = {"national_5acem_disadvantaged", "national_5acem_other", "code_breaker_share",
                    "code_breakers_outside_london_share", "code_breakers_every_region",
                    "london_disadvantaged_likelihood_ratio", "half_gap_extra_disadvantaged",
                    "half_gap_extra_disadvantaged_pct", "half_gap_extra_low_attainers",
                    "half_gap_extra_low_attainers_pct", "half_gap_extra_all_pupils_by_ks2",
                    "half_gap_extra_all_pupils_by_ks2_pct", "national_5acem_low_prior", "national_5acem_achievers_all",
                    "league_far_fall_threshold", "league_far_fall_share_north_east",
                    "league_biggest_falls_disadvantage"}
        assert ids <= recorded, ids - recorded
