"""``Bidirectional``: the Keras wrapper, run as one fused bidirectional kernel."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from seqkit._checks import one_of
from seqkit.errors import ConfigError, InputTypeError, explain
from seqkit.layers.base import Layer, LayerOutput, Shape, layer_from_spec, register
from seqkit.layers.kernels import KernelPath
from seqkit.layers.recurrent import RecurrentLayer
from seqkit.layers.state import RecurrentState

__all__ = ["Bidirectional"]

_MERGE_MODES = ("concat", "sum", "mul", "ave")


@register
class Bidirectional(Layer):
    """Runs a recurrent layer in both directions and merges the two outputs.

    Equivalent to the wrapped layer with ``bidirectional=True`` (one fused kernel), plus a
    choice of how the forward and backward outputs are merged. The backward direction starts
    at each sequence's own end when lengths are known.

    Args:
        layer: An ``LSTM``, ``GRU`` or ``SimpleRNN`` (not itself bidirectional); a dict from
            ``get_config`` (``{"class_name": ..., "config": ...}``) is accepted too.
        merge_mode: ``"concat"`` (width ``2 * units``), ``"sum"``, ``"mul"`` or ``"ave"``.
        name: Layer name.

    Examples:
        >>> import torch, seqkit as sk
        >>> layer = sk.Bidirectional(sk.LSTM(6), merge_mode="sum")
        >>> tuple(layer(torch.randn(2, 5, 3)).values.shape)
        (2, 6)
    """

    input_ranks = (3,)
    rank_fix = "for one value per time step add a feature axis: x[..., None]"

    def __init__(
        self,
        layer: RecurrentLayer | dict[str, Any],
        merge_mode: str = "concat",
        *,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        if isinstance(layer, dict):
            layer = layer_from_spec(layer, "Bidirectional layer config")
        if not isinstance(layer, RecurrentLayer):
            raise InputTypeError(
                explain("Bidirectional layer", expected="an LSTM, GRU or SimpleRNN layer",
                        received=f"layer={layer!r}")
            )
        if layer.bidirectional:
            raise ConfigError(
                explain("Bidirectional layer", expected="a layer with bidirectional=False",
                        received=f"{layer.label} with bidirectional=True",
                        fix="use either the wrapper or bidirectional=True, not both")
            )
        self.merge_mode = one_of(merge_mode, "merge_mode", "Bidirectional", _MERGE_MODES)
        self._wrapped_config = {"class_name": type(layer).__name__, "config": layer.get_config()}
        config = {**layer.get_config(), "bidirectional": True}
        self.layer = type(layer).from_config(config)

    def get_config(self) -> dict[str, Any]:
        return {"layer": self._wrapped_config, "merge_mode": self.merge_mode, "name": self.name}

    @property
    def core(self) -> RecurrentLayer:
        """The wrapped (bidirectional) layer, which owns the kernel and the state."""
        return self.layer

    @property
    def units(self) -> int:
        """Units of each direction."""
        return self.layer.units

    def kernel_path(self, need_state: bool = False,
                    device: torch.device | str | None = None) -> KernelPath:
        """What runs the wrapped layer; see ``RecurrentLayer.kernel_path``.

        Examples:
            >>> import seqkit as sk
            >>> sk.Bidirectional(sk.LSTM(4)).kernel_path(need_state=True).padded
            'packed'
        """
        return self.layer.kernel_path(need_state, device)

    def _build(self, input_shape: Shape) -> None:
        self.layer.build(input_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        shape = self.layer.compute_output_shape(input_shape)
        if self.merge_mode == "concat":
            return shape
        return (*shape[:-1], self.units)

    def forward(
        self,
        values: Tensor,
        lengths: Tensor | None = None,
        state: RecurrentState | None = None,
        initial_state: RecurrentState | None = None,
        need_state: bool = True,
    ) -> LayerOutput:
        """Runs both directions; ``initial_state`` and ``need_state`` as for the wrapped
        layer."""
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
        out = self.layer.call(values, lengths, state, initial_state, need_state)
        if self.merge_mode == "concat":
            return out
        forward, backward = torch.chunk(out.values, 2, dim=-1)
        merged = {
            "sum": lambda: forward + backward,
            "mul": lambda: forward * backward,
            "ave": lambda: (forward + backward) / 2,
        }[self.merge_mode]()
        return LayerOutput(merged, out.lengths, out.state)

    def reset_states(self) -> None:
        """Forgets the carried state of a stateful wrapped layer."""
        self.layer.reset_states()

