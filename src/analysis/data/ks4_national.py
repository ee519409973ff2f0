"""DfE's national state-funded KS4 figures (RECTYPE 7, "National (maintained schools)") as one row per year.

Every full-schema school file (per-LA download or national) carries the same national rows, for its own year
and, in its back-columns, the year before: so a year's national figures, with their pupil counts, come from
whichever full-schema file the registry holds for that year or the next.
"""

from __future__ import annotations

import pandas as pd

from .ks4_results import read_full_schema_files


def national_row(year: int) -> pd.Series | None:
    """The national state-funded row for ``year`` (measures ``p8_<group>``, ``p8_pupils_<group>``, ``a8_<group>``
    with their statuses, plus ``source_id``), from the year's own file first, else a back-column; None if no
    full-schema file covers the year."""
    rows = read_full_schema_files()
    if rows.empty:
        return None
    rows = rows[(rows["year"] == int(year)) & rows["is_state_funded_national"].astype(bool)]
    if rows.empty:
        return None
    rows = rows.assign(_own=rows["file_year"] == int(year)).sort_values(["_own", "source_id"], ascending=[False, True])
    return rows.drop(columns="_own").iloc[0]
