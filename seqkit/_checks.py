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

import math
import operator
import os
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from seqkit.errors import ConfigError, InputTypeError, explain

__all__ = ["as_int", "as_real", "boolean", "check_seed", "fraction", "input_shape_argument",
           "iterable_of_layers", "one_of", "optional_text", "path_argument", "positive_int",
           "positive_real", "sequence_of_layers"]

SEED_LIMIT = 2**32 - 1
"""The largest seed: numpy's and Lightning's seeds are unsigned 32-bit."""


def as_int(value: Any) -> int | None:
    """``value`` as a Python ``int`` if it is an integer (numpy integers too, such as
    ``np.int64(8)``; not a ``bool``, a float or a string), else ``None``.

    Examples:
        >>> import numpy as np
        >>> as_int(np.int64(8)), as_int(3.0), as_int(True)
        (8, None, None)
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        return None
    return operator.index(value)


def as_real(value: Any) -> float | None:
    """``value`` as a Python ``float`` if it is a real number (Python or numpy: ``3``,
    ``0.5``, ``np.float32(0.1)``; not a ``bool`` or a string), else ``None``. NaN and
    infinities pass: range checks are the caller's.

    Examples:
        >>> import numpy as np
        >>> as_real(np.float32(0.5)), as_real(2), as_real(True), as_real("0.5")
        (0.5, 2.0, None, None)
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer
                                                              | np.floating):
        return None
    return float(value)


def check_seed(seed: Any, owner: str) -> int | None:
    """``seed`` as an ``int`` in ``[0, 2**32 - 1]`` (numpy integers too), or ``None``.

    Examples:
        >>> import numpy as np
        >>> check_seed(np.int64(7), "fit"), check_seed(None, "fit")
        (7, None)
    """
    if seed is None:
        return None
    number = as_int(seed)
    if number is None or not 0 <= number <= SEED_LIMIT:
        raise ConfigError(explain(f"{owner} seed", expected=f"an integer in [0, {SEED_LIMIT}] "
                                  "or None", received=f"seed={seed!r}",
                                  fix="pass an integer such as seed=0"))
    return number


def positive_int(value: Any, arg: str, owner: str) -> int:
    """Returns ``value`` as an ``int`` if it is an integer >= 1 (numpy integers too), else
    raises [`ConfigError`][]."""
    number = as_int(value)
    if number is None or number < 1:
        raise ConfigError(explain(f"{owner} {arg}", expected="a positive integer",
                                  received=f"{arg}={value!r}"))
    return number


def positive_real(value: Any, arg: str, owner: str) -> float:
    """Returns ``value`` as a float if it is a finite number > 0 (numpy numbers too).

    Examples:
        >>> import numpy as np
        >>> positive_real(np.float32(0.5), "lr", "compile")
        0.5
        >>> positive_real(float("nan"), "lr", "compile")
        Traceback (most recent call last):
        ...
        seqkit.errors.ConfigError: compile lr: expected a positive finite number but received lr=nan
    """
    number = as_real(value)
    if number is None or not 0 < number < math.inf:
        raise ConfigError(explain(f"{owner} {arg}", expected="a positive finite number",
                                  received=f"{arg}={value!r}"))
    return number


def fraction(value: Any, arg: str, owner: str, *, allow_one: bool = False) -> float:
    """Returns ``value`` as a float in ``[0, 1)`` (``[0, 1]`` with ``allow_one``)."""
    number = as_real(value)
    if number is None or not (0 <= number <= 1 if allow_one else 0 <= number < 1):
        interval = "[0, 1]" if allow_one else "[0, 1)"
        raise ConfigError(explain(f"{owner} {arg}", expected=f"a number in {interval}",
                                  received=f"{arg}={value!r}"))
    return number


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


def sequence_of_layers(value: Any, arg: str, owner: str) -> list[Any]:
    """``value`` as a list if it is a list or tuple (of layers, or their configs: the
    caller checks each entry), else raises [`InputTypeError`][].

    Examples:
        >>> try:
        ...     sequence_of_layers(None, "layers", "Ensemble")
        ... except InputTypeError as error:
        ...     print(error)
        Ensemble layers: expected a list of layers but received layers=None
    """
    if not isinstance(value, list | tuple):
        raise InputTypeError(explain(f"{owner} {arg}", expected="a list of layers",
                                     received=f"{arg}={value!r}"[:80]))
    return list(value)


def iterable_of_layers(value: Any, arg: str, owner: str) -> Iterable[Any]:
    """``value`` if it is an iterable other than a string (``None``: no layers), else
    raises [`InputTypeError`][]; the caller checks each entry.

    Examples:
        >>> list(iterable_of_layers(None, "layers", "Sequential"))
        []
    """
    if value is None:
        return []
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InputTypeError(explain(f"{owner} {arg}", expected="a list of layers",
                                     received=f"{arg}={value!r}"[:80]))
    return value


def path_argument(value: Any, arg: str, owner: str) -> Path:
    """``value`` as a ``Path`` if it is a non-empty ``str`` or ``os.PathLike`` of one, else
    raises [`InputTypeError`][].

    Examples:
        >>> path_argument("model.onnx", "path", "to_onnx").name
        'model.onnx'
    """
    name = os.fspath(value) if isinstance(value, os.PathLike) else value
    if not isinstance(name, str) or not name:
        raise InputTypeError(explain(f"{owner} {arg}", expected="a path (str or pathlib.Path)",
                                     received=f"{type(value).__name__} {value!r}"[:80]))
    return Path(name)


def optional_text(value: Any, arg: str, owner: str) -> str | None:
    """``value`` if it is a string or ``None``, else raises [`InputTypeError`][].

    Examples:
        >>> optional_text("encoder", "name", "Sequential")
        'encoder'
    """
    if value is not None and not isinstance(value, str):
        raise InputTypeError(explain(f"{owner} {arg}", expected="a string or None",
                                     received=f"{arg}={value!r}"[:80]))
    return value


def input_shape_argument(shape: Any, owner: str) -> tuple[int | None, ...]:
    """``shape`` as a tuple of sizes (``None`` or integers >= 1, numpy integers too), the
    batch axis first, else raises [`ConfigError`][].

    Examples:
        >>> input_shape_argument([None, 5, 2], "Sequential.build")
        (None, 5, 2)
        >>> try:
        ...     input_shape_argument((None, 5, 0), "Sequential.build")
        ... except ConfigError as error:
        ...     print(str(error).split(" but")[0])
        Sequential.build input_shape: expected a tuple of sizes (None or integers >= 1)
    """
    sizes = tuple(shape) if isinstance(shape, tuple | list) else None
    if sizes is not None:
        numbers = [None if size is None else as_int(size) for size in sizes]
        if all(size is None or (number is not None and number >= 1)
               for size, number in zip(sizes, numbers, strict=True)):
            return tuple(numbers)
    raise ConfigError(explain(f"{owner} input_shape",
                              expected="a tuple of sizes (None or integers >= 1)",
                              received=f"input_shape={shape!r}"[:80],
                              fix="e.g. (None, time, features), the batch axis first"))
