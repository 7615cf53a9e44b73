"""``TfidfLinear``: a linear model over TF-IDF features of token ids (the text wide path).

The features of scikit-learn's ``TfidfVectorizer`` (sublinear term frequency, smoothed
inverse document frequency, L2-normalized rows), computed inside the model from the
token ids a ``TextVectorizer`` emits: the words, their hashed word n-grams and the hashed
character n-grams of each word (fastText's subwords; they let ``"loved"`` share weights
with ``"loving"``). Two blocks, each normalized on its own, as two vectorizers side by
side: words and word n-grams; character n-grams.

The layer only computes ``tfidf(x) @ weight + bias``. What sets the document frequencies
and fits the weights (to convergence, by L-BFGS) is
[`fit_tfidf_linear`][seqkit.training.logistic.fit_tfidf_linear]; a preset calls it
before training (``text_classifier``).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any, NamedTuple

import torch
from torch import Tensor, nn

from seqkit._checks import boolean, positive_int
from seqkit.errors import ConfigError, InputTypeError, explain
from seqkit.layers._sizes import check_parameter_count
from seqkit.layers.base import Layer, LayerOutput, Shape, register
from seqkit.layers.ngram_bag import VocabularySized, hashed_ngrams
from seqkit.layers.state import RecurrentState

__all__ = ["TermCounts", "TfidfLinear", "char_ngrams_of"]

_MAX_CHAR_BUCKETS = 1 << 18


def char_ngrams_of(token: str, widths: tuple[int, int]) -> list[str]:
    """The character n-grams of ``token`` padded with spaces (scikit-learn's
    ``analyzer="char_wb"``), widths ``widths[0]..widths[1]``.

    Examples:
        >>> char_ngrams_of("ok", (2, 3))
        [' o', 'ok', 'k ', ' ok', 'ok ']
    """
    padded = f" {token} "
    return [padded[i:i + n] for n in range(widths[0], widths[1] + 1)
            for i in range(len(padded) - n + 1)]


class TermCounts(NamedTuple):
    """Every distinct feature of every row of a batch, with its count
    ([`TfidfLinear.term_counts`][seqkit.layers.tfidf_linear.TfidfLinear.term_counts]).

    Examples:
        >>> import torch, seqkit as sk
        >>> layer = sk.TfidfLinear(2, vocab_size=5, ngrams=1, char_ngrams=None)
        >>> counts = layer.term_counts(torch.tensor([[2, 3, 2, 0]]), None)
        >>> counts.feature.tolist(), counts.count.tolist()
        ([2, 3], [2, 1])
    """

    row: Tensor
    feature: Tensor
    count: Tensor


@register
class TfidfLinear(VocabularySized, Layer):
    """Token ids ``(batch, time)`` to ``(batch, units)``: ``tfidf(ids) @ weight + bias``.

    Id 0 is padding and id 1 out-of-vocabulary (both without character n-grams). Feature
    ``i < vocab_size`` is token ``i``; then ``buckets`` rows for hashed word 2..``ngrams``
    -grams; then ``char_buckets`` rows for hashed character n-grams, which exist once
    [`set_vocabulary`][seqkit.layers.tfidf_linear.TfidfLinear.set_vocabulary] gave the
    tokens' strings. A feature's value is ``(1 + log count) * idf``, each block divided by
    its L2 norm. ``idf`` starts at 1 and the weights at 0 (the layer outputs zeros).

    Args:
        units: Output size (e.g. the number of class logits).
        vocab_size: Number of token ids.
        ngrams: The widest word n-gram (1: words only).
        char_ngrams: ``(shortest, longest)`` character n-grams, or ``None``: none.
        buckets: Hash buckets of the word n-grams (``None``: twice the vocabulary per
            width above 1).
        char_buckets: Hash buckets of the character n-grams (``None``: 8 per token, at
            most 2**18).
        char_slots: Character n-grams per token (the width of ``char_table``); ``None``
            until ``set_vocabulary`` sets it, kept in the config so a saved layer loads.
        trainable: ``False`` (the default): the optimizer leaves the weights as the
            logistic-regression fit set them; ``True``: ``fit`` trains them with the rest
            of the model.
        name: Layer name.

    Examples:
        >>> import torch, seqkit as sk
        >>> layer = sk.TfidfLinear(2, vocab_size=4)
        >>> layer.set_vocabulary(["", "[UNK]", "good", "film"])
        >>> tuple(layer(torch.tensor([[2, 3, 0]])).values.shape)
        (1, 2)
    """

    input_ranks = (2,)
    checks_features = False
    reads_token_ids = True
    mask_zero = True

    def __init__(self, units: int, vocab_size: int, *, ngrams: int = 2,
                 char_ngrams: Sequence[int] | None = (2, 5), buckets: int | None = None,
                 char_buckets: int | None = None, char_slots: int | None = None,
                 trainable: bool = False, name: str | None = None) -> None:
        super().__init__(name=name)
        self.units = positive_int(units, "units", "TfidfLinear")
        self.vocab_size = positive_int(vocab_size, "vocab_size", "TfidfLinear")
        self.ngrams = positive_int(ngrams, "ngrams", "TfidfLinear")
        self.char_ngrams = _widths(char_ngrams)
        self._buckets = None if buckets is None else positive_int(buckets, "buckets",
                                                                  "TfidfLinear")
        self._char_buckets = None if char_buckets is None else positive_int(
            char_buckets, "char_buckets", "TfidfLinear")
        # character n-grams per token: set with the tokens (None before)
        self.char_slots = None if char_slots is None else positive_int(
            char_slots, "char_slots", "TfidfLinear")
        self.trainable = boolean(trainable, "trainable", "TfidfLinear")
        self.weight: nn.Parameter | None = None
        self.bias: nn.Parameter | None = None

    # -- sizes -----------------------------------------------------------------------------
    @property
    def char_buckets(self) -> int:
        """Character n-gram buckets in use (0 without ``char_ngrams``)."""
        if self.char_ngrams is None:
            return 0
        return min(8 * self.vocab_size, _MAX_CHAR_BUCKETS) if self._char_buckets is None \
            else self._char_buckets

    @property
    def features(self) -> int:
        """Number of features (rows of ``weight``)."""
        return self.vocab_size + self.buckets + self.char_buckets

    def set_vocabulary(self, tokens: Sequence[str]) -> None:
        """Gives the tokens' strings (id order, as ``TextVectorizer.get_vocabulary()``):
        the character n-grams of token ``i`` hash into its row of ``char_table``."""
        if len(tokens) != self.vocab_size:
            raise ConfigError(explain(f"{self.label} vocabulary",
                                      expected=f"{self.vocab_size} tokens (vocab_size)",
                                      received=f"{len(tokens)} tokens"))
        if self.char_ngrams is None:
            return
        rows = [[] if i < 2 else sorted({zlib.crc32(gram.encode()) % self.char_buckets
                                         for gram in char_ngrams_of(token, self.char_ngrams)})
                for i, token in enumerate(tokens)]
        self.char_slots = max(1, max(len(row) for row in rows))
        table = torch.full((self.vocab_size, self.char_slots), -1, dtype=torch.long)
        for i, row in enumerate(rows):
            table[i, :len(row)] = torch.tensor(row, dtype=torch.long)
        self.register_buffer("char_table", table)

    def get_config(self) -> dict[str, Any]:
        return {"units": self.units, "vocab_size": self.vocab_size, "ngrams": self.ngrams,
                "char_ngrams": None if self.char_ngrams is None else list(self.char_ngrams),
                "buckets": self._buckets, "char_buckets": self._char_buckets,
                "char_slots": self.char_slots, "trainable": self.trainable,
                "name": self.name}

    def _build(self, input_shape: Shape) -> None:
        check_parameter_count("TfidfLinear", self.features * self.units,
                              f"vocab_size={self.vocab_size}, buckets={self.buckets}, "
                              f"char_buckets={self.char_buckets}, units={self.units}")
        self.weight = nn.Parameter(torch.zeros(self.features, self.units),
                                   requires_grad=self.trainable)
        self.bias = nn.Parameter(torch.zeros(self.units), requires_grad=self.trainable)
        self.register_buffer("idf", torch.ones(self.features))
        if self.char_ngrams is not None and not hasattr(self, "char_table"):
            # loaded from a config: the saved table replaces this one
            self.register_buffer("char_table", torch.full(
                (self.vocab_size, self.char_slots or 1), -1, dtype=torch.long))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0], self.units)

    # -- features --------------------------------------------------------------------------
    def term_counts(self, values: Tensor, lengths: Tensor | None) -> TermCounts:
        """The distinct features of each row and their counts (before TF-IDF)."""
        if values.dtype.is_floating_point or values.dtype == torch.bool:
            raise InputTypeError(explain(f"{self.label} input", expected="integer token ids",
                                         received=f"dtype {values.dtype}",
                                         fix="convert ids with x.astype('int64') / x.long()"))
        index, keep = hashed_ngrams(values, lengths, self.ngrams, self.vocab_size,
                                    max(self.buckets, 1))
        if self.char_ngrams is not None:
            table = self.char_table[values.clamp(0, self.vocab_size - 1)]  # (b, t, slots)
            valid = keep[:, :values.shape[1], None] & (table >= 0)
            offset = self.vocab_size + self.buckets
            index = torch.cat([index, (offset + table).flatten(1)], dim=1)
            keep = torch.cat([keep, valid.flatten(1)], dim=1)
        rows = torch.arange(values.shape[0], device=values.device).unsqueeze(1)
        key = (rows * self.features + index)[keep]
        distinct, counts = torch.unique(key, return_counts=True)
        return TermCounts(distinct // self.features, distinct % self.features, counts)

    def tfidf(self, counts: TermCounts, rows: int, idf: Tensor | None = None) -> Tensor:
        """The TF-IDF value of each ``(row, feature)`` of ``counts``, normalized per block."""
        row, feature, count = counts
        idf = self.idf if idf is None else idf
        value = (1 + torch.log(count.to(idf.dtype))) * idf[feature]
        block = row * 2 + (feature >= self.vocab_size + self.buckets).long()
        norms = torch.zeros(rows * 2, dtype=value.dtype, device=value.device)
        norms.index_add_(0, block, value * value)
        return value / norms[block].sqrt().clamp(min=1e-12)

    def call(self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
             ) -> LayerOutput:
        assert self.weight is not None and self.bias is not None
        counts = self.term_counts(values, lengths)
        value = self.tfidf(counts, values.shape[0]).to(self.weight.dtype)
        out = torch.zeros(values.shape[0], self.units, dtype=self.weight.dtype,
                          device=self.weight.device)
        out.index_add_(0, counts[0], value.unsqueeze(1) * self.weight[counts[1]])
        return LayerOutput(out + self.bias, None, state)


def _widths(char_ngrams: Sequence[int] | None) -> tuple[int, int] | None:
    if char_ngrams is None:
        return None
    widths = tuple(char_ngrams) if isinstance(char_ngrams, list | tuple) else ()
    if len(widths) != 2 or not all(isinstance(w, int) and not isinstance(w, bool)
                                   for w in widths) or not 1 <= widths[0] <= widths[1]:
        raise ConfigError(explain("TfidfLinear char_ngrams",
                                  expected="(shortest, longest) with 1 <= shortest <= longest",
                                  received=f"char_ngrams={char_ngrams!r}",
                                  fix="e.g. char_ngrams=(2, 5), or None for none"))
    return widths[0], widths[1]
