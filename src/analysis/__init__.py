"""England school performance and social mobility: the compendium's tested helper library.

Every calculation the notebooks show lives here; the notebooks only narrate.
"""

__version__ = "0.1.0"

import os as _os

from . import paths as _paths

# Under the runner (which sets the run directory), record what this notebook reads for its cache key.
if _os.environ.get(_paths.RUN_DIR_ENV):
    from . import dependencies as _dependencies

    _dependencies.start()
