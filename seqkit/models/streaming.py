"""``Stream``: feed a long sequence chunk by chunk; the outputs equal one full pass."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor

from seqkit.data.layout import to_model_layout
from seqkit.data.pipeline import call_data
from seqkit.data.transform import BatchTransform
from seqkit.layers.pooling import zero_padding
from seqkit.layers.state import RecurrentState
from seqkit.layers.streamable import check_streamable

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["Stream"]

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
        """Feeds the next chunk ``(batch, time, features)`` of the same rows
        (``(time, batch, features)`` for a ``batch_first=False`` model, whose outputs are
        time-major too).

        Args:
            chunk: The next steps (numpy or tensor); the batch size must not change.
            lengths: Valid steps of each row in this chunk (a row that has ended keeps its
                state).

        Returns:
            The outputs for this chunk, numpy for numpy input, tensors for tensors.
        """
        contract = self.model.data_contract()
        data = BatchTransform(contract)(call_data(contract, chunk, lengths=lengths))
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
        values = values.to(chunk.device) if isinstance(chunk, Tensor) else values.cpu().numpy()
        return to_model_layout(values, self.model.batch_first)

    def reset(self) -> None:
        """Forgets the carried states: the next ``step`` starts new sequences."""
        self.states = None
