"""The dropouts of ``LSTM`` / ``GRU``: Keras's input dropout, torch's between stacked
layers, and the refusal of Keras's ``recurrent_dropout`` (no fused kernel can apply it)."""

from __future__ import annotations

import torch
from torch import Tensor

from seqkit._checks import fraction
from seqkit.errors import ConfigError, explain

__all__ = ["check_dropouts", "input_dropout"]


def check_dropouts(kind: str, num_layers: int, dropout: float, recurrent_dropout: float,
                   stack_dropout: float) -> tuple[float, float, float]:
    """The three rates, checked: each in ``[0, 1)``, ``recurrent_dropout`` 0 and
    ``stack_dropout`` only with ``num_layers > 1``.

    Raises:
        ConfigError: A rate outside ``[0, 1)``, ``recurrent_dropout > 0`` (the fused
            kernels run every step in one call), or ``stack_dropout`` on one layer.

    Examples:
        >>> check_dropouts("LSTM", 2, 0.2, 0.0, 0.1)
        (0.2, 0.0, 0.1)
    """
    rates = (fraction(dropout, "dropout", kind),
             fraction(recurrent_dropout, "recurrent_dropout", kind),
             fraction(stack_dropout, "stack_dropout", kind))
    if rates[1] > 0:
        raise ConfigError(explain(
            f"{kind} recurrent_dropout",
            expected="0 (the fused cuDNN/oneDNN kernels run all time steps in one call and "
            "have no step at which to drop the recurrent state)",
            received=f"recurrent_dropout={recurrent_dropout!r}",
            fix="use dropout= (input dropout, one mask per sequence) or stack_dropout= "
            "(between stacked layers) instead"))
    if rates[2] > 0 and num_layers == 1:
        raise ConfigError(explain(
            f"{kind} stack_dropout",
            expected="num_layers > 1 (it drops out between stacked layers)",
            received=f"stack_dropout={stack_dropout!r} with num_layers=1",
            fix="for Keras's input dropout use dropout=; for dropout on this layer's output "
            "add a Dropout layer after it"))
    return rates


def input_dropout(values: Tensor, rate: float) -> Tensor:
    """``values`` ``(batch, time, features)`` with Keras's input dropout: one mask of
    features per sequence, the same at every time step, scaled by ``1 / (1 - rate)``.

    Examples:
        >>> dropped = input_dropout(torch.ones(3, 4, 5), 0.5)
        >>> bool((dropped == dropped[:, :1]).all())  # the same mask at every step
        True
    """
    keep = 1.0 - rate
    mask = torch.empty(values.shape[0], 1, values.shape[2], dtype=values.dtype,
                       device=values.device).bernoulli_(keep)
    return values * mask / keep
