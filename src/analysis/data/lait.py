"""DfE Local Authority Interactive Tool (LAIT): the long parquet, its data dictionary, LA list, neighbours."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .. import paths
from . import record_types, schema_errors, schemas, screening, sources
from .cache import cached
from ..errors import DataFormatError
from .dfe import read_text_table, split_value_status

LAIT_COLUMNS = {
    "Short Desc": "indicator",
    "Years": "period",
    "LA and Regions": "la_name",
    "Values": "raw_value",
    "LA Number": "la_code",
    "Region": "region",
}
#: LAIT numbers its non-LA areas: 970 England, 980-990 regions (including inner/outer London).
ENGLAND_CODE = "970"

# "2017", "2016/17", "2016-17", "2014-16", "2013/14-15/16", "2018 (Rev)", "2025 (prov)", "2016-17 (OT)"
_PERIOD = re.compile(
    r"^(?P<start>\d{4})(?:/(?P<s2>\d{2}))?(?:-(?P<end>\d{2,4})(?:/(?P<e2>\d{2}))?)?(?:\s*\((?P<release>[^)]*)\))?$"
)


def _same_century(start: int, two_digits: int) -> int:
    year = (start // 100) * 100 + two_digits
    return year + 100 if year < start else year


def period_end_year(period: str) -> tuple[int | None, str | None]:
    """Academic/financial year END and release tag of a LAIT period label.

    >>> period_end_year("2016/17"), period_end_year("2017"), period_end_year("2014-16")
    ((2017, None), (2017, None), (2016, None))
    >>> period_end_year("2018 (Rev)"), period_end_year("2013/14-15/16"), period_end_year("0")
    ((2018, 'Rev'), (2016, None), (None, None))
    """
    m = _PERIOD.match(str(period).strip())
    if not m:
        return None, None
    start = int(m["start"])
    if m["end"]:
        end = int(m["end"]) if len(m["end"]) == 4 else _same_century(start, int(m["end"]))
        # "2013/14-15/16": the last academic year starts in (20)15 and ends a year later.
        year = end + 1 if m["e2"] else end
    elif m["s2"]:
        year = start + 1  # "2016/17" ends in 2017
    else:
        year = start
    return year, m["release"]


def read_lait_dictionary(path: Path | str | None = None) -> pd.DataFrame:
    """One row per LAIT indicator: name, description, decimal places (``dps``), year type, polarity."""
    path = Path(path) if path else sources.path("lait_dictionary")
    raw = read_text_table(path)
    need = {"Measure_short", "Measure", "dps", "Year_Type", "Polarity", "Description"}
    if missing := need - set(raw.columns):
        raise DataFormatError(f"{path}: LAIT dictionary lacks columns {sorted(missing)}")
    table = pd.DataFrame(
        {
            "indicator": raw["Measure_short"].str.strip(),
            "measure": raw["Measure"].str.strip(),
            "description": raw["Description"].str.strip(),
            "dps": pd.to_numeric(raw["dps"], errors="coerce").astype("Int64"),
            "year_type": raw["Year_Type"].str.strip(),
            "polarity": raw["Polarity"].str.strip(),
        }
    )
    # The dictionary repeats a few indicators; the first row is the one LAIT itself displays.
    return table.drop_duplicates("indicator", keep="first").reset_index(drop=True)


def read_lait(
    path: Path | str | None = None,
    *,
    indicators: list[str] | None = None,
    dictionary: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The LAIT long file as a tidy, typed table.

    Columns: la_code (str), la_name, region, area_type (la/region/england), indicator, period, year
    (academic year end), release, value (float, rounded to the dictionary's ``dps``), status.
    """
    path = Path(path) if path else sources.path("lait_long")
    screening.verify(path)  # also when the table is served from the cache
    def validated(tidy: pd.DataFrame) -> pd.DataFrame:
        return schema_errors.validate(schemas.LAIT, tidy, file=path, what="LAIT")

    if dictionary is not None:  # a caller's own dictionary (tests): nothing to key a cache on
        tidy = validated(_build_lait(path, dictionary))
    else:
        # Parsing 640k rows takes seconds; the tidy table is cached, keyed by the file, dictionary, codes and the
        # loader code (the schema with it). Validated as it is built (0.1 s for every row), so the cache holds
        # only a validated table and a cache hit is not validated again.
        tidy = cached(path, "lait", lambda: validated(_build_lait(path, None)),
                      depends_on=[sources.path("lait_dictionary"), paths.REFERENCE / "dfe_status_codes.csv",
                                  paths.REFERENCE / record_types.TABLE])
    if indicators is not None:
        if unknown := set(indicators) - set(tidy["indicator"].unique()):
            raise DataFormatError(f"{path}: indicators {sorted(unknown)} are not in the LAIT file")
        tidy = tidy[tidy["indicator"].isin(indicators)].reset_index(drop=True)
    return tidy


def _build_lait(path: Path, dictionary: pd.DataFrame | None) -> pd.DataFrame:
    raw = screening.screen_binary(path, pd.read_parquet, kind="a parquet file")
    if missing := set(LAIT_COLUMNS) - set(raw.columns):
        raise DataFormatError(f"{path}: LAIT file lacks columns {sorted(missing)}; expected {list(LAIT_COLUMNS)}")
    # England rows present; one value per (indicator, period, area): data/reference/record_types.csv
    record_types.screen_records(raw, "lait", file=str(path), where=lambda i: f"row {i + 1}")
    raw = raw[list(LAIT_COLUMNS)].rename(columns=LAIT_COLUMNS)
    frame = raw.reset_index(drop=True)
    if frame["la_code"].isna().any():
        raise DataFormatError(f"{path}: column 'LA Number' has blanks; every LAIT row needs an area code")
    frame["la_code"] = frame["la_code"].astype("int64").astype(str).str.zfill(3)
    # Each distinct period and indicator is looked up once (a few hundred of each in 640k rows), then spread
    # to the rows by its code (-1, a blank, picks NA): a per-row map costs a second.
    period_codes, periods = pd.factorize(frame["period"])
    parsed = [period_end_year(p) for p in periods]
    frame["year"] = pd.array([year for year, _ in parsed], dtype="Int64").take(period_codes, allow_fill=True)
    frame["release"] = pd.array([release for _, release in parsed], dtype="string").take(period_codes, allow_fill=True)
    value, status = split_value_status(frame["raw_value"], file=str(path), column="Values")
    dictionary = dictionary if dictionary is not None else read_lait_dictionary()
    indicator_codes, indicators = pd.factorize(frame["indicator"])
    dps_of = dictionary.drop_duplicates("indicator").set_index("indicator")["dps"].astype("float64")
    dps = pd.Series(np.append(dps_of.reindex(indicators).to_numpy(), np.nan)[indicator_codes], index=frame.index)
    # Float noise such as -0.14000000000000001: round to the published precision where the dictionary
    # gives one, otherwise to 10 places (far below any published precision).
    decimals = dps.fillna(10).astype(int)
    rounded = value.copy()
    for d in decimals.unique():
        mask = decimals == d
        rounded[mask] = np.round(value[mask], int(d))
    frame["value"] = rounded
    frame["status"] = status
    is_area = frame["region"].eq("NA")
    frame["area_type"] = np.where(frame["la_code"] == ENGLAND_CODE, "england", np.where(is_area, "region", "la"))
    frame.loc[is_area, "region"] = frame.loc[is_area, "la_name"]
    return frame[
        ["la_code", "la_name", "region", "area_type", "indicator", "period", "year", "release", "value", "status"]
    ]


def read_la_code_list(path: Path | str | None = None) -> pd.DataFrame:
    """LA number, name, region and type (current boundaries) from LAIT's code list (parquet-cached: openpyxl
    takes 0.7 s over the workbook, and every run's plan reads it)."""
    path = Path(path) if path else sources.path("la_code_list")
    return cached(path, "la_code_list", lambda: _build_la_code_list(path))


def _build_la_code_list(path: Path) -> pd.DataFrame:
    raw = screening.screen_binary(path, lambda p: pd.read_excel(p, dtype=str, engine="openpyxl"),
                                  kind="an Excel workbook")
    need = ["LA Number", "LA Name", "Region", "Type"]
    if missing := set(need) - set(raw.columns):
        raise DataFormatError(f"{path}: LA code list lacks columns {sorted(missing)}")
    table = raw[need].rename(
        columns={"LA Number": "la_code", "LA Name": "la_name", "Region": "region", "Type": "la_type"}
    )
    table = table.dropna(subset=["la_code"])
    table["la_code"] = table["la_code"].str.strip().str.zfill(3)
    return table.reset_index(drop=True)


def read_statistical_neighbours(path: Path | str | None = None) -> pd.DataFrame:
    """DfE children's services statistical neighbours: one row per (LA, neighbour) with rank and closeness
    (parquet-cached, as the code list)."""
    path = Path(path) if path else sources.path("statistical_neighbours_2021")
    return cached(path, "statistical_neighbours", lambda: _build_statistical_neighbours(path))


def _build_statistical_neighbours(path: Path) -> pd.DataFrame:
    raw = screening.screen_binary(path, lambda p: pd.read_excel(p, header=None, dtype=str, engine="openpyxl"),
                                  kind="an Excel workbook")
    # Two header rows (column numbers, then names); the names row starts with "LA num".
    header_row = raw.index[raw.iloc[:, 0].astype(str).str.strip() == "LA num"]
    if len(header_row) != 1:
        raise DataFormatError(f"{path}: cannot find the 'LA num' header row of the statistical neighbours sheet")
    body = raw.iloc[header_row[0] + 1 :].reset_index(drop=True)
    body = body[body.iloc[:, 0].notna()]
    rows = []
    for rank in range(1, 11):
        code_col, closeness_col = 5 + 2 * (rank - 1), 6 + 2 * (rank - 1)
        rows.append(
            pd.DataFrame(
                {
                    "la_code": body.iloc[:, 0].str.strip().str.zfill(3),
                    "la_name": body.iloc[:, 1].str.strip(),
                    "neighbour_rank": rank,
                    "neighbour_code": body.iloc[:, code_col].str.strip().str.zfill(3),
                    "closeness": body.iloc[:, closeness_col].str.strip(),
                }
            )
        )
    return pd.concat(rows).sort_values(["la_code", "neighbour_rank"]).reset_index(drop=True)
