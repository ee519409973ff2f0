"""The methods layer: one module per finding, DataFrames in and DataFrames out.

No file I/O, no drawing, no formatting for people: a method takes tidy tables from :mod:`analysis.data` and
returns new tables (including a findings-ready table for the ledger). Shared ideas live in :mod:`.stats`.
"""
