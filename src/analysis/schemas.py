"""pandera schemas: what a tidy table must look like where data enters the library."""

from __future__ import annotations

import pandera.pandas as pa

from .load._dfe import MISSING, REPORTED


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

__all__ = ["KS4_SCHOOL", "LAIT", "MISSING", "REPORTED"]
