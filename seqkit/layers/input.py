"""``Input(shape)``: Keras's declaration of a model's per-sample input shape.

As the first element of ``Sequential([...])`` (or the ``input_shape=`` argument of the
first layer, Keras 2's style) it builds the model at once, so ``summary``,
``get_weights`` and ``count_params`` work before any data is seen.
"""

from __future__ import annotations

from typing import Any

from seqkit.errors import ConfigError, explain

__all__ = ["Input", "per_sample_shape"]


def per_sample_shape(shape: Any, owner: str, arg: str = "shape") -> tuple[int | None, ...]:
    """``shape`` checked as Keras's per-sample shape (no batch axis): positive sizes, or
    ``None`` for a size that may vary (e.g. the time axis). An int means ``(int,)``.

    Examples:
        >>> per_sample_shape((None, 3), "Input"), per_sample_shape(4, "Dense", "input_dim")
        ((None, 3), (4,))
    """
    dims = (shape,) if isinstance(shape, int) and not isinstance(shape, bool) else shape
    valid = isinstance(dims, tuple | list) and len(dims) > 0 and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool) and d > 0) for d in dims)
    if not valid:
        raise ConfigError(explain(
            f"{owner} {arg}", expected="a tuple of sizes without the batch axis, None for a "
            "size that may vary", received=f"{arg}={shape!r}",
            fix="e.g. (30, 4) for 30 steps of 4 features, (None, 4) for any length"))
    return tuple(dims)


class Input:
    """Keras's ``Input``: the shape of one sample, without the batch axis.

    Args:
        shape: E.g. ``(30, 4)`` (steps, features), ``(None, 4)`` for any length, ``(None,)``
            for token ids of any length.
        batch_size: Accepted for Keras's signature; seqkit models take any batch size.
        dtype: Accepted for Keras's signature; seqkit reads the dtype from the data (ids
            for a model starting with an ``Embedding``, float32 otherwise).
        name: Accepted for Keras's signature (not a layer: it holds no weights).

    Examples:
        >>> import seqkit as sk
        >>> model = sk.Sequential([sk.Input((30, 4)), sk.LSTM(8), sk.Dense(1)])
        >>> model.built, model.input_shape, model.output_shape
        (True, (None, 30, 4), (None, 1))
    """

    def __init__(self, shape: Any, batch_size: int | None = None, dtype: Any = None, *,
                 name: str | None = None) -> None:
        self.shape = per_sample_shape(shape, "Input")
        self.batch_size, self.dtype, self.name = batch_size, dtype, name

    @property
    def batch_shape(self) -> tuple[int | None, ...]:
        """The shape the model builds for: ``(None, *shape)`` (batch-major)."""
        return (None, *self.shape)

    def __repr__(self) -> str:
        return f"Input(shape={self.shape!r})"
