"""The presentation layer: charts in the house style, tables formatted for people, prose built from findings.

Shared by every notebook and the report site; takes the tables the methods return and never calculates a
finding itself. Imported in a notebook, it routes every DataFrame the notebook displays through
:func:`.tables.show` (the one formatting layer), so no table reaches a report with an index column, raw
column names or ``NaN``.
"""

from . import tables as _tables

_tables.install()
