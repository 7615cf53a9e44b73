"""Weight initialisers by Keras name, applied to torch's parameters.

Layers take ``kernel_initializer``, ``recurrent_initializer``, ``bias_initializer`` and
``embeddings_initializer`` as Keras does: a name from [`INITIALIZERS`][] or a callable.

* A **name** draws exactly Keras's distribution for the Keras weight the torch parameter
  stands for: the fans are those of Keras's shape (an LSTM kernel is ``(in, 4 * units)``
  in Keras, ``(4 * units, in)`` in torch: fan-in ``in``, fan-out ``4 * units`` either
  way), ``"orthogonal"`` gives the whole recurrent kernel orthonormal rows in Keras's
  layout (``W @ W.T = I`` for Keras's ``(units, 4 * units)``), and the fixed-scale names
  (``"uniform"``, ``"normal"``, ``"truncated_normal"``) use Keras's 0.05.
  ``"torch"`` keeps what torch's own module drew (e.g. ``nn.LSTM``: U(-1/sqrt(units),
  1/sqrt(units)) for every weight; ``nn.Embedding``: N(0, 1)).
* A **callable** is called once per torch parameter (or slice of one), like the functions
  of ``torch.nn.init``: it receives the tensor in torch's layout (``(out, in)``, gate
  blocks in torch's order) and fills it in place, e.g. ``torch.nn.init.xavier_uniform_``.
  Make it a module-level function (not a lambda) if the model is to be pickled; a model
  holding a callable cannot be saved to a ``.seqkit`` file (its config is JSON).

Draws use torch's global random generator, so ``fit(seed=...)`` (or
``torch.manual_seed``) fixes them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor, nn

from seqkit.errors import ConfigError, InputTypeError, explain, unknown_name

__all__ = ["INITIALIZERS", "Initializer", "check_initializer", "compute_fans", "initialize"]

Initializer = str | Callable[[Tensor], Any]
"""A name from [`INITIALIZERS`][seqkit.layers.initializers.INITIALIZERS], or a callable
that fills a tensor in place (as ``torch.nn.init.xavier_uniform_`` does)."""

_Fill = Callable[[Tensor, int, int], None]

_FIXED_SCALE = 0.05  # Keras's RandomUniform / RandomNormal / TruncatedNormal defaults
_TRUNCATED_STD = 0.87962566103423978  # std of N(0, 1) truncated to [-2, 2], as in Keras


def _variance_scaling(scale: float, mode: str, distribution: str) -> _Fill:
    def fill(tensor: Tensor, fan_in: int, fan_out: int) -> None:
        fans = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}
        variance = scale / max(1.0, fans[mode])
        if distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            nn.init.uniform_(tensor, -limit, limit)
        else:
            std = math.sqrt(variance) / _TRUNCATED_STD
            nn.init.trunc_normal_(tensor, 0.0, std, -2 * std, 2 * std)
    fill.__qualname__ = fill.__name__ = f"{mode}_{distribution}_{scale:g}"
    return fill


def _orthogonal(tensor: Tensor, fan_in: int, fan_out: int) -> None:
    # Orthonormal rows (or columns) are kept by a transpose, so torch's (out, in) layout
    # holds the transpose of an orthogonal Keras (in, out) matrix.
    nn.init.orthogonal_(tensor)


def _zeros(tensor: Tensor, fan_in: int, fan_out: int) -> None:
    tensor.zero_()


def _ones(tensor: Tensor, fan_in: int, fan_out: int) -> None:
    tensor.fill_(1.0)


def _random_uniform(tensor: Tensor, fan_in: int, fan_out: int) -> None:
    nn.init.uniform_(tensor, -_FIXED_SCALE, _FIXED_SCALE)


def _random_normal(tensor: Tensor, fan_in: int, fan_out: int) -> None:
    nn.init.normal_(tensor, 0.0, _FIXED_SCALE)


def _truncated_normal(tensor: Tensor, fan_in: int, fan_out: int) -> None:
    nn.init.trunc_normal_(tensor, 0.0, _FIXED_SCALE, -2 * _FIXED_SCALE, 2 * _FIXED_SCALE)


def _keep_torch(tensor: Tensor, fan_in: int, fan_out: int) -> None:
    """torch's module already drew its own default when it was created."""


_FILLS: dict[str, _Fill] = {
    "glorot_uniform": _variance_scaling(1.0, "fan_avg", "uniform"),
    "glorot_normal": _variance_scaling(1.0, "fan_avg", "truncated_normal"),
    "he_uniform": _variance_scaling(2.0, "fan_in", "uniform"),
    "he_normal": _variance_scaling(2.0, "fan_in", "truncated_normal"),
    "lecun_uniform": _variance_scaling(1.0, "fan_in", "uniform"),
    "lecun_normal": _variance_scaling(1.0, "fan_in", "truncated_normal"),
    "orthogonal": _orthogonal,
    "zeros": _zeros,
    "ones": _ones,
    "uniform": _random_uniform,
    "random_uniform": _random_uniform,
    "normal": _random_normal,
    "random_normal": _random_normal,
    "truncated_normal": _truncated_normal,
    "torch": _keep_torch,
}

INITIALIZERS: tuple[str, ...] = tuple(_FILLS)
"""The initialiser names, as Keras spells them, plus ``"torch"``.

``glorot_*`` scale by ``(fan_in + fan_out) / 2``, ``he_*`` (twice) and ``lecun_*`` by
``fan_in``; ``*_uniform`` draw from U(-limit, limit), ``*_normal`` from a normal truncated
at two standard deviations, as Keras's ``VarianceScaling``. ``"orthogonal"`` needs a
matrix. ``"uniform"`` / ``"random_uniform"`` draw from U(-0.05, 0.05), ``"normal"`` /
``"random_normal"`` from N(0, 0.05²), ``"truncated_normal"`` from N(0, 0.05²) truncated at
±0.1. ``"torch"`` keeps torch's own default for that parameter."""

_MATRIX_ONLY = frozenset({"orthogonal"})


def check_initializer(value: Any, arg: str, owner: str, *, matrix: bool = True
                      ) -> Initializer:
    """Returns ``value`` if it names an initialiser (or is callable), else raises.

    Args:
        value: The argument as given.
        arg: Its name, e.g. ``"kernel_initializer"``.
        owner: The layer, e.g. ``"LSTM"``.
        matrix: Whether the weight is a matrix (``False`` for biases, which refuse
            ``"orthogonal"``).

    Raises:
        ConfigError: An unknown name (the message suggests the closest), or
            ``"orthogonal"`` for a vector.
        InputTypeError: Neither a string nor a callable.

    Examples:
        >>> check_initializer("glorot_uniform", "kernel_initializer", "LSTM")
        'glorot_uniform'
        >>> try:
        ...     check_initializer("glorot_unifrom", "kernel_initializer", "LSTM")
        ... except ConfigError as error:
        ...     print(str(error).split("; ")[-1])
        did you mean 'glorot_uniform'?
    """
    if isinstance(value, str):
        if value not in _FILLS:
            raise unknown_name(f"{owner} {arg}", value, INITIALIZERS)
        if value in _MATRIX_ONLY and not matrix:
            raise ConfigError(explain(
                f"{owner} {arg}", expected="an initialiser for a vector",
                received=f"{arg}={value!r}",
                fix="orthogonal needs a matrix; use 'zeros' (Keras's bias default)"))
        return value
    if callable(value):
        return value
    raise InputTypeError(explain(
        f"{owner} {arg}", expected="an initialiser name or a callable filling a tensor in place",
        received=f"{arg}={value!r}", fix=f"one of {', '.join(map(repr, INITIALIZERS))}"))


def compute_fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of Keras shape ``shape``, as Keras computes them.

    Examples:
        >>> compute_fans((3, 64)), compute_fans((16,))
        ((3, 64), (16, 16))
    """
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def initialize(initializer: Initializer, tensor: Tensor, keras_shape: tuple[int, ...]
               ) -> None:
    """Fills ``tensor`` in place with ``initializer``, without recording gradients.

    Args:
        initializer: A name from [`INITIALIZERS`][] or a callable ``tensor -> None``.
        tensor: The torch parameter, or a slice of one (a view).
        keras_shape: The shape of the Keras weight ``tensor`` stands for; a name's fans
            come from it (a callable only sees ``tensor``).

    Examples:
        >>> import torch
        >>> weight = torch.empty(64, 3)  # torch's (4 * units, in) of an LSTM(16) on 3 inputs
        >>> initialize("glorot_uniform", weight, (3, 64))
        >>> bool(weight.abs().max() <= (6 / (3 + 64)) ** 0.5)
        True
    """
    with torch.no_grad():
        if isinstance(initializer, str):
            _FILLS[initializer](tensor, *compute_fans(keras_shape))
        else:
            initializer(tensor)
