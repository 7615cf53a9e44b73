"""Activation functions by Keras name."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor
from torch.nn import functional as F

from seqkit.errors import unknown_name

__all__ = ["ACTIVATIONS", "get_activation"]

ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "linear": lambda x: x,
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "softmax": lambda x: torch.softmax(x, dim=-1),
    "log_softmax": lambda x: torch.log_softmax(x, dim=-1),
    "gelu": F.gelu,
    "elu": F.elu,
    "selu": F.selu,
    "leaky_relu": lambda x: F.leaky_relu(x, negative_slope=0.2),  # Keras's slope
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
