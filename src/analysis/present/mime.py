"""The mimetypes a notebook's charts and tables publish beside their image or HTML, read by the HTML export.

Kept apart from :mod:`.style` and :mod:`.tables` so the export (in the runner's process) can read them without
importing matplotlib.
"""

#: the caption/alt-text record a chart publishes beside its image (:func:`analysis.present.style.describe`)
FIGURE_MIME = "application/vnd.compendium.figure+json"
#: a table's short and full HTML and its CSV (:class:`analysis.present.tables.Table`)
TABLE_MIME = "application/vnd.compendium.table+json"
