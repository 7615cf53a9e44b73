"""Rows of user data: counting samples, taking a range of them, ``validation_split``."""

from __future__ import annotations

from typing import Any

from seqkit.errors import InputError, explain

__all__ = ["rows", "sample_count", "split_point"]


def sample_count(data: Any, arg: str) -> int:
    """Samples in a batch-major tensor, array, list or pandas object.

    Examples:
        >>> sample_count([[1.0], [2.0]], "x")
        2
    """
    shape = getattr(data, "shape", None)
    if shape is not None and len(shape) > 0:
        return int(shape[0])
    if isinstance(data, str | bytes) or not hasattr(data, "__len__"):
        raise InputError(explain(arg, expected="one entry per sample (an array or a list)",
                                 received=f"a {type(data).__name__}",
                                 fix=f"pass {arg} as an array with one row per sample"))
    return len(data)


def rows(data: Any, start: int, stop: int) -> Any:
    """Rows ``start:stop`` of a batch-major list, array, tensor or pandas object (a view
    where the type has them; ``None`` stays ``None``).

    Examples:
        >>> rows([1, 2, 3, 4], 1, 3), rows(None, 0, 1)
        ([2, 3], None)
    """
    if data is None:
        return None
    if hasattr(data, "iloc"):
        return data.iloc[start:stop]
    return data[start:stop]


def split_point(n: int, fraction: float) -> int:
    """Index where the last ``fraction`` of ``n`` samples starts (Keras's
    ``validation_split``), checked to leave samples on both sides.

    Examples:
        >>> split_point(10, 0.2)
        8
    """
    n_val = int(n * fraction)
    if n_val == 0 or n_val == n:
        raise InputError(explain(
            "fit validation_split", expected="a fraction leaving samples on both sides",
            received=f"validation_split={fraction} of {n} samples ({n_val} for validation)"))
    return n - n_val
