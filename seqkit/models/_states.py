"""Reading recurrent states given by users, and handing final states back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from seqkit.errors import InputError, InputTypeError, explain
from seqkit.layers.state import RecurrentState

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["read_initial_states", "states_for_output"]


def read_initial_states(model: Sequential, given: Any, device: torch.device
                        ) -> dict[str, RecurrentState]:
    """Normalises ``predict(initial_state=...)`` to ``{layer name: RecurrentState}``.

    Accepts a mapping from recurrent layer names to states, or one state when the model has
    a single recurrent layer. A state is a [`RecurrentState`][], a ``(h, c)`` tuple, or
    ``h`` alone (GRU), each batch-major ``(batch, num_layers * directions, units)``, as
    numpy arrays or tensors.
    """
    if given is None:
        return {}
    recurrent = model.recurrent_layers
    if isinstance(given, Mapping):
        unknown = sorted(set(given) - set(recurrent))
        if unknown:
            raise InputError(
                explain("initial_state", expected=f"recurrent layer names {sorted(recurrent)}",
                        received=f"keys {unknown}")
            )
        return {name: _as_state(value, name, device) for name, value in given.items()}
    if len(recurrent) != 1:
        raise InputError(
            explain("initial_state", expected=f"a dict keyed by layer name ({sorted(recurrent)})",
                    received="a single state", fix="the model has several recurrent layers")
        )
    (name,) = recurrent
    return {name: _as_state(given, name, device)}


def _as_state(value: Any, name: str, device: torch.device) -> RecurrentState:
    if isinstance(value, RecurrentState):
        h, c = value.h, value.c
    elif isinstance(value, tuple | list) and len(value) == 2:
        h, c = value
    else:
        h, c = value, None
    return RecurrentState(_tensor(h, name, device), None if c is None
                          else _tensor(c, name, device))


def _tensor(value: Any, name: str, device: torch.device) -> torch.Tensor:
    if isinstance(value, np.ndarray):
        value = torch.from_numpy(value)
    if not isinstance(value, torch.Tensor):
        raise InputTypeError(
            explain(f"initial_state[{name!r}]", expected="arrays or tensors (h, c)",
                    received=type(value).__name__)
        )
    return value.to(device=device, dtype=torch.float32)


def states_for_output(model: Sequential, states: dict[str, RecurrentState], as_numpy: bool
                      ) -> dict[str, RecurrentState]:
    """Final states to return: layers marked ``return_state=True`` (all when none is)."""
    flagged = [name for name, block in model.recurrent_layers.items()
               if block.core.return_state]
    chosen = {name: states[name] for name in (flagged or states)}
    if not as_numpy:
        return chosen
    return {name: RecurrentState(state.h.cpu().numpy(),
                                 None if state.c is None else state.c.cpu().numpy())
            for name, state in chosen.items()}
