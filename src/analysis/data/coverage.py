"""What the data cover: for each notebook, the years and local authorities it can run for, and for any other
(year, LA) the reason it cannot, all computed from the registry and the data (never from a list typed into
code). The runner asks these before any notebook starts: ``compendium run`` skips (or refuses) with the reason,
and ``compendium choices`` shows them as a year x notebook matrix.

A coverage function takes ``(year, la)`` and returns ``None`` when the notebook can run, else one sentence
saying why not.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from .. import paths
from ..common import isin
from . import reference, sources


def _span(years) -> str:
    """'2016-2019, 2022-2024' from a list of years.

    >>> _span([2016, 2017, 2018, 2022])
    '2016-2018, 2022'
    """
    years = sorted({int(y) for y in years})
    if not years:
        return "none"
    runs, start, prev = [], years[0], years[0]
    for y in years[1:]:
        if y != prev + 1:
            runs.append(f"{start}-{prev}" if prev != start else str(start))
            start = y
        prev = y
    runs.append(f"{start}-{prev}" if prev != start else str(start))
    return ", ".join(runs)


@lru_cache(maxsize=1)
def _p8_lait() -> pd.DataFrame:
    """LAIT's Progress 8 rows; cached as a small table of their own, so planning a run (which asks what each
    notebook can run for) need not read the whole LAIT table."""
    from .cache import cached

    def build() -> pd.DataFrame:
        from .lait import read_lait

        return read_lait(indicators=list(reference.indicator_codes("p8").values()))

    return cached(sources.path("lait_long"), "coverage_p8", build,
                  depends_on=[sources.path("lait_dictionary"), paths.REFERENCE / "dfe_status_codes.csv",
                              paths.REFERENCE / "lait_indicators.csv"])


@lru_cache(maxsize=1)
def _p8_reported() -> frozenset[tuple[int, str]]:
    """(year, LA code) pairs with at least one reported Progress 8 value in LAIT (England is code 970)."""
    rows = _p8_lait()
    rows = rows[rows["status"] == "reported"]
    return frozenset(zip(rows["year"].astype(int), rows["la_code"], strict=True))


@lru_cache(maxsize=1)
def _england_p8_years() -> list[int]:
    return sorted({y for y, la in _p8_reported() if la == reference.ENGLAND_CODE})


# ------------------------------------------------------------------------------------ the valid choices
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


@lru_cache(maxsize=1)
def school_ks4_las() -> pd.DataFrame:
    """Every LA the school data cover (code, name): LAs with secondary schools in the spine and the LA list."""
    from .cache import cached

    def build() -> pd.DataFrame:
        from .gias import read_school_spine
        from .lait import read_la_code_list

        spine = read_school_spine()
        codes = set(spine.loc[spine["is_secondary"], "la_code"].dropna())
        names = read_la_code_list()[["la_code", "la_name"]]
        return names[names["la_code"].isin(codes)].sort_values("la_code").reset_index(drop=True)

    # cached as the KS2 one below: planning asks for it, and a plan whose tables are all built then imports
    # neither the readers nor pandera
    return cached(sources.path("school_spine_2019"), "coverage_ks4_las", build,
                  depends_on=[sources.path("la_code_list")])


def ks4_5acem_years() -> list[int]:
    """Years with a registered school-level 5ACEM file (notebook 04)."""
    return sources.years_for("ks4_5acem_school")


def ks2_years() -> list[int]:
    """Years with a KS2 school file in the registry (notebook 06)."""
    return sources.years_for("ks2_school_trimmed")


@lru_cache(maxsize=8)
def ks2_las(year: int | None = None) -> pd.DataFrame:
    """LAs (``la_code``, ``la_name``) having at least one school in the KS2 file of ``year`` (default latest)."""
    from .cache import cached

    year = year if year is not None else max(ks2_years())

    def build() -> pd.DataFrame:
        from .gias import read_school_spine
        from .lait import read_la_code_list
        from .primary import read_ks2_trimmed

        ks2 = read_ks2_trimmed(year=year)
        spine = read_school_spine()
        codes = set(spine.loc[isin(spine["urn"], ks2["urn"]), "la_code"].dropna())  # 16k URNs: pyarrow's lookup
        names = read_la_code_list()[["la_code", "la_name"]]
        out = names[names["la_code"].isin(codes)].drop_duplicates("la_code")
        return out.sort_values("la_code", kind="stable").reset_index(drop=True)

    # cached (a few hundred rows): planning a run asks for it, and the LA code list is an Excel workbook
    ks2 = sources.one("ks2_school_trimmed", year).local_path
    return cached(ks2, f"coverage_ks2_las_{year}", build,
                  depends_on=[sources.path("school_spine_2019"), sources.path("la_code_list"),
                              *sorted((paths.REFERENCE / "column_maps").glob("*.csv"))])


# ------------------------------------------------------------------------------ why a notebook cannot run
def p8_year_reason(year: int) -> str | None:
    """Why there is no Progress 8 for ``year`` (a stated gap, or nothing in LAIT), or None."""
    gap = reference.measure_gap("p8", year)
    if gap:
        return gap
    held = _england_p8_years()
    if int(year) not in held:
        return f"LAIT holds no Progress 8 for this year (it has {_span(held)})"
    return None


def _la_p8_reason(year: int, la: str) -> str | None:
    if (int(year), str(la)) not in _p8_reported():
        name = reference.la_name(la, lait_las())
        return (f"LAIT has no Progress 8 for {name} ({la}) this year: '-' (the LA did not exist then, or its "
                "figure is not published)")
    return None


def la_progress8(year: int, la: str | None) -> str | None:
    """Notebooks 01 and 02: LAIT Progress 8 for the year, and for the LA in it."""
    return p8_year_reason(year) or (None if la is None else _la_p8_reason(year, la))


def school_progress(year: int, la: str | None) -> str | None:
    """Notebook 03: a school-level KS4 file for the year, Progress 8 in that year, secondary schools in the LA."""
    reason = p8_year_reason(year)
    if reason:
        return reason
    held = school_ks4_years()
    if int(year) not in held:
        return (f"no school-level KS4 file for this year in the registry (it holds {_span(held)}); add one with "
                "`compendium add-source`")
    if la is not None and str(la) not in set(school_ks4_las()["la_code"]):
        return f"LA {la} has no secondary schools in the school spine"
    return None


def code_breakers(year: int, la: str | None = None) -> str | None:
    """Notebook 04: a school-level KS4 5ACEM file for the year."""
    held = ks4_5acem_years()
    if int(year) not in held:
        return (f"no school-level 5ACEM file (5+ A*-C incl. English and maths by disadvantage) for this year in "
                f"the registry (it holds {_span(held)})")
    return None


def opportunity_areas(year: int, la: str | None = None) -> str | None:
    """Notebook 05: LAIT Progress 8 for the year."""
    return p8_year_reason(year)


def families(year: int, la: str | None) -> str | None:
    """Notebook 06: a KS2 school file for the year with schools in the LA."""
    held = ks2_years()
    if int(year) not in held:
        return f"no KS2 school file for this year in the registry (it holds {_span(held)})"
    if la is not None and str(la) not in set(ks2_las(int(year))["la_code"]):
        return f"LA {la} has no primary school with KS2 results this year"
    return None


@lru_cache(maxsize=1)
def _neighbour_las() -> frozenset[str]:
    from .lait import read_statistical_neighbours

    return frozenset(read_statistical_neighbours()["la_code"])


def comparator_problem(comparator: object, year: int, la: str | None) -> str | None:
    """Why notebook 02's ``comparator`` cannot be used for ``la`` (None when it can): DfE's statistical neighbours
    list has no row for some LAs (e.g. the City of London, the Isles of Scilly)."""
    if str(comparator).strip() == "statistical_neighbours" and la is not None and str(la) not in _neighbour_las():
        name = reference.la_name(la, lait_las())
        return f"is not available for {name} ({la}): DfE's statistical neighbours list has no row for it"
    return None
