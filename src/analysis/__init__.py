"""England school performance and social mobility: the compendium's tested library.

Every calculation the notebooks show lives here; the notebooks only narrate. Layers, in the direction the
data flows: :mod:`.data` (registry, readers, schemas, reference tables) -> :mod:`.methods` (one module per
finding) -> :mod:`.present` (charts, tables, prose) and :mod:`.findings` (the ledger) -> :mod:`.pipeline`
(run, cache, site, command line). :mod:`.paths`, :mod:`.errors` and :mod:`.common` are shared by all.
"""

__version__ = "0.1.0"

import os as _os

from . import paths as _paths

# Under the runner (which sets the run directory), record what this notebook reads for its cache key.
if _os.environ.get(_paths.RUN_DIR_ENV):
    from .data import dependencies as _dependencies

    _dependencies.start()
