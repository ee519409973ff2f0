"""Pupil-level tables for the months-of-progress method: a researcher's extract (e.g. from the National Pupil
Database, which is not public) or a seeded synthetic cohort whose gaps are known by construction.

Columns: ``year``, ``area``, ``score``, ``disadvantaged`` (True/False), ``fsm_share`` (share of years on FSM).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ParameterError
from . import dependencies, screening

PUPIL_COLUMNS = ("year", "area", "score", "disadvantaged", "fsm_share")


def validate_pupils(pupils: pd.DataFrame, *, score: str = "score", source: str = "pupil table") -> None:
    """Check the pupil table has what the method needs; errors name the column and what was expected."""
    need = ["year", "area", score, "disadvantaged", "fsm_share"]
    if missing := [c for c in need if c not in pupils.columns]:
        raise ParameterError(f"{source}: columns {missing} are missing; expected {need} (has {list(pupils.columns)[:10]})")
    dis = pupils["disadvantaged"]
    if not (pd.api.types.is_bool_dtype(dis) or set(pd.unique(dis.dropna())) <= {0, 1}):
        raise ParameterError(f"{source}: column 'disadvantaged' must be True/False or 0/1")
    share = pd.to_numeric(pupils["fsm_share"], errors="coerce")
    if ((share < 0) | (share > 1)).any():
        raise ParameterError(f"{source}: column 'fsm_share' must be a share of years between 0 and 1")


@dataclass(frozen=True)
class SyntheticDesign:
    """True mean scores (in within-group SD units) by construction; national non-disadvantaged = 0."""

    persistent_gap: float = 1.0  # persistently disadvantaged pupils, everywhere, behind national non-disadvantaged
    other_disadvantaged_gap: float = 0.5  # disadvantaged but not persistently
    area_gap: float = 0.15  # every pupil in an "opportunity area" is this much further behind
    disadvantaged_share: float = 0.27
    persistent_share_of_disadvantaged: float = 0.4
    area_share: float = 0.05  # share of pupils living in the opportunity areas


def synthetic_pupils(n_per_year: int = 100_000, years: tuple[int, ...] = (2016,), *, seed: int = 1,
                     areas: tuple[str, ...] = ("oa_1", "oa_2"), design: SyntheticDesign = SyntheticDesign()) -> pd.DataFrame:
    """A seeded synthetic pupil table (year, area, score, disadvantaged, fsm_share) with known gaps.

    score = -(group gap) - (area gap if in an opportunity area) + N(0, 1). Pupils outside ``areas`` are in
    area ``rest``. fsm_share: persistent pupils 0.8-1.0, other disadvantaged 1/6-2/3, others 0.
    See :func:`synthetic_true_gaps` for the gaps by construction.

    >>> synthetic_pupils(1000, seed=3)["area"].value_counts().index[0]
    'rest'
    """
    if n_per_year <= 0:
        raise ParameterError(f"n_per_year: expected a positive number of pupils, got {n_per_year}")
    rng = np.random.default_rng(seed)
    n = n_per_year * len(years)
    d = design
    u = rng.random(n)
    in_oa = u < d.area_share
    area_idx = rng.integers(0, len(areas), n)
    area = np.where(in_oa, np.asarray(areas, dtype=object)[area_idx], "rest")
    dis = rng.random(n) < d.disadvantaged_share
    persistent = dis & (rng.random(n) < d.persistent_share_of_disadvantaged)
    fsm_share = np.where(persistent, rng.choice([5 / 6, 1.0], n), np.where(dis, rng.choice([1 / 6, 2 / 6, 3 / 6, 4 / 6], n), 0.0))
    mean = -np.where(persistent, d.persistent_gap, np.where(dis, d.other_disadvantaged_gap, 0.0)) - np.where(in_oa, d.area_gap, 0.0)
    score = mean + rng.standard_normal(n)
    return pd.DataFrame({
        "year": np.repeat(np.asarray(years), n_per_year),
        "area": area,
        "score": score,
        "disadvantaged": dis,
        "fsm_share": fsm_share,
    })


def synthetic_true_gaps(design: SyntheticDesign = SyntheticDesign()) -> pd.DataFrame:
    """The gaps built into :func:`synthetic_pupils`, in within-group SD units, for an opportunity area.

    Comparison: national non-disadvantaged pupils (mean -area_share*area_gap) except the ``elsewhere`` row.

    >>> synthetic_true_gaps().set_index("group").loc["persistently_disadvantaged", "true_gap_sd"].round(4)
    np.float64(1.1425)
    """
    d = design
    nd_national = -d.area_share * d.area_gap  # non-disadvantaged nationally: some of them live in the areas
    p = d.persistent_share_of_disadvantaged
    dis_mean = -(p * d.persistent_gap + (1 - p) * d.other_disadvantaged_gap) - d.area_gap
    rows = [
        ("persistently_disadvantaged", "national_non_disadvantaged", nd_national - (-d.persistent_gap - d.area_gap)),
        ("disadvantaged", "national_non_disadvantaged", nd_national - dis_mean),
        ("non_disadvantaged", "national_non_disadvantaged", nd_national - (-d.area_gap)),
        ("non_disadvantaged", "non_disadvantaged_elsewhere", d.area_gap),
    ]
    return pd.DataFrame(rows, columns=["group", "comparison", "true_gap_sd"])


def read_pupils(path: str | Path) -> pd.DataFrame:
    """A researcher's pupil file (CSV or parquet) with columns year, area, score, disadvantaged, fsm_share."""
    path = Path(path)
    if not path.exists():
        raise ParameterError(f"pupil_file: {path} does not exist")
    dependencies.record_file(path)  # the runner reruns the notebook when the researcher's file changes
    if path.suffix.lower() in (".parquet", ".pq"):
        frame = screening.screen_binary(path, pd.read_parquet, kind="a parquet file")
    elif path.suffix.lower() == ".csv":
        text = screening.screen_text(path)  # encoding, emptiness, whole records: as every raw file
        frame = pd.read_csv(io.BytesIO(text.data), encoding=text.encoding)
    else:
        raise ParameterError(f"pupil_file: {path} must be .csv or .parquet")
    validate_pupils(frame, source=str(path))
    return frame
