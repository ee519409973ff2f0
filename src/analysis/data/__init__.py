"""The data layer: the source registry, one reader per raw DfE format, every schema, the reference tables.

Each reader returns one tidy, typed, validated table and finds its file through the registry
(``data/sources.yml``): a notebook calls ``data.read_lait()``. Every reader screens its raw file first
(:mod:`analysis.data.screening`: checksum, encoding, whole records, columns, record types, unique keys). Nothing here imports from the layers above
(methods, presentation, pipeline).
"""

from .gias import read_gias_links, read_gias_schools, read_school_spine
from .ks4 import decode_rectype, read_ks4_performance, read_ks4_trimmed, read_ks4_trimmed_all_years
from .ks4_5acem import read_ks4_5acem
from .ks4_results import data_availability, published_la_intervals, read_full_schema_files, read_results
from .lait import read_la_code_list, read_lait, read_lait_dictionary, read_statistical_neighbours
from .primary import (
    context_years,
    read_absence,
    read_census,
    read_ks2_trimmed,
    read_primary_schools,
    read_user_factors,
)
from .pupils import read_pupils, synthetic_pupils, synthetic_true_gaps

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
