"""pandera schemas: what a tidy table must look like where data enters the library."""

from __future__ import annotations

import pandera.pandas as pa

from .dfe import MISSING, REPORTED


def _status_ok(frame, value: str, status: str) -> bool:
    """A value is present exactly when its status says 'reported'."""
    return bool(((frame[status] == REPORTED) == frame[value].notna()).all())


LAIT = pa.DataFrameSchema(
    {
        "la_code": pa.Column(str, pa.Check.str_matches(r"^\d{3}$")),
        "la_name": pa.Column(str),
        "region": pa.Column(str),
        "area_type": pa.Column(str, pa.Check.isin(["la", "region", "england"])),
        "indicator": pa.Column(str),
        "period": pa.Column(str),
        "year": pa.Column("Int64", pa.Check.in_range(1990, 2100), nullable=True),
        "release": pa.Column("string", nullable=True),
        "value": pa.Column(float, nullable=True),
        "status": pa.Column("string"),
    },
    checks=pa.Check(lambda f: _status_ok(f, "value", "status"), error="value present iff status is 'reported'"),
    strict=True,
    coerce=True,
)

KS4_SCHOOL = pa.DataFrameSchema(
    {
        "year": pa.Column(int, pa.Check.in_range(2000, 2100)),
        "rectype": pa.Column("string"),
        "record_type": pa.Column("string"),
        "level": pa.Column("string", pa.Check.isin(["school", "la", "national"])),
        "urn": pa.Column("string", pa.Check.str_matches(r"^\d{5,7}$"), nullable=True),
        "la_code": pa.Column("string", pa.Check.str_matches(r"^\d{3}$"), nullable=True),
        "p8_all": pa.Column(float, pa.Check.in_range(-10, 10), nullable=True),
        "p8_all_status": pa.Column("string"),
        "a8_all": pa.Column(float, pa.Check.in_range(0, 90), nullable=True),
        "p8_disadvantaged": pa.Column(float, pa.Check.in_range(-10, 10), nullable=True),
        "p8_disadvantaged_status": pa.Column("string"),
        "p8_non_disadvantaged": pa.Column(float, pa.Check.in_range(-10, 10), nullable=True),
    },
    checks=[
        pa.Check(lambda f: _status_ok(f, "p8_all", "p8_all_status"), error="p8_all present iff reported"),
        pa.Check(
            lambda f: bool(f.loc[f["level"] == "school", "urn"].notna().all()), error="every school row has a URN"
        ),
    ],
    strict=False,
)

# ------------------------------------------------------------- KS4 5ACEM (2013/14 school file)
_COUNT = pa.Check.ge(0)
_PCT = pa.Check.in_range(0, 100)

KS4_5ACEM = pa.DataFrameSchema(
    {
        "year": pa.Column(int, pa.Check.in_range(2000, 2100)),
        "level": pa.Column("string", pa.Check.isin(["school", "la"])),
        "urn": pa.Column("string", pa.Check.str_matches(r"^\d{5,7}$"), nullable=True),
        "la_code": pa.Column("string", pa.Check.str_matches(r"^\d{3}$")),
        "region": pa.Column("string"),
        "pupils": pa.Column(float, _COUNT, nullable=True),
        "pupils_disadvantaged": pa.Column(float, _COUNT, nullable=True),
        "pupils_other": pa.Column(float, _COUNT, nullable=True),
        "pupils_low_prior": pa.Column(float, _COUNT, nullable=True),
        "ks2_aps": pa.Column(float, pa.Check.in_range(0, 60), nullable=True),
        "pct_disadvantaged": pa.Column(float, _PCT, nullable=True),
        "pct_5acem_all": pa.Column(float, _PCT, nullable=True),
        "pct_5acem_disadvantaged": pa.Column(float, _PCT, nullable=True),
        "pct_5acem_other": pa.Column(float, _PCT, nullable=True),
        "pct_5acem_low_prior": pa.Column(float, _PCT, nullable=True),
    },
    checks=[
        pa.Check(
            lambda f: bool(f.loc[f["level"] == "school", "urn"].notna().all()), error="every school row has a URN"
        ),
        pa.Check(
            lambda f: bool(((f["pct_5acem_disadvantaged_status"] == REPORTED) == f["pct_5acem_disadvantaged"].notna()).all()),
            error="pct_5acem_disadvantaged present iff its status is 'reported'",
        ),
    ],
    strict=False,
)

# ------------------------------------------------- primary: KS2 results, census, absence
_URN = pa.Column("string", pa.Check.str_matches(r"^\d{5,7}$"), nullable=True)
_PCT = dict(checks=pa.Check.in_range(0, 100), nullable=True)

KS2_SCHOOL = pa.DataFrameSchema(
    {
        "year": pa.Column(int, pa.Check.in_range(2000, 2100)),
        "urn": pa.Column("string", pa.Check.str_matches(r"^\d{5,7}$"), unique=True),
        "ks2_pupils": pa.Column(float, pa.Check.ge(0), nullable=True),
        "read_progress": pa.Column(float, pa.Check.in_range(-30, 30), nullable=True),
        "read_score": pa.Column(float, pa.Check.in_range(80, 120), nullable=True),
        "mat_score": pa.Column(float, pa.Check.in_range(80, 120), nullable=True),
        **{f"{s}_meet_pct": pa.Column(float, **_PCT) for s in ("read", "gps", "mat", "rwm")},
    },
    strict=False,
)

CENSUS = pa.DataFrameSchema(
    {
        "year": pa.Column(int),
        "level": pa.Column("string", pa.Check.isin(["school", "national"])),
        "urn": _URN,
        "la_code": pa.Column("string", pa.Check.str_matches(r"^\d{3}$"), nullable=True),
        **{c: pa.Column(float, **_PCT) for c in ("girls_pct", "eal_pct", "fsm_ever6_pct", "sen_support_pct")},
    },
    checks=pa.Check(lambda f: bool(f.loc[f["level"] == "school", "urn"].notna().all()), error="school rows have URNs"),
    strict=False,
)

ABSENCE = pa.DataFrameSchema(
    {
        "year": pa.Column(int),
        "level": pa.Column("string", pa.Check.isin(["school", "national"])),
        "urn": _URN,
        "absence_pct": pa.Column(float, **_PCT),
        "persistent_absence_pct": pa.Column(float, **_PCT),
    },
    strict=False,
)
