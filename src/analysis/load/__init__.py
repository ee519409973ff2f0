"""Loaders: one reader per raw DfE format, each returning one tidy, typed, validated table.

A notebook calls ``load.read_lait()``; the reader finds the fetched file through the source registry.
"""

from ._dfe import DataFormatError, detect_encoding, read_text_table, split_value_status, status_codes
from .ks4 import decode_rectype, read_ks4_performance, read_ks4_trimmed
from .schools import read_gias_links, read_gias_schools, read_school_details, read_school_spine
from .lait import (
    read_la_code_list,
    read_lait,
    read_lait_dictionary,
    read_statistical_neighbours,
)

__all__ = [
    "DataFormatError",
    "decode_rectype",
    "detect_encoding",
    "read_ks4_performance",
    "read_ks4_trimmed",
    "read_la_code_list",
    "read_lait",
    "read_lait_dictionary",
    "read_gias_links",
    "read_gias_schools",
    "read_school_details",
    "read_school_spine",
    "read_statistical_neighbours",
    "read_text_table",
    "split_value_status",
    "status_codes",
]
from .ks4_5acem import read_ks4_5acem
from .primary import read_absence, read_census, read_ks2_trimmed
