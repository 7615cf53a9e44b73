"""Which layers can run a sequence chunk by chunk (streams, truncated BPTT)."""

from __future__ import annotations

from seqkit.errors import ConfigError, explain
from seqkit.layers.attention import MultiHeadAttention
from seqkit.layers.attention_pooling import AttentionPooling1D
from seqkit.layers.base import Layer
from seqkit.layers.convolutional import Conv1D
from seqkit.layers.core import RepeatVector
from seqkit.layers.dot_attention import Attention
from seqkit.layers.ensemble import Ensemble
from seqkit.layers.pooling import GlobalAveragePooling1D, GlobalMaxPooling1D
from seqkit.layers.reshaping import Flatten
from seqkit.layers.window_pooling import AveragePooling1D, MaxPooling1D

__all__ = ["check_streamable"]

# An Ensemble's members end without a time axis and carry no state between chunks;
# attention (causal too: it keeps no cache of earlier chunks' keys) sees the whole sequence.
_WHOLE_SEQUENCE_LAYERS = (RepeatVector, GlobalAveragePooling1D, GlobalMaxPooling1D, Ensemble,
                          MultiHeadAttention, AttentionPooling1D, MaxPooling1D,
                          AveragePooling1D, Flatten, Attention)


def check_streamable(layer: Layer, what: str) -> None:
    """Raises [`ConfigError`][] if ``layer`` cannot run chunk by chunk."""
    needs_whole = isinstance(layer, _WHOLE_SEQUENCE_LAYERS) or (
        isinstance(layer, Conv1D) and (layer.span > 1 or layer.strides > 1))  # windows
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
