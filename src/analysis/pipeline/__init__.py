"""The pipeline: plan a run, execute the notebooks (papermill), cache and manifest, HTML export, the report site
and the ``compendium`` command line. It may use every layer below it; nothing below imports it.
"""
