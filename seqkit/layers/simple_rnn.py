"""``SimpleRNN``: Keras's fully connected recurrent layer on the fused ``nn.RNN`` kernel."""

from __future__ import annotations

from typing import Any

from torch import nn

from seqkit.errors import ConfigError, explain
from seqkit.layers._sizes import check_rnn_size
from seqkit.layers.base import Shape, register
from seqkit.layers.initializers import Initializer
from seqkit.layers.recurrent import RecurrentLayer

__all__ = ["SimpleRNN"]

_ACTIVATIONS = ("tanh", "relu")


@register
class SimpleRNN(RecurrentLayer):
    """Fully connected recurrent layer, ``h_t = activation(x_t W + h_{t-1} U + b)``, over
    ``(batch, time, features)``, run by ``nn.RNN`` (one fused kernel call, no Python loop).

    Everything an [`LSTM`][seqkit.layers.LSTM] has works the same: ``bidirectional`` (or
    [`Bidirectional`][seqkit.layers.Bidirectional]), ``num_layers``, masks and padded
    batches (masked steps are skipped, the state carries over them), ``return_state``,
    ``initial_state="previous"``, ``stateful`` and streaming, Keras's input ``dropout``.
    The state has ``h`` only. Weights start as Keras's: a ``"glorot_uniform"`` kernel, an
    ``"orthogonal"`` recurrent kernel and a zero bias (Keras's one bias is torch's
    ``bias_ih``; ``bias_hh`` stays zero and frozen, so the bias trains at Keras's rate).

    The arguments are those of [`RecurrentLayer`][seqkit.layers.RecurrentLayer] without
    ``recurrent_activation``, and:

    Args:
        activation: ``"tanh"`` (Keras's default) or ``"relu"``: the two ``nn.RNN`` runs.

    Examples:
        >>> import torch, seqkit as sk
        >>> layer = sk.SimpleRNN(4, return_sequences=True, bidirectional=True)
        >>> out = layer(torch.randn(2, 6, 3), lengths=torch.tensor([6, 2]))
        >>> tuple(out.values.shape), tuple(out.state.h.shape), out.state.c is None
        ((2, 6, 8), (2, 2, 4), True)
        >>> bool((out.values[1, 2:] == 0).all())  # padding: zeros
        True
        >>> sk.SimpleRNN(8, activation="relu").rnn_options()
        {'nonlinearity': 'relu'}
    """

    rnn_class = nn.RNN  # type: ignore[assignment]

    def __init__(
        self,
        units: int,
        *,
        num_layers: int = 1,
        return_sequences: bool = False,
        return_state: bool = False,
        bidirectional: bool = False,
        go_backwards: bool = False,
        use_bias: bool = True,
        activation: str = "tanh",
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        stack_dropout: float = 0.0,
        kernel_initializer: Initializer = "glorot_uniform",
        recurrent_initializer: Initializer = "orthogonal",
        bias_initializer: Initializer = "zeros",
        initial_state: str | None = None,
        stateful: bool = False,
        name: str | None = None,
    ) -> None:
        if not (isinstance(activation, str) and activation in _ACTIVATIONS):
            raise ConfigError(explain(
                "SimpleRNN activation", expected=f"one of {list(_ACTIVATIONS)} (the fused "
                "nn.RNN kernel runs these two)", received=f"activation={activation!r}",
                fix="use 'tanh' (Keras's default) or 'relu'; another function needs a "
                "hand-written cell (a Python loop over time steps, much slower)"))
        super().__init__(
            units, num_layers=num_layers, return_sequences=return_sequences,
            return_state=return_state, bidirectional=bidirectional,
            go_backwards=go_backwards, use_bias=use_bias, dropout=dropout,
            recurrent_dropout=recurrent_dropout, stack_dropout=stack_dropout,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, initial_state=initial_state, stateful=stateful,
            name=name,
        )
        self.activation = activation

    def rnn_options(self) -> dict[str, Any]:
        """The extra arguments of ``nn.RNN``: its ``nonlinearity``."""
        return {"nonlinearity": self.activation}

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["recurrent_activation"]
        return config

    def _build(self, input_shape: Shape) -> None:
        check_rnn_size(self, input_shape[-1])
        self.rnn = nn.RNN(
            input_size=input_shape[-1],
            hidden_size=self.units,
            num_layers=self.num_layers,
            batch_first=True,
            dropout=self.stack_dropout,
            bidirectional=self.bidirectional,
            bias=self.use_bias,
            **self.rnn_options(),
        )
        self.reset_parameters()
