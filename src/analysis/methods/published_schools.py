"""Published school figures next to ours: printed school names matched to the data's schools.

The source prints school names, not URNs; names are matched within the LA's school rows after folding case,
accents, '&' and punctuation (:func:`normalise_name`), exact match first, else a unique containment match.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from ..data import published as published_figures_table
from ..data.dfe import REPORTED


def normalise_name(name: object) -> str:
    """School name for matching: accents, case, '&', apostrophes and punctuation folded.

    >>> normalise_name("ARK St. Alban’s Academy"), normalise_name("Heathcote School & Science College")
    ('ark st albans academy', 'heathcote school and science college')
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    text = text.casefold().replace("&", " and ")
    text = re.sub(r"['\u2019`]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def match_names(printed: list[str], candidates: pd.DataFrame) -> pd.DataFrame:
    """Printed school names → URN among ``candidates`` (urn, school_name): exact normalised name, else the
    one candidate whose normalised name contains the printed one (or the reverse); ambiguous = no match.

    >>> cands = pd.DataFrame({"urn": ["1", "2"], "school_name": ["Holyhead School", "Saltley Academy"]})
    >>> match_names(["Holyhead School", "Nowhere High"], cands)["urn"].tolist()
    ['1', <NA>]
    """
    cands = candidates.drop_duplicates("urn").assign(norm=lambda f: f["school_name"].map(normalise_name))
    out = []
    for name in printed:
        key = normalise_name(name)
        hit = cands[cands["norm"] == key]
        how = "exact (normalised)"
        if hit["urn"].nunique() != 1:
            hit = cands[cands["norm"].map(lambda c, k=key: k in c or c in k)]
            how = "contains"
        if hit["urn"].nunique() == 1:
            out.append((name, hit["urn"].iloc[0], hit["school_name"].iloc[0], how))
        else:
            out.append((name, pd.NA, pd.NA, "no unique match" if len(hit) else "not found"))
    return pd.DataFrame(out, columns=["printed_name", "urn", "data_name", "match"]).astype("string")


SCHOOL_FINDINGS = {  # published finding id → (measure, pupil group)
    "school_p8_all": ("p8", "all"),
    "school_a8_all": ("a8", "all"),
    "school_p8_disadvantaged": ("p8", "disadvantaged"),
    "school_a8_disadvantaged": ("a8", "disadvantaged"),
}


def published_school_figures(panel: pd.DataFrame, results: pd.DataFrame, *, la: str, year: int) -> pd.DataFrame:
    """Each published school figure (``school_*`` findings for ``year`` and ``year - 1``) next to ours.

    Printed names are matched within the LA's school rows (any type, either year); names not found in the LA
    are left out (they belong to another LA). ``basis`` is ``reproduced`` where our data carry the figure and
    ``published only`` where they do not (e.g. disadvantaged P8 without a full-schema file).
    """
    pub = published_figures_table.published_figures()
    pub = pub[pub["finding_id"].isin(SCHOOL_FINDINGS) & pub["year"].isin([year, year - 1])]
    cols = ["printed_name", "urn", "data_name", "match", "finding_id", "year", "pupil_group", "published",
            "reproduced", "status", "basis", "source_id"]
    if pub.empty:
        return pd.DataFrame(columns=cols)
    la_rows = results[(results["level"] == "school") & (results["la_code"] == str(la))]
    names = match_names(sorted(pub["key"].unique()), la_rows[["urn", "school_name"]])
    names = names[names["urn"].notna()]
    table = pub.merge(names, left_on="key", right_on="printed_name")[["printed_name", "urn", "data_name", "match",
                                                                       "finding_id", "year", "value"]]
    table["measure"] = table["finding_id"].map(lambda f: SCHOOL_FINDINGS[f][0])
    table["pupil_group"] = table["finding_id"].map(lambda f: SCHOOL_FINDINGS[f][1])
    table["published"] = table["value"].astype(float)
    long = panel.set_index(["urn", "year", "pupil_group"])
    reproduced, status, source = [], [], []
    for row in table.itertuples():
        key = (row.urn, row.year, row.pupil_group)
        hit = long.loc[[key]] if key in long.index else None
        st = str(hit[f"{row.measure}_status"].iloc[0]) if hit is not None else "not in the filtered schools"
        status.append(st)
        reproduced.append(float(hit[row.measure].iloc[0]) if st == REPORTED else np.nan)
        source.append(str(hit["source_id"].iloc[0]) if hit is not None else "")
    table["reproduced"] = reproduced
    table["status"] = status
    table["source_id"] = source
    table["basis"] = np.where(table["status"] == REPORTED, "reproduced", "published only")
    return table[cols].sort_values(["printed_name", "finding_id", "year"], kind="stable").reset_index(drop=True)
