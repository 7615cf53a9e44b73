"""``LSTM`` and ``GRU``: fused PyTorch kernels behind a Keras-style, length-aware block."""

from __future__ import annotations

from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from seqkit._checks import boolean, fraction, one_of, positive_int
from seqkit.errors import ConfigError, InputError, explain
from seqkit.layers._gathered_rnn import run_rnn_gathered
from seqkit.layers._run_rnn import last_step, run_rnn
from seqkit.layers.base import Layer, LayerOutput, Shape, register
from seqkit.layers.kernels import (
    KernelPath,
    autocast_breaks_lstm,
    kernel_path,
    padded_handling,
)
from seqkit.layers.state import RecurrentState

__all__ = ["GRU", "LSTM", "RecurrentLayer"]


class RecurrentLayer(Layer):
    """Shared logic of [`LSTM`][] and [`GRU`][]; not used directly.

    Args:
        units: Size of the hidden state of each direction.
        num_layers: Stacked recurrent layers inside this block (one fused kernel).
        return_sequences: Return the whole output sequence ``(batch, time, directions *
            units)``; otherwise the output at each sequence's last *valid* step
            ``(batch, directions * units)`` (for the backward direction: its output at
            time 0, where it ends).
        return_state: Report this layer's final state from
            ``Sequential.predict(..., return_state=True)``.
        bidirectional: Run a backward direction too; outputs double in width.
        dropout: Dropout between the stacked layers (needs ``num_layers > 1``).
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
        dropout: float = 0.0,
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
        self.dropout = fraction(dropout, "dropout", kind)
        if self.dropout > 0 and self.num_layers == 1:
            raise ConfigError(
                explain(
                    f"{kind} dropout",
                    expected="num_layers > 1 (it drops out between stacked layers)",
                    received=f"dropout={dropout!r} with num_layers=1",
                    fix="add a Dropout layer after this one instead",
                )
            )
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
            "dropout": self.dropout,
            "initial_state": self.initial_state,
            "stateful": self.stateful,
            "name": self.name,
        }

    def _build(self, input_shape: Shape) -> None:
        self.rnn = self.rnn_class(
            input_size=input_shape[-1],
            hidden_size=self.units,
            num_layers=self.num_layers,
            batch_first=True,
            dropout=self.dropout,
            bidirectional=self.bidirectional,
        )

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        width = self.directions * self.units
        if self.return_sequences:
            return (input_shape[0], input_shape[1], width)
        return (input_shape[0], width)

    def check_state(self, state: RecurrentState, batch: int, source: str) -> None:
        """Raises [`InputError`][] unless ``state`` fits this layer and batch size."""
        expected = (batch, *self.state_shape)
        parts = [("h", state.h)] + ([("c", state.c)] if self.rnn_class is nn.LSTM else [])
        for part, tensor in parts:
            if tensor is None or tuple(tensor.shape) != expected:
                got = None if tensor is None else tuple(tensor.shape)
                raise InputError(
                    explain(
                        f"{self.label} initial state {part} ({source})",
                        expected=f"shape {expected} = (batch, num_layers * directions, units)",
                        received=f"shape {got}",
                        fix="states are batch-major in seqkit; match units, num_layers and "
                        "bidirectional of the layer the state comes from",
                    )
                )

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

    def starting_state(
        self,
        batch: int,
        previous: RecurrentState | None,
        given: RecurrentState | None,
    ) -> RecurrentState | None:
        """The state to start from, by precedence: ``given``, the state carried by a
        stateful layer, the previous layer's (``initial_state="previous"``), zeros."""
        if given is not None:
            self.check_state(given, batch, "given")
            return self._own_parts(given)
        if self.stateful and self.carried_state is not None:
            carried = self.carried_state.h.shape[0]
            if carried != batch:
                raise InputError(
                    explain(
                        f"{self.label} (stateful) batch",
                        expected=f"{carried} rows, as in the batch whose state it carries",
                        received=f"{batch} rows",
                        fix="keep the batch size fixed (it must divide the number of "
                        "samples) or call model.reset_states() before changing it",
                    )
                )
            return self.carried_state
        if self.initial_state == "previous":
            if previous is None:
                raise InputError(
                    explain(
                        f"{self.label} initial_state='previous'",
                        expected="a recurrent layer before this one in the model",
                        received="none",
                        fix="put the encoder LSTM/GRU first, or drop initial_state",
                    )
                )
            self.check_state(previous, batch, "from the previous recurrent layer")
            return self._own_parts(previous)
        return None

    def _own_parts(self, state: RecurrentState) -> RecurrentState:
        # A GRU starts from h alone, also after an LSTM (whose state carries c too).
        return state if self.rnn_class is nn.LSTM else RecurrentState(state.h)

    def reset_states(self) -> None:
        """Forgets the carried state of a stateful layer (the next batch starts at zero)."""
        self.carried_state = None

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
        final: RecurrentState | None
        if lengths is None or padded_handling(values.device, need_state) == "packed":
            outputs, final = run_rnn(self.rnn, values, lengths, initial)
            last = last_step(final, self.directions)
        else:
            outputs, last = run_rnn_gathered(self.rnn, values, lengths, initial,
                                             self._templates)
            final = None
        if self.return_sequences:
            return LayerOutput(outputs, lengths, final)
        return LayerOutput(last, None, final)


@register
class LSTM(RecurrentLayer):
    """Long short-term memory layer over ``(batch, time, features)``, run by ``nn.LSTM``.

    States are batch-major, ``(batch, num_layers * directions, units)`` for ``h`` and ``c``
    (see [`RecurrentState`][seqkit.layers.RecurrentState]).

    Args are those of [`RecurrentLayer`][].

    Examples:
        >>> import torch, seqkit as sk
        >>> layer = sk.LSTM(8, return_sequences=True, bidirectional=True)
        >>> out = layer(torch.randn(4, 10, 3))
        >>> tuple(out.values.shape), tuple(out.state.h.shape)
        ((4, 10, 16), (4, 2, 8))
    """

    rnn_class = nn.LSTM


@register
class GRU(RecurrentLayer):
    """Gated recurrent unit layer over ``(batch, time, features)``, run by ``nn.GRU``.

    Args are those of [`RecurrentLayer`][]; the state has ``h`` only.

    Examples:
        >>> import torch, seqkit as sk
        >>> out = sk.GRU(5)(torch.randn(2, 7, 3), lengths=torch.tensor([7, 3]))
        >>> tuple(out.values.shape), out.state.c is None
        ((2, 5), True)
    """

    rnn_class = nn.GRU
