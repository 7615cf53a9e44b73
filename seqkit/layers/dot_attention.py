"""``Attention``: Keras's dot-product (Luong) attention layer, as self-attention inside a
``Sequential`` (query = value = key = the previous block's output)."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from seqkit._checks import boolean, fraction, one_of
from seqkit.layers.attention import attention_mask
from seqkit.layers.base import Layer, LayerOutput, Shape, register
from seqkit.layers.pooling import zero_padding
from seqkit.layers.state import RecurrentState

__all__ = ["Attention"]


@register
class Attention(Layer):
    """Keras's ``Attention()([x, x])``: each step attends to every kept step of its own
    sequence with ``softmax(x x^T)`` and returns the weighted sum of the steps.

    No projections (that is [`MultiHeadAttention`][seqkit.layers.MultiHeadAttention]);
    the output keeps the input's features. Masked steps are never attended to, and masked
    query steps give zeros (as in Keras), so a padded batch gives each sequence its own
    result; the mask flows on.

    Args:
        use_scale: Learn a scalar ``scale`` multiplying the scores (starts at 1), as Keras.
        score_mode: ``"dot"`` (``x_i . x_j``) or ``"concat"`` (``w * sum(tanh(scale *
            (x_i + x_j)))``, with a learned scalar ``w``; memory ``time^2 * features``).
        dropout: Dropout on the attention weights in training.
        causal: Each step attends only to itself and earlier steps (Keras's
            ``use_causal_mask=True``).
        name: Layer name.

    Examples:
        >>> import torch, seqkit as sk
        >>> layer = sk.Attention(use_scale=True)
        >>> out = layer(torch.randn(2, 5, 3), lengths=torch.tensor([5, 2]))
        >>> tuple(out.values.shape), [w for w in layer.get_config()]
        ((2, 5, 3), ['use_scale', 'score_mode', 'dropout', 'causal', 'name'])
    """

    input_ranks = (3,)
    checks_features = False
    rank_fix = "attention runs over a time axis: give (batch, time, features)"

    def __init__(self, use_scale: bool = False, score_mode: str = "dot",
                 dropout: float = 0.0, *, causal: bool = False,
                 name: str | None = None) -> None:
        super().__init__(name=name)
        self.use_scale = boolean(use_scale, "use_scale", "Attention")
        self.score_mode = one_of(score_mode, "score_mode", "Attention", ("dot", "concat"))
        self.dropout = fraction(dropout, "dropout", "Attention")
        self.causal = boolean(causal, "causal", "Attention")
        self.scale: nn.Parameter | None = None
        self.concat_score_weight: nn.Parameter | None = None

    def get_config(self) -> dict[str, Any]:
        return {"use_scale": self.use_scale, "score_mode": self.score_mode,
                "dropout": self.dropout, "causal": self.causal, "name": self.name}

    def _build(self, input_shape: Shape) -> None:
        if self.use_scale:
            self.scale = nn.Parameter(torch.ones(()))
        if self.score_mode == "concat":
            self.concat_score_weight = nn.Parameter(torch.ones(()))

    def call(
        self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
    ) -> LayerOutput:
        values = zero_padding(values, lengths)  # padding may hold inf/nan
        mask = attention_mask(lengths, values.shape[1], self.causal, values.device)
        dropout = self.dropout if self.training else 0.0
        if self.score_mode == "dot":
            query = values if self.scale is None else values * self.scale
            out = F.scaled_dot_product_attention(
                query, values, values, attn_mask=None if mask is None else mask[:, 0],
                dropout_p=dropout, scale=1.0)
        else:
            assert self.concat_score_weight is not None
            pairs = values[:, :, None, :] + values[:, None, :, :]
            if self.scale is not None:
                pairs = self.scale * pairs
            scores = self.concat_score_weight * torch.tanh(pairs).sum(dim=-1)
            if mask is not None:
                scores = scores.masked_fill(~mask[:, 0], float("-inf"))
            weights = F.dropout(scores.softmax(dim=-1), dropout, training=dropout > 0)
            out = weights @ values
        return LayerOutput(zero_padding(out, lengths), lengths, state)
