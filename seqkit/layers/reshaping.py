"""``Flatten`` and ``Reshape``: Keras's reshaping of each sample, kept honest on padded
batches."""

from __future__ import annotations

import math
from typing import Any

from torch import Tensor

from seqkit.errors import ConfigError, InputError, explain
from seqkit.layers._windows import integer
from seqkit.layers.base import Layer, LayerOutput, Shape, register
from seqkit.layers.masks import step_mask
from seqkit.layers.state import RecurrentState

__all__ = ["Flatten", "Reshape"]

_POOL_FIX = ("pool over time instead (GlobalAveragePooling1D, LastStep, or an LSTM with "
             "return_sequences=False), or give windows of one length without lengths")


def _refuse_padding(owner: str, values: Tensor, lengths: Tensor | None) -> None:
    """Raises if some step is padding: the layer would mix it into the values."""
    if lengths is None or values.dim() < 3:
        return
    if not bool(step_mask(lengths.to(values.device), values.shape[1]).all()):
        raise InputError(explain(
            f"{owner} input", expected="sequences that fill the time axis (it mixes every "
            "step, padding included, into each sample's values)",
            received="a padded batch (sequences of different lengths, or masked steps)",
            fix=_POOL_FIX))


@register
class Flatten(Layer):
    """Flattens each sample: ``(batch, time, features) -> (batch, time * features)``, as
    Keras's ``Flatten``.

    The time axis goes into the features, so the steps must be fixed (windows of one
    length, the ``Dense`` after it has ``time * features`` inputs). A padded batch would
    put padding into the values and make a sample's result depend on its batch: it is
    refused (pool over time instead), as is a time length other than the one built for.

    Args:
        name: Layer name.

    Examples:
        >>> import torch, seqkit as sk
        >>> tuple(sk.Flatten()(torch.randn(2, 4, 3)).values.shape)
        (2, 12)
        >>> sk.Flatten().compute_output_shape((None, None, 3))
        (None, None)
    """

    input_ranks = (2, 3, 4, 5)
    checks_features = False

    def __init__(self, *, name: str | None = None) -> None:
        super().__init__(name=name)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        sizes = input_shape[1:]
        known = all(size is not None for size in sizes)
        return (input_shape[0], math.prod(sizes) if known else None)  # type: ignore[arg-type]

    def call(
        self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
    ) -> LayerOutput:
        built = self.input_shape[1:] if self.input_shape is not None else ()
        if len(built) == values.dim() - 1 and any(
                want is not None and want != got
                for want, got in zip(built, values.shape[1:], strict=True)):
            raise InputError(explain(
                f"{self.label} input", expected=f"samples of shape {tuple(built)} (the "
                "shape it was built for: the next layer's inputs depend on it)",
                received=f"shape {tuple(values.shape)}",
                fix="give windows of the built length, or pool over time instead"))
        _refuse_padding(self.label, values, lengths)
        return LayerOutput(values.reshape(values.shape[0], -1), None, state)


def _target(value: Any) -> tuple[int, ...]:
    sizes = tuple(value) if isinstance(value, tuple | list) else (value,)
    numbers = [integer(size) for size in sizes]
    if (not sizes or any(n is None or (n < 1 and n != -1) for n in numbers)
            or numbers.count(-1) > 1):
        raise ConfigError(explain(
            "Reshape target_shape", expected="a tuple of positive sizes per sample (no "
            "batch axis), at most one of them -1 (inferred)",
            received=f"target_shape={value!r}"))
    return tuple(numbers)  # type: ignore[arg-type]


@register
class Reshape(Layer):
    """Reshapes each sample to ``target_shape`` (the batch axis stays), as Keras's
    ``Reshape``; one size may be ``-1`` (inferred).

    On a padded batch, a reshape that keeps the time axis first and reshapes each step's
    features (``(time, 6) -> (time, 2, 3)``, or ``(-1, 2, 3)``) keeps the lengths; any
    other reshape mixes steps and refuses padding.

    Args:
        target_shape: The shape of each sample, without the batch axis.
        name: Layer name.

    Examples:
        >>> import torch, seqkit as sk
        >>> tuple(sk.Reshape((2, -1))(torch.randn(5, 4, 3)).values.shape)
        (5, 2, 6)
        >>> out = sk.Reshape((-1, 3, 2))(torch.randn(2, 4, 6), lengths=torch.tensor([4, 2]))
        >>> tuple(out.values.shape), out.lengths.tolist()
        ((2, 4, 3, 2), [4, 2])
    """

    input_ranks = (2, 3, 4, 5)
    checks_features = False

    def __init__(self, target_shape: tuple[int, ...] | list[int], *,
                 name: str | None = None) -> None:
        super().__init__(name=name)
        self.target_shape = _target(target_shape)

    def get_config(self) -> dict[str, Any]:
        return {"target_shape": list(self.target_shape), "name": self.name}

    def _resolved(self, input_shape: Shape) -> tuple[int | None, ...]:
        sizes = input_shape[1:]
        if any(size is None for size in sizes):
            return tuple(None if size == -1 else size for size in self.target_shape)
        total = math.prod(sizes)  # type: ignore[arg-type]
        known = math.prod(size for size in self.target_shape if size != -1)
        fits = total % known == 0 if -1 in self.target_shape else total == known
        if not fits:
            wanted = ("a multiple of " if -1 in self.target_shape else "") + str(known)
            raise InputError(explain(
                f"{self.label} input", expected=f"{wanted} values per sample (target_shape="
                f"{self.target_shape})",
                received=f"shape {tuple(input_shape)}: {total} values per sample",
                fix=f"use a target_shape whose sizes multiply to {total}, or -1 for one "
                "of its sizes"))
        return tuple(total // known if size == -1 else size for size in self.target_shape)

    def check_input_shape(self, input_shape: Shape) -> None:
        super().check_input_shape(input_shape)
        self._resolved(input_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0], *self._resolved(input_shape))

    def call(
        self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
    ) -> LayerOutput:
        shape = self._resolved((None, *values.shape[1:]))
        out = values.reshape(values.shape[0], *shape)
        if lengths is None or values.dim() < 3:
            return LayerOutput(out, None, state)
        if out.dim() >= 3 and out.shape[1] == values.shape[1]:
            return LayerOutput(out, lengths, state)  # each step reshaped on its own
        _refuse_padding(self.label, values, lengths)
        return LayerOutput(out, None, state)
