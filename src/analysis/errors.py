"""Every error the compendium raises on purpose: each message names what was wrong and what was expected.

Kept free of heavy imports: the command line needs them before pandas is loaded.
"""


class CompendiumError(Exception):
    """Base of the errors below: the command line prints their message as one line and exits non-zero."""


class ParameterError(CompendiumError, ValueError):
    """A notebook or runner parameter is not one of the valid choices; the message lists them."""


class SourceError(CompendiumError, RuntimeError):
    """A raw file is missing, unknown or fails its checksum."""


class DataFormatError(CompendiumError, ValueError):
    """A raw file does not look as the loader expects; the message names the file, the column and the row."""


class RunError(CompendiumError, RuntimeError):
    """A notebook failed; the message names it and the failing cell."""
