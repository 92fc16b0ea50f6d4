"""Errors raised by the index engine.

Two kinds, so callers can tell a bad framework definition (fix the spec) from bad
input data (fix the upstream indicator). Both are ValueErrors and both name the
indicator (or component) and the problem, so the message alone is actionable.
"""


class FrameworkError(ValueError):
    """The framework definition is invalid (bad goalposts, unknown transform, ...)."""


class IndexInputError(ValueError):
    """The indicator values cannot be scored (non-numeric, duplicated, all missing, ...)."""
