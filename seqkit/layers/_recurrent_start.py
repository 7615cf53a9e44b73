"""Where a recurrent layer starts: a given state, a carried (stateful) one, the previous
layer's, or zeros; and the checks that a state fits."""

from __future__ import annotations

from typing import ClassVar

from torch import nn

from seqkit.errors import InputError, explain
from seqkit.layers.state import RecurrentState

__all__ = ["StartingState"]


class StartingState:
    """The starting-state logic of [`RecurrentLayer`][seqkit.layers.RecurrentLayer] (a
    mixin: the layer provides the attributes below)."""

    rnn_class: ClassVar[type[nn.LSTM] | type[nn.GRU]]
    label: str
    state_shape: tuple[int, int]
    stateful: bool
    initial_state: str | None
    carried_state: RecurrentState | None

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
