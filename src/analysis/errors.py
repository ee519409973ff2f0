"""Errors that name what was wrong and what was expected (kept free of heavy imports: the CLI needs them first)."""


class ParameterError(ValueError):
    """A notebook or runner parameter is not one of the valid choices; the message lists them."""
