"""Activation functions by Keras name."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor
from torch.nn import functional as F

from seqkit.errors import unknown_name

__all__ = ["ACTIVATIONS", "get_activation"]


# Named module-level functions, not lambdas, so that layers holding them pickle (Lightning's
# spawn strategies, torch.save of a whole model).
def _linear(x: Tensor) -> Tensor:
    return x


def _softmax(x: Tensor) -> Tensor:
    return torch.softmax(x, dim=-1)


def _log_softmax(x: Tensor) -> Tensor:
    return torch.log_softmax(x, dim=-1)


def _leaky_relu(x: Tensor) -> Tensor:
    return F.leaky_relu(x, negative_slope=0.2)  # Keras's slope


ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "linear": _linear,
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "softmax": _softmax,
    "log_softmax": _log_softmax,
    "gelu": F.gelu,
    "elu": F.elu,
    "selu": F.selu,
    "leaky_relu": _leaky_relu,
    "softplus": F.softplus,
    "silu": F.silu,
    "swish": F.silu,
}


def get_activation(name: str | None) -> Callable[[Tensor], Tensor]:
    """Returns the activation called ``name`` (``None`` means linear).

    Examples:
        >>> import torch
        >>> get_activation("relu")(torch.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """
    key = "linear" if name is None else name
    if key not in ACTIVATIONS:
        raise unknown_name("activation", str(name), ACTIVATIONS)
    return ACTIVATIONS[key]
