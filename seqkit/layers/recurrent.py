"""``LSTM`` and ``GRU``: fused PyTorch kernels behind a Keras-style, length-aware block."""

from __future__ import annotations

from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from seqkit._checks import boolean, one_of, positive_int
from seqkit.layers._masked_rnn import run_masked
from seqkit.layers._recurrent_args import check_activations, check_go_backwards, check_reset_after
from seqkit.layers._recurrent_dropout import check_dropouts, input_dropout
from seqkit.layers._recurrent_init import initialize_rnn
from seqkit.layers._recurrent_start import StartingState
from seqkit.layers._sizes import check_rnn_size
from seqkit.layers.base import Layer, LayerOutput, Shape, register
from seqkit.layers.initializers import Initializer, check_initializer
from seqkit.layers.kernels import KernelPath, autocast_breaks_lstm, kernel_path
from seqkit.layers.state import RecurrentState

__all__ = ["GRU", "LSTM", "RecurrentLayer"]


class RecurrentLayer(StartingState, Layer):
    """Shared logic of [`LSTM`][] and [`GRU`][]; not used directly.

    Args:
        units: Size of the hidden state of each direction.
        num_layers: Stacked recurrent layers inside this block (one fused kernel).
        return_sequences: Return the whole output sequence ``(batch, time, directions *
            units)``, zeros at masked steps; otherwise the output at each sequence's last
            *kept* step ``(batch, directions * units)`` (for the backward direction: its
            output at the first kept step, where it ends). Masked steps (padding, or any
            step a [`Masking`][seqkit.layers.Masking] or ``Embedding(mask_zero=True)``
            masks) are skipped, as in Keras: the state carries over them.
        return_state: Report this layer's final state from
            ``Sequential.predict(..., return_state=True)``.
        bidirectional: Run a backward direction too; outputs double in width.
        go_backwards: Keras's: read each sequence from its last step to its first; the
            output sequence keeps that reversed order (with its mask reversed too).
        use_bias: Keras's: with ``False``, no bias at all (torch's ``bias=False``).
        activation: Only Keras's default ``"tanh"`` (the fused kernels fix it).
        recurrent_activation: Only Keras's default ``"sigmoid"`` (the same).
        dropout: Keras's input dropout: in training, the fraction of input features
            zeroed, one mask per sequence for all its steps (both directions share it).
        recurrent_dropout: Only ``0``: the fused kernels have no step to apply it at.
        stack_dropout: Dropout between the stacked layers (needs ``num_layers > 1``).
        kernel_initializer: A name from
            [`INITIALIZERS`][seqkit.layers.initializers.INITIALIZERS] or a callable (see
            [`seqkit.layers.initializers`][]); fans of Keras's ``(in, gates * units)``.
        recurrent_initializer: The same for the recurrent kernel (Keras's ``"orthogonal"``:
            orthonormal rows of its ``(units, gates * units)`` matrix).
        bias_initializer: The same for Keras's bias, which is torch's ``bias_ih +
            bias_hh`` (``"torch"`` keeps torch's two).
        initial_state: ``None`` to start from zeros, or ``"previous"`` to start from the
            final state of the recurrent layer before this one in the model (an
            encoder-decoder in a plain ``Sequential``).
        stateful: Carry the final state of each row of a batch into the same row of the
            next batch (and the next call), detached from the graph, until
            ``reset_states()``. Consecutive batches must then have the same size and
            ``fit`` must not shuffle.
        name: Layer name.
    """

    rnn_class: ClassVar[type[nn.LSTM] | type[nn.GRU]]
    unit_forget_bias: bool = False  # an LSTM's argument; a GRU has no forget gate
    input_ranks = (3,)
    rank_fix = "for one value per time step add a feature axis: x[..., None]"

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
        recurrent_activation: str = "sigmoid",
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
        super().__init__(name=name)
        kind = type(self).__name__
        self.units = positive_int(units, "units", kind)
        self.num_layers = positive_int(num_layers, "num_layers", kind)
        self.return_sequences = boolean(return_sequences, "return_sequences", kind)
        self.return_state = boolean(return_state, "return_state", kind)
        self.bidirectional = boolean(bidirectional, "bidirectional", kind)
        self.go_backwards = boolean(go_backwards, "go_backwards", kind)
        check_go_backwards(kind, self.go_backwards, self.bidirectional)
        self.use_bias = boolean(use_bias, "use_bias", kind)
        check_rnn_size(self, None)
        check_activations(kind, activation, recurrent_activation)
        self.activation, self.recurrent_activation = activation, recurrent_activation
        self.dropout, self.recurrent_dropout, self.stack_dropout = check_dropouts(
            kind, self.num_layers, dropout, recurrent_dropout, stack_dropout)
        self.kernel_initializer = check_initializer(kernel_initializer, "kernel_initializer",
                                                    kind)
        self.recurrent_initializer = check_initializer(
            recurrent_initializer, "recurrent_initializer", kind)
        self.bias_initializer = check_initializer(bias_initializer, "bias_initializer", kind,
                                                  matrix=False)
        self.initial_state = one_of(initial_state, "initial_state", kind, (None, "previous"))
        self.stateful = boolean(stateful, "stateful", kind)
        self.rnn: nn.LSTM | nn.GRU | None = None
        self.carried_state: RecurrentState | None = None  # stateful=True only
        self._templates: dict[int, nn.Module] = {}  # for the gather path, not weights

    @property
    def core(self) -> RecurrentLayer:
        """The layer that owns the kernel and state (itself; see ``Bidirectional.core``)."""
        return self

    @property
    def directions(self) -> int:
        """1, or 2 when bidirectional."""
        return 2 if self.bidirectional else 1

    @property
    def state_shape(self) -> tuple[int, int]:
        """Per-sample state shape: ``(num_layers * directions, units)``."""
        return (self.num_layers * self.directions, self.units)

    def get_config(self) -> dict[str, Any]:
        return {
            "units": self.units,
            "num_layers": self.num_layers,
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "bidirectional": self.bidirectional,
            "go_backwards": self.go_backwards,
            "use_bias": self.use_bias,
            "activation": self.activation,
            "recurrent_activation": self.recurrent_activation,
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "stack_dropout": self.stack_dropout,
            "kernel_initializer": self.kernel_initializer,
            "recurrent_initializer": self.recurrent_initializer,
            "bias_initializer": self.bias_initializer,
            "initial_state": self.initial_state,
            "stateful": self.stateful,
            "name": self.name,
        }

    def _build(self, input_shape: Shape) -> None:
        check_rnn_size(self, input_shape[-1])
        self.rnn = self.rnn_class(
            input_size=input_shape[-1],
            hidden_size=self.units,
            num_layers=self.num_layers,
            batch_first=True,
            dropout=self.stack_dropout,
            bidirectional=self.bidirectional,
            bias=self.use_bias,
        )
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draws every weight again with this layer's initialisers (each layer of the stack
        and each direction on its own, as Keras initialises each of its layers)."""
        assert self.rnn is not None
        initialize_rnn(self.rnn, self.kernel_initializer, self.recurrent_initializer,
                       self.bias_initializer, self.unit_forget_bias)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        width = self.directions * self.units
        if self.return_sequences:
            return (input_shape[0], input_shape[1], width)
        return (input_shape[0], width)

    def forward(
        self,
        values: Tensor,
        lengths: Tensor | None = None,
        state: RecurrentState | None = None,
        initial_state: RecurrentState | None = None,
        need_state: bool = True,
    ) -> LayerOutput:
        """Runs the layer; ``initial_state`` (batch-major) overrides every other start.
        ``need_state=False`` allows leaving the final state out (faster on some devices)."""
        self.ensure_built(values)
        return self.call(values, lengths, state, initial_state, need_state)

    def call(
        self,
        values: Tensor,
        lengths: Tensor | None,
        state: RecurrentState | None,
        initial_state: RecurrentState | None = None,
        need_state: bool = True,
    ) -> LayerOutput:
        initial = self.starting_state(values.shape[0], state, initial_state)
        if self.training and self.dropout > 0:
            values = input_dropout(values, self.dropout)
        out = self.run(values, lengths, initial, self.keeps_state(need_state))
        if self.stateful:
            self.carried_state = out.state.detach()  # type: ignore[union-attr]
        return out

    def keeps_state(self, need_state: bool) -> bool:
        """Whether a run computes the exact final state: when asked, and always when
        ``stateful`` (the state is carried to the next batch)."""
        return need_state or self.stateful

    def kernel_path(self, need_state: bool = False,
                    device: torch.device | str | None = None) -> KernelPath:
        """What runs this layer: its kernel, and how padded batches keep exact lengths.

        Derived from the same decision the forward pass takes
        ([`padded_handling`][seqkit.layers.kernels.padded_handling]).

        Args:
            need_state: As in ``forward``: whether the caller needs the final state.
            device: The device to report for; by default where the weights are (the CPU
                before the layer is built).

        Examples:
            >>> import torch, seqkit as sk
            >>> path = sk.GRU(4).kernel_path()
            >>> path.device, path.kernel, path.padded
            ('cpu', 'native', 'gathered')
        """
        if self.rnn is not None:
            weight = self.rnn.weight_hh_l0
            where, dtype = weight.device, weight.dtype
        else:
            where, dtype = torch.device("cpu"), torch.get_default_dtype()
        where = where if device is None else torch.device(device)
        return kernel_path(self.rnn_class, where, dtype, self.keeps_state(need_state))

    def run(
        self,
        values: Tensor,
        lengths: Tensor | None,
        initial: RecurrentState | None,
        need_state: bool = True,
    ) -> LayerOutput:
        """Runs the kernel from ``initial`` (already checked) and shapes the output.

        With ``need_state=False`` the final state may be left out (``None``), which lets
        padded batches take the device's faster exact path; ``padded_handling`` decides
        (and ``kernel_path`` reports the same decision).
        """
        assert self.rnn is not None
        if self.rnn_class is nn.LSTM and autocast_breaks_lstm(values.device):
            with torch.autocast("cpu", enabled=False):
                return self.run(values.float(), lengths, initial, need_state)
        outputs, last, final, lengths = run_masked(self.rnn, values, lengths, initial,
                                                   need_state, self._templates,
                                                   self.go_backwards)
        if self.return_sequences:
            return LayerOutput(outputs, lengths, final)
        return LayerOutput(last, None, final)


@register
class LSTM(RecurrentLayer):
    """Long short-term memory layer over ``(batch, time, features)``, run by ``nn.LSTM``.

    States are batch-major, ``(batch, num_layers * directions, units)`` for ``h`` and ``c``
    (see [`RecurrentState`][seqkit.layers.RecurrentState]).

    Weights start as Keras's do: a ``"glorot_uniform"`` kernel, an ``"orthogonal"``
    recurrent kernel, a zero bias with the forget gate's at 1 (``unit_forget_bias``).

    The arguments are those of [`RecurrentLayer`][], and:

    Args:
        unit_forget_bias: Start the forget gate's bias at 1 (the rest of the bias is drawn
            with ``bias_initializer``), as Keras does by default.

    Examples:
        >>> import torch, seqkit as sk
        >>> layer = sk.LSTM(8, return_sequences=True, bidirectional=True)
        >>> out = layer(torch.randn(4, 10, 3))
        >>> tuple(out.values.shape), tuple(out.state.h.shape)
        ((4, 10, 16), (4, 2, 8))

        Keras's ``LSTM(64, dropout=0.2)`` is the same here (input dropout in training):

        >>> layer = sk.LSTM(64, dropout=0.2)
        >>> layer.dropout, layer.kernel_initializer, layer.unit_forget_bias
        (0.2, 'glorot_uniform', True)
    """

    rnn_class = nn.LSTM

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
        recurrent_activation: str = "sigmoid",
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        stack_dropout: float = 0.0,
        kernel_initializer: Initializer = "glorot_uniform",
        recurrent_initializer: Initializer = "orthogonal",
        bias_initializer: Initializer = "zeros",
        unit_forget_bias: bool = True,
        initial_state: str | None = None,
        stateful: bool = False,
        name: str | None = None,
    ) -> None:
        self.unit_forget_bias = boolean(unit_forget_bias, "unit_forget_bias", "LSTM")
        super().__init__(
            units, num_layers=num_layers, return_sequences=return_sequences,
            return_state=return_state, bidirectional=bidirectional,
            go_backwards=go_backwards, use_bias=use_bias, activation=activation,
            recurrent_activation=recurrent_activation, dropout=dropout,
            recurrent_dropout=recurrent_dropout, stack_dropout=stack_dropout,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, initial_state=initial_state, stateful=stateful,
            name=name,
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["unit_forget_bias"] = self.unit_forget_bias
        return config


@register
class GRU(RecurrentLayer):
    """Gated recurrent unit layer over ``(batch, time, features)``, run by ``nn.GRU``.

    The state has ``h`` only. It is Keras's GRU with ``reset_after=True`` (its default) and
    starts from Keras's weights. The arguments are those of [`RecurrentLayer`][], and:

    Args:
        reset_after: Only ``True``: torch's ``nn.GRU`` applies the reset gate after the
            recurrent matrix product; ``False`` (Keras 1's GRU) is refused.

    Examples:
        >>> import torch, seqkit as sk
        >>> out = sk.GRU(5)(torch.randn(2, 7, 3), lengths=torch.tensor([7, 3]))
        >>> tuple(out.values.shape), out.state.c is None
        ((2, 5), True)
    """

    rnn_class = nn.GRU

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
        recurrent_activation: str = "sigmoid",
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        stack_dropout: float = 0.0,
        kernel_initializer: Initializer = "glorot_uniform",
        recurrent_initializer: Initializer = "orthogonal",
        bias_initializer: Initializer = "zeros",
        reset_after: bool = True,
        initial_state: str | None = None,
        stateful: bool = False,
        name: str | None = None,
    ) -> None:
        self.reset_after = check_reset_after(reset_after)
        super().__init__(
            units, num_layers=num_layers, return_sequences=return_sequences,
            return_state=return_state, bidirectional=bidirectional,
            go_backwards=go_backwards, use_bias=use_bias, activation=activation,
            recurrent_activation=recurrent_activation, dropout=dropout,
            recurrent_dropout=recurrent_dropout, stack_dropout=stack_dropout,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, initial_state=initial_state, stateful=stateful,
            name=name,
        )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "reset_after": self.reset_after}
