"""What the data cover: the years and local authorities each notebook can run for, from the registry and the
data themselves (never from a list typed into code). The runner checks ``--year`` and ``--la`` against these
before any notebook starts.
"""

from __future__ import annotations

import pandas as pd

from . import reference, sources


def _p8_lait() -> pd.DataFrame:
    from .lait import read_lait

    return read_lait(indicators=list(reference.indicator_codes("p8").values()))


def lait_p8_years() -> list[int]:
    """Years for which LAIT has KS4 Progress 8 rows (including years whose values are all '-')."""
    return sorted(int(y) for y in _p8_lait()["year"].dropna().unique())


def lait_las() -> pd.DataFrame:
    """Every LA in the LAIT data (code, name, region): the valid ``--la`` values of notebooks 01 and 02."""
    return reference.local_authorities(_p8_lait())


def opportunity_area_years() -> list[int]:
    """LAIT Progress 8 years: the public analogue of notebook 05 starts with Progress 8 itself."""
    return lait_p8_years()


def school_ks4_years() -> list[int]:
    """Years with school-level KS4 files in the registry (full-schema or trimmed)."""
    return sorted(set(sources.years_for("ks4_school_full")) | set(sources.years_for("ks4_school_trimmed")))


def school_ks4_las() -> pd.DataFrame:
    """Every LA the school data cover (code, name): LAs with secondary schools in the spine and the LA list."""
    from .gias import read_school_spine
    from .lait import read_la_code_list

    spine = read_school_spine()
    codes = set(spine.loc[spine["is_secondary"], "la_code"].dropna())
    names = read_la_code_list()[["la_code", "la_name"]]
    return names[names["la_code"].isin(codes)].sort_values("la_code").reset_index(drop=True)


def ks4_5acem_years() -> list[int]:
    """Years with a registered school-level 5ACEM file (notebook 04)."""
    return sources.years_for("ks4_5acem_school")


def ks2_years() -> list[int]:
    """Years with a KS2 school file in the registry (notebook 06)."""
    return sources.years_for("ks2_school_trimmed")


def ks2_las(year: int | None = None) -> pd.DataFrame:
    """LAs (``la_code``, ``la_name``) having at least one school in the KS2 file of ``year`` (default latest)."""
    from .gias import read_school_spine
    from .lait import read_la_code_list
    from .primary import read_ks2_trimmed

    year = year if year is not None else max(ks2_years())
    ks2 = read_ks2_trimmed(year=year)
    spine = read_school_spine()
    codes = set(spine.loc[spine["urn"].isin(ks2["urn"]), "la_code"].dropna())
    names = read_la_code_list()[["la_code", "la_name"]]
    out = names[names["la_code"].isin(codes)].drop_duplicates("la_code")
    return out.sort_values("la_code", kind="stable").reset_index(drop=True)
