"""The hand-written ``torch.nn`` models the raw variants train: the same architectures as
the seqkit and Keras models of the other variants."""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence

from benchmarks.suite.configs import Config

__all__ = ["CNNLSTM", "DROPOUT", "LEARNING_RATE", "AttentionClassifier", "TextBiLSTM",
           "TwoLSTM"]

DROPOUT = 0.2
LEARNING_RATE = 1e-3


class TwoLSTM(nn.Module):
    """LSTM (all steps) -> LSTM (last step) -> Dropout -> Dense(1)."""

    def __init__(self, config: Config) -> None:
        super().__init__()
        self.lstm1 = nn.LSTM(config.features, config.units, batch_first=True)
        self.lstm2 = nn.LSTM(config.units, config.units, batch_first=True)
        self.dropout = nn.Dropout(DROPOUT)
        self.dense = nn.Linear(config.units, 1)

    def forward(self, x: Tensor) -> Tensor:
        sequence, _ = self.lstm1(x)
        _, (h, _) = self.lstm2(sequence)
        return self.dense(self.dropout(h[-1]))


class CNNLSTM(nn.Module):
    """Conv1D (causal, ReLU) -> MaxPooling1D(2) -> LSTM (last step) -> Dense(1)."""

    def __init__(self, config: Config) -> None:
        super().__init__()
        self.conv = nn.Conv1d(config.features, config.units, 3)
        self.lstm = nn.LSTM(config.units, config.units, batch_first=True)
        self.dense = nn.Linear(config.units, 1)

    def forward(self, x: Tensor) -> Tensor:
        x = nn.functional.pad(x.transpose(1, 2), (2, 0))  # causal: two zeros before
        x = nn.functional.max_pool1d(torch.relu(self.conv(x)), 2).transpose(1, 2)
        _, (h, _) = self.lstm(x)
        return self.dense(h[-1])


class TextBiLSTM(nn.Module):
    """Embedding -> bidirectional LSTM (final states) -> Dense(2).

    ``packed=False`` runs the padded batch through the unpacked kernel: the forward final
    state is taken after the padding and the backward direction starts in it, so results
    depend on the padding (the fast, wrong loop many people write). ``packed=True`` packs
    the batch by length: exact.
    """

    def __init__(self, config: Config, packed: bool) -> None:
        super().__init__()
        self.packed = packed
        self.embedding = nn.Embedding(config.vocab, config.embed, padding_idx=0)
        self.lstm = nn.LSTM(config.embed, config.units, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * config.units, 2)

    def forward(self, ids: Tensor, lengths: Tensor) -> Tensor:
        x = self.embedding(ids)
        if self.packed:
            x = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, (h, _) = self.lstm(x)
        return self.head(torch.cat([h[-2], h[-1]], dim=-1))


class AttentionClassifier(nn.Module):
    """Embedding -> self-attention (key-padding mask) -> attention pooling -> Dense(2).

    The pooling scores each step against a learned query (scaled by ``1/sqrt(embed)``)
    and averages the valid steps with the softmax weights: what ``AttentionPooling1D()``
    computes. Padding never enters the attention (``key_padding_mask``) or the pooling.
    """

    def __init__(self, config: Config) -> None:
        super().__init__()
        self.embedding = nn.Embedding(config.vocab, config.embed)
        self.attention = nn.MultiheadAttention(config.embed, config.heads, batch_first=True)
        self.query = nn.Parameter(torch.randn(config.embed) / config.embed ** 0.5)
        self.head = nn.Linear(config.embed, 2)

    def forward(self, ids: Tensor, lengths: Tensor) -> Tensor:
        x = self.embedding(ids)
        padding = torch.arange(ids.shape[1], device=ids.device)[None, :] >= lengths[:, None]
        x, _ = self.attention(x, x, x, key_padding_mask=padding, need_weights=False)
        scores = (x @ self.query / x.shape[-1] ** 0.5).masked_fill(padding, float("-inf"))
        pooled = (scores.softmax(dim=1)[..., None] * x.masked_fill(padding[..., None], 0.0))
        return self.head(pooled.sum(dim=1))
