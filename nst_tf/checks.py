"""Small checks for values given at the edge, each with a message that names the value.

Options are checked once, when the settings object that holds them is made; these are
the shared rules those objects use.
"""

from __future__ import annotations

from collections.abc import Collection


def whole_number(name: str, value, minimum: int) -> int:
    """``value`` as an int if it is a whole number ``>= minimum``, else a clear error."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise TypeError(f"{name} must be a whole number, not {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, not {value}")
    return int(value)


def one_of(name: str, value, choices: Collection):
    """``value`` if it is one of ``choices``, else a `ValueError` listing them."""
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(choice) for choice in choices)
        raise ValueError(f"{name} must be one of {listed}, not {value!r}")
    return value
