"""Argument checks shared by layers, models and training, so every message reads the same.

Examples:
    >>> positive_int(3, "units", "LSTM")
    3
    >>> positive_int(0, "units", "LSTM")
    Traceback (most recent call last):
    ...
    seqkit.errors.ConfigError: LSTM units: expected a positive integer but received units=0
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from seqkit.errors import ConfigError, InputTypeError, explain

__all__ = ["boolean", "fraction", "one_of", "positive_int"]


def positive_int(value: Any, arg: str, owner: str) -> int:
    """Returns ``value`` if it is an integer >= 1, else raises [`ConfigError`][]."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(explain(f"{owner} {arg}", expected="a positive integer",
                                  received=f"{arg}={value!r}"))
    return value


def fraction(value: Any, arg: str, owner: str, *, allow_one: bool = False) -> float:
    """Returns ``value`` as a float in ``[0, 1)`` (``[0, 1]`` with ``allow_one``)."""
    ok = (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and value >= 0
        and (value <= 1 if allow_one else value < 1)
    )
    if not ok:
        interval = "[0, 1]" if allow_one else "[0, 1)"
        raise ConfigError(explain(f"{owner} {arg}", expected=f"a number in {interval}",
                                  received=f"{arg}={value!r}"))
    return float(value)


def one_of(value: Any, arg: str, owner: str, options: Collection[Any]) -> Any:
    """Returns ``value`` if it is one of ``options``."""
    if value not in options:
        listed = ", ".join(repr(o) for o in options)
        raise ConfigError(explain(f"{owner} {arg}", expected=f"one of {listed}",
                                  received=f"{arg}={value!r}"))
    return value


def boolean(value: Any, arg: str, owner: str) -> bool:
    """Returns ``value`` if it is a bool (not merely truthy)."""
    if not isinstance(value, bool):
        raise InputTypeError(explain(f"{owner} {arg}", expected="True or False",
                                     received=f"{arg}={value!r}"))
    return value
