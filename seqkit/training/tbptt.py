"""Truncated backpropagation through time, in seqkit's own training step.

Lightning 2 removed ``truncated_bptt_steps``. Here a long batch is cut into consecutive
chunks of ``k`` steps; each chunk starts from the final states of the chunk before it,
*detached*, so gradients never cross a chunk boundary while the memory does. The
optimizer steps once per chunk (manual optimization).

For per-step targets every chunk is scored on its own steps. For one target per sequence,
only the last chunk is scored; the earlier ones just advance the state (without a graph).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, NamedTuple

import torch
from torch import Tensor

from seqkit.data.batch import Batch
from seqkit.layers.state import RecurrentState
from seqkit.layers.streamable import check_streamable

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["Chunk", "chunks", "run_truncated"]


class Chunk(NamedTuple):
    """One chunk of a batch: its steps, and whether its outputs are scored."""

    start: int
    batch: Batch
    scored: bool


def chunks(batch: Batch, steps: int, per_step_targets: bool) -> Iterator[Chunk]:
    """Cuts a batch into consecutive chunks of ``steps`` time steps.

    Lengths are cut too: a sequence that ended before a chunk has length 0 there (it keeps
    its state and is not scored).

    Examples:
        >>> import torch
        >>> batch = Batch(torch.zeros(2, 5, 1), torch.zeros(2, 5, 1), torch.tensor([5, 2]))
        >>> [(c.start, c.batch.lengths.tolist()) for c in chunks(batch, 2, True)]
        [(0, [2, 2]), (2, [2, 0]), (4, [1, 0])]
    """
    total = batch.x.shape[1]
    for start in range(0, total, steps):
        stop = min(start + steps, total)
        lengths = None if batch.lengths is None else (batch.lengths - start).clamp(0, stop - start)
        y = batch.y[:, start:stop] if per_step_targets and batch.y is not None else batch.y
        scored = per_step_targets or stop == total
        yield Chunk(start, Batch(batch.x[:, start:stop], y, lengths, batch.sample_weight),
                    scored)


def run_truncated(
    model: Sequential,
    batch: Batch,
    steps: int,
    on_loss: Callable[[Tensor, Tensor], None],
) -> None:
    """Runs one batch chunk by chunk, calling ``on_loss(loss_sum, count)`` per scored chunk.

    The caller turns each chunk's loss into a gradient step; the states passed on to the
    next chunk are detached first, so that step sees only its own chunk.
    """
    per_step = len(model.output_shape) >= 3
    states: dict[str, RecurrentState] | None = None
    for chunk in chunks(batch, steps, per_step):
        if not chunk.scored:
            with torch.no_grad():
                _, _, states = model.run_blocks(chunk.batch.x, chunk.batch.lengths, states,
                                                keep_states=True)
        else:
            y_pred, lengths, states = model.run_blocks(chunk.batch.x, chunk.batch.lengths,
                                                       states, keep_states=True)
            total, count = model.score(y_pred, lengths, chunk.batch, "train")
            if bool(count > 0):
                on_loss(total, count)
        states = {name: state.detach() for name, state in states.items()}


def check_truncatable(model: Sequential) -> None:
    """TBPTT carries every recurrent layer's state forward, like a stream: the same layers
    qualify (no pooling, ``RepeatVector``, backward directions or ``"previous"``)."""
    for layer in model.layers:
        check_streamable(layer, "fit tbptt_steps")
