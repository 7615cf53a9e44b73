"""``Stream``: feed a long sequence chunk by chunk; the outputs equal one full pass."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor

from seqkit.errors import ConfigError, explain
from seqkit.layers.base import Layer
from seqkit.layers.core import RepeatVector
from seqkit.layers.ensemble import Ensemble
from seqkit.layers.pooling import GlobalAveragePooling1D, GlobalMaxPooling1D, zero_padding
from seqkit.layers.state import RecurrentState
from seqkit.models._inputs import prepare_inputs

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["Stream", "check_streamable"]

# An Ensemble's members end without a time axis and carry no state between chunks.
_WHOLE_SEQUENCE_LAYERS = (RepeatVector, GlobalAveragePooling1D, GlobalMaxPooling1D, Ensemble)


class Stream:
    """Runs a model over consecutive chunks of the same sequences, carrying every recurrent
    layer's state from one chunk to the next (this is how an online forecaster is served).

    Chunks may have any length. For a model that returns sequences, the outputs of all
    chunks, concatenated on the time axis, equal ``model.predict`` on the whole sequence;
    for a model that returns the last step, each ``step`` returns the output for the
    sequence so far. The model runs in eval mode without gradients.

    Args:
        model: A model whose layers all work step by step (no pooling, ``RepeatVector``,
            bidirectional layers or ``initial_state="previous"``, which need the whole
            sequence at once).

    Examples:
        >>> import numpy as np, seqkit as sk
        >>> model = sk.Sequential([sk.LSTM(4, return_sequences=True), sk.Dense(1)])
        >>> x = np.random.rand(2, 10, 3).astype("float32")
        >>> stream = model.stream()
        >>> parts = [stream.step(x[:, :4]), stream.step(x[:, 4:])]
        >>> bool(np.allclose(np.concatenate(parts, axis=1), model.predict(x), atol=1e-6))
        True
    """

    def __init__(self, model: Sequential) -> None:
        for layer in model.layers:
            check_streamable(layer, "Sequential.stream")
        self.model = model
        self.states: dict[str, RecurrentState] | None = None

    def step(self, chunk: Any, *, lengths: Any = None) -> Any:
        """Feeds the next chunk ``(batch, time, features)`` of the same rows.

        Args:
            chunk: The next steps (numpy or tensor); the batch size must not change.
            lengths: Valid steps of each row in this chunk (a row that has ended keeps its
                state).

        Returns:
            The outputs for this chunk, numpy for numpy input, tensors for tensors.
        """
        data = prepare_inputs(self.model, chunk, lengths=lengths)
        device = self.model.device
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.inference_mode():
                x = data.x.to(device)
                given = None if data.lengths is None else data.lengths.to(device)
                values, out_lengths, self.states = self.model.run_blocks(
                    x, given, self.states, keep_states=True)
        finally:
            self.model.train(was_training)
        scaler = self.model.target_scaler
        if scaler is not None and scaler.is_adapted:
            values = scaler.inverse(values)  # original units, as predict answers
        values = zero_padding(values, out_lengths)
        if isinstance(chunk, Tensor):
            return values.to(chunk.device)
        return values.cpu().numpy()

    def reset(self) -> None:
        """Forgets the carried states: the next ``step`` starts new sequences."""
        self.states = None


def check_streamable(layer: Layer, what: str) -> None:
    """Raises [`ConfigError`][] if ``layer`` cannot run chunk by chunk."""
    needs_whole = isinstance(layer, _WHOLE_SEQUENCE_LAYERS)
    core = getattr(layer, "core", None)
    if core is not None:
        # A backward direction starts at the sequence's end, which a stream has not seen.
        needs_whole = core.bidirectional or core.initial_state == "previous"
    if needs_whole:
        raise ConfigError(
            explain(what, expected="layers that run step by step",
                    received=f"{layer.label}, which needs the whole sequence at once",
                    fix="use unidirectional recurrent, Dense, Dropout, Embedding and "
                    "normalization layers")
        )
