"""England school performance and social mobility: the compendium's tested helper library.

Every calculation the notebooks show lives here; the notebooks only narrate.
"""

__version__ = "0.1.0"
