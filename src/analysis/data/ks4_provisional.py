"""The LA rows of DfE's provisional KS4 school-level file (role ``ks4_provisional``): each LA's KS4 pupils.

The provisional file (``england_ks4provisional.csv``, 18 columns) has no disadvantaged split, but its LA rows
(RECTYPE 4) carry ``TPUP``, the number of pupils at the end of KS4 in the LA's state-funded schools, DfE's own
count: the pupil weight a DfE-style average over LAs needs (:mod:`analysis.methods.la_weights`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataFormatError
from . import sources
from .dfe import read_text_table, split_value_status

ROLE = "ks4_provisional"
LA_RECTYPE = "4"
OPTIONAL = {"p8_ci_low_all": "P8CILOW", "p8_ci_high_all": "P8CIUPP"}


def read_ks4_provisional_la(year: int | None = None) -> pd.DataFrame:
    """One row per (year, LA) of every provisional file registered (for ``year`` only, if given): year,
    la_code, ks4_pupils (TPUP) and its status, p8_all (P8MEA) and its status, DfE's 95% interval for it
    (P8CILOW, P8CIUPP: NaN where the file has no such columns), source_id.

    An LA row that repeats, or a file without LA rows, is an error naming the file.
    """
    frames = []
    for source in sources.find(ROLE, year):
        path = sources.path(source.id)
        raw = read_text_table(path, columns=["RECTYPE", "LEA", "TPUP", "P8MEA", *OPTIONAL.values()])
        missing = sorted({"RECTYPE", "LEA", "TPUP", "P8MEA"} - set(raw.columns))
        if missing:
            raise DataFormatError(f"{path}: columns {missing} missing; expected the provisional KS4 layout")
        la = raw[raw["RECTYPE"].str.strip() == LA_RECTYPE]
        if la.empty:
            raise DataFormatError(f"{path}: no LA rows (RECTYPE {LA_RECTYPE}); expected one per LA")
        out = pd.DataFrame({"year": int(source.year), "la_code": la["LEA"].str.strip().str.zfill(3).to_numpy()})
        for name, col in (("ks4_pupils", "TPUP"), ("p8_all", "P8MEA")):
            value, status = split_value_status(la[col].str.strip(), file=str(path), column=col)
            out[name], out[f"{name}_status"] = value.to_numpy(), pd.Series(status).astype("string").to_numpy()
        for name, col in OPTIONAL.items():  # an interval is extra: a layout without one still gives the weights
            out[name] = (split_value_status(la[col].str.strip(), file=str(path), column=col)[0].to_numpy()
                         if col in la.columns else np.nan)
        out["source_id"] = source.id
        if out["la_code"].duplicated().any():
            dup = out.loc[out["la_code"].duplicated(), "la_code"].iloc[0]
            raise DataFormatError(f"{path}: LA {dup} has more than one LA row (RECTYPE {LA_RECTYPE})")
        frames.append(out)
    cols = ["year", "la_code", "ks4_pupils", "ks4_pupils_status", "p8_all", "p8_all_status", *OPTIONAL, "source_id"]
    if not frames:
        return pd.DataFrame(columns=cols)
    return pd.concat(frames, ignore_index=True)[cols].sort_values(["year", "la_code"]).reset_index(drop=True)
