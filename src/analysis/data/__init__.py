"""The data layer: the source registry, one reader per raw DfE format, every schema, the reference tables.

Each reader returns one tidy, typed, validated table and finds its file through the registry
(``data/sources.yml``): a notebook calls ``data.read_lait()``. Every reader screens its raw file first
(:mod:`analysis.data.screening`: checksum, encoding, whole records, columns, record types, unique keys). Nothing here imports from the layers above
(methods, presentation, pipeline).
"""

import importlib
from typing import Any

# Each reader is imported when first used (PEP 562): `compendium fetch` and planning a run need the registry, not
# pandas, pandera and every reader (half a second of imports).
_READERS = {
    "context_years": "primary",
    "data_availability": "ks4_results",
    "decode_rectype": "ks4",
    "published_la_intervals": "ks4_results",
    "read_absence": "primary",
    "read_census": "primary",
    "read_full_schema_files": "ks4_results",
    "read_gias_links": "gias",
    "read_gias_schools": "gias",
    "read_ks2_trimmed": "primary",
    "read_ks4_5acem": "ks4_5acem",
    "read_ks4_performance": "ks4",
    "read_ks4_trimmed": "ks4",
    "read_ks4_trimmed_all_years": "ks4",
    "read_la_code_list": "lait",
    "read_lait": "lait",
    "read_lait_dictionary": "lait",
    "read_primary_schools": "primary",
    "read_pupils": "pupils",
    "read_results": "ks4_results",
    "read_school_spine": "gias",
    "read_statistical_neighbours": "lait",
    "read_user_factors": "primary",
    "synthetic_pupils": "pupils",
    "synthetic_true_gaps": "pupils",
}


def __getattr__(name: str) -> Any:
    if name in _READERS:
        value = getattr(importlib.import_module(f".{_READERS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_READERS])


__all__ = [
    "context_years",
    "data_availability",
    "decode_rectype",
    "read_absence",
    "read_census",
    "published_la_intervals",
    "read_full_schema_files",
    "read_gias_links",
    "read_gias_schools",
    "read_ks2_trimmed",
    "read_ks4_5acem",
    "read_ks4_performance",
    "read_ks4_trimmed",
    "read_ks4_trimmed_all_years",
    "read_la_code_list",
    "read_lait",
    "read_lait_dictionary",
    "read_primary_schools",
    "read_pupils",
    "read_results",
    "read_school_spine",
    "read_statistical_neighbours",
    "read_user_factors",
    "synthetic_pupils",
    "synthetic_true_gaps",
]
