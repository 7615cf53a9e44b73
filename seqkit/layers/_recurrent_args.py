"""Keras arguments of ``LSTM`` / ``GRU`` that the fused kernels fix: the activations,
``GRU(reset_after=False)``, and ``go_backwards`` with a bidirectional layer."""

from __future__ import annotations

from typing import Any

from seqkit.errors import ConfigError, explain

__all__ = ["check_activations", "check_go_backwards", "check_reset_after"]

_FUSED = ("the fused cuDNN/oneDNN kernels (nn.LSTM / nn.GRU) compute the gates with "
          "tanh and sigmoid and take no other function")


def check_activations(kind: str, activation: Any, recurrent_activation: Any) -> None:
    """Accepts Keras's defaults, ``activation="tanh"`` and
    ``recurrent_activation="sigmoid"``; refuses anything else.

    Raises:
        ConfigError: Another activation (the fused kernels cannot run it).

    Examples:
        >>> check_activations("LSTM", "tanh", "sigmoid")
        >>> check_activations("GRU", "relu", "sigmoid")
        Traceback (most recent call last):
        ...
        seqkit.errors.ConfigError: GRU activation: expected 'tanh' (the fused cuDNN/oneDNN \
kernels (nn.LSTM / nn.GRU) compute the gates with tanh and sigmoid and take no other \
function) but received activation='relu'; drop the argument (Keras's default is 'tanh'), \
or write the cell yourself (a Python loop over time steps, much slower)
    """
    for arg, value, default in (("activation", activation, "tanh"),
                                ("recurrent_activation", recurrent_activation, "sigmoid")):
        if not (isinstance(value, str) and value == default):
            raise ConfigError(explain(
                f"{kind} {arg}", expected=f"{default!r} ({_FUSED})",
                received=f"{arg}={value!r}",
                fix=f"drop the argument (Keras's default is {default!r}), or write the cell "
                "yourself (a Python loop over time steps, much slower)"))


def check_reset_after(reset_after: Any) -> bool:
    """Accepts ``reset_after=True`` (Keras's default, and the only GRU torch has).

    Raises:
        ConfigError: ``reset_after=False`` (Keras 1's GRU, which applies the reset gate
            before the recurrent matrix product).

    Examples:
        >>> check_reset_after(True)
        True
    """
    if reset_after is not True:
        raise ConfigError(explain(
            "GRU reset_after",
            expected="True (torch's nn.GRU applies the reset gate after the recurrent "
            "matrix product, as Keras does by default; it has no reset_after=False form)",
            received=f"reset_after={reset_after!r}",
            fix="drop the argument; weights trained with reset_after=False do not carry "
            "over"))
    return True


def check_go_backwards(kind: str, go_backwards: bool, bidirectional: bool) -> None:
    """Refuses ``go_backwards`` on a bidirectional layer.

    Raises:
        ConfigError: Both set (a bidirectional layer already reads the sequence backwards
            too).

    Examples:
        >>> check_go_backwards("LSTM", True, False)
    """
    if go_backwards and bidirectional:
        raise ConfigError(explain(
            f"{kind} go_backwards", expected="False on a bidirectional layer",
            received="go_backwards=True with bidirectional=True",
            fix="drop go_backwards: the backward direction already reads each sequence "
            "from its end"))
